"""Writing plays and gold documents by `_id`, never leaving a gap a reader could see: whole
documents replaced in place (`upsert_all`), new plays inserted and changed ones replaced
(`write_plays`), and a user's day totals (`day_docs`)."""

from __future__ import annotations

from typing import Any

from pymongo import ReplaceOne
from pymongo.collection import Collection
from pymongo.database import Database
from pymongo.errors import BulkWriteError

from core import gold
from core.collections import Coll
from core.mongo import find_ids, find_ids_in

Doc = dict[str, Any]
WRITE_CHUNK = 1000  # documents per bulk request (a request stays far below the 48 MB message limit)
DUPLICATE_KEY = 11000


def day_docs(db: Database[Doc], user_id: str, days: set[str]) -> dict[str, Doc]:
    """The stored day totals (which list their play ids) of the given local days."""
    ids = [gold.period_id(user_id, "day", d) for d in sorted(days)]
    return {d["period"]: d for d in find_ids(db, Coll.ROLLUP_TOTALS, ids, {"play_ids": 1, "period": 1})}


def _duplicates(exc: BulkWriteError) -> list[int]:
    """Indexes of the batch's documents that failed only on a duplicate `_id`; re-raises others."""
    errors = exc.details.get("writeErrors", [])
    if any(e.get("code") != DUPLICATE_KEY for e in errors):
        raise exc
    return [e["index"] for e in errors]


def upsert_all(coll: Collection[Doc], docs: list[Doc]) -> None:
    """Replace each document by `_id`, inserting the missing ones. A large set (a history
    import's rollups, mostly new days) has its stored `_id`s looked up first: the new documents
    go in with insert_many and only the stored ones are replaced (50,000 imported plays: 22.5 s
    instead of 25.5 s on FerretDB, docs/performance.md). A small set (a live batch, whose
    documents nearly all exist) is replaced at once: the look-up would cost more than it saves."""
    if len(docs) < WRITE_CHUNK:
        _replace(coll, docs)
        return
    stored = {d["_id"] for d in find_ids_in(coll, [d["_id"] for d in docs], {"_id": 1})}
    _insert_or_replace(coll, [d for d in docs if d["_id"] not in stored])
    _replace(coll, [d for d in docs if d["_id"] in stored])


def _replace(coll: Collection[Doc], docs: list[Doc]) -> None:
    """Bulk ReplaceOne with upsert. Two upserts of one new `_id` at once (a reprocess run beside
    the stream) can both try the insert; the loser's duplicate-key error is retried, and then
    replaces."""
    for i in range(0, len(docs), WRITE_CHUNK):
        chunk = docs[i : i + WRITE_CHUNK]
        try:
            coll.bulk_write([ReplaceOne({"_id": d["_id"]}, d, upsert=True) for d in chunk], ordered=False)
        except BulkWriteError as exc:
            for at in _duplicates(exc):
                coll.replace_one({"_id": chunk[at]["_id"]}, chunk[at], upsert=True)


def _insert_or_replace(coll: Collection[Doc], docs: list[Doc]) -> None:
    """insert_many per chunk, then the documents whose `_id` turned out to exist replaced."""
    for i in range(0, len(docs), WRITE_CHUNK):
        chunk = docs[i : i + WRITE_CHUNK]
        try:
            coll.insert_many(chunk, ordered=False)
        except BulkWriteError as exc:
            _replace(coll, [chunk[at] for at in _duplicates(exc)])


def write_plays(db: Database[Doc], docs: list[Doc]) -> None:
    """Plays by `_id`: one insert_many for the batch (most plays are new; an insert is the
    cheapest write on both servers), then the ones that exist already (a replay, a merged or
    re-enriched play) replaced in place."""
    _insert_or_replace(db[Coll.PLAYS.value], docs)
