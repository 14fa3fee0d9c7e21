"""Partition writer of the backfill: upsert catalog docs by id without clobbering other sources.

A field whose recorded source is not Kaggle (e.g. 'api', 'export') keeps its value; every Kaggle
field is set with `sources[field] = 'kaggle:<dataset>'`. New ids are inserted in bulk (FerretDB
inserts are ~100x faster than upserts), existing docs are replaced only when they change — so a
second load of the same file changes nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from typing import Any

BATCH = 2000


def merge_into(existing: dict[str, Any], doc: dict[str, Any]) -> dict[str, Any]:
    """`existing` with the Kaggle fields of `doc` applied (non-Kaggle-owned fields untouched)."""
    merged = dict(existing)
    sources = dict(existing.get("sources") or {})
    for field, value in doc.items():
        if field in {"_id", "sources"}:
            continue
        owner = sources.get(field)
        if owner is not None and not str(owner).startswith("kaggle:") and existing.get(field) is not None:
            continue
        merged[field] = value
        sources[field] = doc["sources"][field]
    merged["sources"] = sources
    return merged


def _same(a: dict[str, Any], b: dict[str, Any]) -> bool:
    strip = lambda d: {k: v for k, v in d.items() if k != "updated_at"}  # noqa: E731
    return strip(a) == strip(b)


def write_batch(coll: Any, docs: list[dict[str, Any]], now: dt.datetime) -> dict[str, int]:
    """Insert in bulk; ids that already exist (duplicate-key errors) are merged one by one.

    Looking existing ids up with `$in` first would scan the whole collection per batch on
    FerretDB v1 (no pushdown), which grows quadratically with the catalog; `_id` equality is cheap.
    """
    from pymongo import ReplaceOne
    from pymongo.errors import BulkWriteError

    existing_ids: list[str] = []
    try:
        coll.insert_many([{**doc, "updated_at": now} for doc in docs], ordered=False)
    except BulkWriteError as exc:
        errors = exc.details.get("writeErrors", [])
        if any(e.get("code") != 11000 for e in errors):
            raise
        existing_ids = [docs[e["index"]]["_id"] for e in errors]
    replaces, unchanged = [], 0
    by_id = {d["_id"]: d for d in docs}
    for doc_id in existing_ids:
        old = coll.find_one({"_id": doc_id})
        new = merge_into(old, by_id[doc_id])
        if _same(new, old):
            unchanged += 1
        else:
            replaces.append(ReplaceOne({"_id": doc_id}, {**new, "updated_at": now}))
    if replaces:
        coll.bulk_write(replaces, ordered=False)
    return {"inserted": len(docs) - len(existing_ids), "updated": len(replaces), "unchanged": unchanged}


def write_partition(
    mongo_url: str,
    db_name: str,
    collection: str,
    items: Iterable[tuple[str, Any]],
    artist_genres: bool = False,
) -> Iterator[dict[str, Any]]:
    """Consume (key, doc|count) pairs: rejects ('!reason', n) are counted, docs written.

    `artist_genres`: fill a track's genres from its artists' genres already in `artists`
    (yamaerenay, whose genres live on artists.csv). Yields one stats dict.
    """
    from pymongo import MongoClient

    stats: dict[str, Any] = {"inserted": 0, "updated": 0, "unchanged": 0, "rejects": {}}
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    with MongoClient(mongo_url, tz_aware=True, appname="earshot-kaggle") as mongo:
        db = mongo[db_name]
        batch: list[dict[str, Any]] = []

        def flush() -> None:
            if artist_genres:
                _add_artist_genres(db, batch)
            for k, v in write_batch(db[collection], batch, now).items():
                stats[k] += v
            batch.clear()

        for key, value in items:
            if key.startswith("!"):
                stats["rejects"][key[1:]] = stats["rejects"].get(key[1:], 0) + value
                continue
            batch.append(value)
            if len(batch) >= BATCH:
                flush()
        if batch:
            flush()
    yield stats


def _add_artist_genres(db: Any, docs: list[dict[str, Any]]) -> None:
    ids = sorted({a for d in docs for a in d.get("artist_ids", [])})
    genres = {a["_id"]: a.get("genres", []) for a in db.artists.find({"_id": {"$in": ids}}, {"genres": 1})}
    for doc in docs:
        found = sorted({g for a in doc.get("artist_ids", []) for g in genres.get(a, [])})
        if found:
            doc["genres"] = found
            doc["sources"] = {**doc["sources"], "genres": "kaggle:yamaerenay"}
