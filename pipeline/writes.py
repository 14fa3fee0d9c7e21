"""Writing plays and gold documents by `_id`: whole documents replaced (`replace_plays`), inserts that
replace a document another writer re-created (`insert_all`), and a user's day totals (`day_docs`)."""

from __future__ import annotations

from typing import Any

from pymongo.collection import Collection
from pymongo.database import Database
from pymongo.errors import BulkWriteError

from core import gold
from core.collections import Coll
from core.mongo import ID_CHUNK, find_ids

Doc = dict[str, Any]


def day_docs(db: Database[Doc], user_id: str, days: set[str]) -> dict[str, Doc]:
    """The stored day totals (which list their play ids) of the given local days."""
    ids = [gold.period_id(user_id, "day", d) for d in sorted(days)]
    return {d["period"]: d for d in find_ids(db, Coll.ROLLUP_TOTALS, ids, {"play_ids": 1, "period": 1})}


def insert_all(coll: Collection[Doc], docs: list[Doc]) -> None:
    """insert_many of just-deleted `_id`s; one that exists again (another writer of the same user
    got in between, e.g. a reprocess run next to the stream) is replaced instead."""
    try:
        coll.insert_many(docs, ordered=False)
    except BulkWriteError as exc:
        errors = exc.details.get("writeErrors", [])
        if any(e.get("code") != 11000 for e in errors):
            raise
        for e in errors:
            doc = docs[e["index"]]
            coll.replace_one({"_id": doc["_id"]}, doc, upsert=True)


def replace_plays(db: Database[Doc], docs: list[Doc]) -> None:
    coll = db[Coll.PLAYS.value]
    for i in range(0, len(docs), ID_CHUNK):
        chunk = docs[i : i + ID_CHUNK]
        coll.delete_many({"_id": {"$in": [d["_id"] for d in chunk]}})
        insert_all(coll, chunk)
