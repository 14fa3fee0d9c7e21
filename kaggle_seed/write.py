"""Partition writer of the backfill: upsert catalog docs by id without clobbering other sources.

A field whose recorded source is not Kaggle (e.g. 'api', 'export') keeps its value; every Kaggle
field is set with `sources[field] = 'kaggle:<dataset>'`. Into an empty collection (`fresh`) docs
are only inserted, in unordered bulk; otherwise each batch first looks its ids up (`_id $in`,
indexed), inserts the new ones and replaces the existing ones only when they change — so a second
load of the same file changes nothing. (A duplicate in a bulk insert makes FerretDB retry the
whole batch one document per transaction, hence the lookup.) Writes run in a background thread
while the caller prepares the next batch.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from core.collections import compact_sources, field_sources

BATCH = 2000


def merge_into(existing: dict[str, Any], doc: dict[str, Any]) -> dict[str, Any]:
    """`existing` with the Kaggle fields of `doc` applied (non-Kaggle-owned fields untouched)."""
    merged = dict(existing)
    sources, incoming = field_sources(existing), field_sources(doc)
    for field, value in doc.items():
        if field in {"_id", "sources"}:
            continue
        owner = sources.get(field)
        if owner is not None and not str(owner).startswith("kaggle:") and existing.get(field) is not None:
            continue
        merged[field] = value
        if field in incoming:
            sources[field] = incoming[field]
    merged["sources"] = compact_sources(sources)
    return merged


def _same(a: dict[str, Any], b: dict[str, Any]) -> bool:
    strip = lambda d: {k: v for k, v in d.items() if k != "updated_at"}  # noqa: E731
    return strip(a) == strip(b)


def _merge_existing(coll: Any, docs: list[dict[str, Any]], now: dt.datetime) -> tuple[int, int]:
    """Apply `docs` (ids known to exist) onto their stored versions → (updated, unchanged)."""
    from pymongo import ReplaceOne

    stored = {d["_id"]: d for d in coll.find({"_id": {"$in": [d["_id"] for d in docs]}})}
    replaces = []
    for doc in docs:
        old = stored[doc["_id"]]
        new = merge_into(old, doc)
        if not _same(new, old):
            replaces.append(ReplaceOne({"_id": doc["_id"]}, {**new, "updated_at": now}))
    if replaces:
        coll.bulk_write(replaces, ordered=False)
    return len(replaces), len(docs) - len(replaces)


def write_batch(
    coll: Any, docs: list[dict[str, Any]], now: dt.datetime, fresh: bool = False
) -> dict[str, int]:
    """Insert the new ids in bulk, merge the existing ones; `fresh`: the collection was empty."""
    from pymongo.errors import BulkWriteError

    existing: list[dict[str, Any]] = []
    if not docs:
        return {"inserted": 0, "updated": 0, "unchanged": 0}
    if not fresh:
        found = {d["_id"] for d in coll.find({"_id": {"$in": [d["_id"] for d in docs]}}, {"_id": 1})}
        existing = [d for d in docs if d["_id"] in found]
        docs = [d for d in docs if d["_id"] not in found]
    inserted = len(docs)
    if docs:
        try:
            coll.insert_many([{**doc, "updated_at": now} for doc in docs], ordered=False)
        except BulkWriteError as exc:  # written meanwhile by someone else
            errors = exc.details.get("writeErrors", [])
            if any(e.get("code") != 11000 for e in errors):
                raise
            existing += [docs[e["index"]] for e in errors]
            inserted -= len(errors)
    updated, unchanged = _merge_existing(coll, existing, now) if existing else (0, 0)
    return {"inserted": inserted, "updated": updated, "unchanged": unchanged}


def write_partition(
    mongo_url: str,
    db_name: str,
    collection: str,
    items: Iterable[tuple[str, Any]],
    artist_genres: bool = False,
    fresh: bool = False,
    now: dt.datetime | None = None,
) -> Iterator[dict[str, Any]]:
    """Consume (key, doc|count) pairs: rejects ('!reason', n) are counted, docs written.

    `artist_genres`: fill a track's genres from its artists' genres already in `artists`
    (yamaerenay, whose genres live on artists.csv). Yields one stats dict.
    """
    from pymongo import MongoClient

    stats: dict[str, Any] = {"inserted": 0, "updated": 0, "unchanged": 0, "rejects": {}}
    now = now or dt.datetime.now(dt.UTC).replace(microsecond=0)
    with (
        MongoClient(mongo_url, tz_aware=True, appname="earshot-kaggle") as mongo,
        ThreadPoolExecutor(1) as pool,
    ):
        db = mongo[db_name]
        pending: Future[dict[str, int]] | None = None

        def flush(batch: list[dict[str, Any]]) -> None:
            nonlocal pending
            if artist_genres:
                _add_artist_genres(db, batch)
            if pending is not None:
                for k, v in pending.result().items():
                    stats[k] += v
            pending = pool.submit(write_batch, db[collection], batch, now, fresh)

        batch: list[dict[str, Any]] = []
        for key, value in items:
            if key.startswith("!"):
                stats["rejects"][key[1:]] = stats["rejects"].get(key[1:], 0) + value
                continue
            batch.append(value)
            if len(batch) >= BATCH:
                flush(batch)
                batch = []
        flush(batch)
        for k, v in pending.result().items():  # type: ignore[union-attr]
            stats[k] += v
    yield stats


def _add_artist_genres(db: Any, docs: list[dict[str, Any]]) -> None:
    ids = sorted({a for d in docs for a in d.get("artist_ids", [])})
    genres = {a["_id"]: a.get("genres", []) for a in db.artists.find({"_id": {"$in": ids}}, {"genres": 1})}
    for doc in docs:
        found = sorted({g for a in doc.get("artist_ids", []) for g in genres.get(a, [])})
        if found:
            doc["genres"] = found  # sourced like the rest of the row: kaggle:yamaerenay
