"""The catalog's name index (`catalog_names`): a track per normalised primary artist + track name.

    from kaggle_seed.names import name_parts, merge_names, rebuild_names
    parts = name_parts(tracks)        # {bucket: packed entries}, made where the tracks are
    merge_names(db, parts.items())    # the Kaggle backfill: parts of each partition, merged
    rebuild_names(db)                 # from the whole `tracks` collection (a scan)

Plays without a track id (the account-data export has names only) are enriched through it
(pipeline.store). Matching rule and its limits: docs/spark.md, "Enrichment by name".
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from core import gold
from core.collections import Coll
from core.events import utc_now
from core.mongo import find_ids
from pipeline.dedupe import name_key

Doc = dict[str, Any]
CHUNK = 200  # buckets per read / write round trip


def name_entries(tracks: Iterable[Doc]) -> dict[int, dict[str, gold.NameEntry]]:
    """{bucket: {name key: (track id, rank)}} of tracks (the best track per key)."""
    out: dict[int, dict[str, gold.NameEntry]] = {}
    for track in tracks:
        key = name_key(track.get("artist_names"), track.get("name"))
        if key.startswith("|") or key.endswith("|"):  # no artist or no title: nothing to match
            continue
        entries = out.setdefault(gold.bucket_of(key, gold.NAME_BUCKETS), {})
        entries[key] = gold.better_name(entries.get(key), (track["_id"], gold.name_rank(track)))
    return out


def name_parts(tracks: Iterable[Doc]) -> dict[int, bytes]:
    return {b: gold.pack_names(e) for b, e in name_entries(tracks).items()}


def merge_names(db: Any, parts: Iterable[tuple[int, list[bytes]]]) -> int:
    """Write buckets from their packed parts merged onto what is stored; returns the keys held
    by the buckets written."""
    coll = db[Coll.CATALOG_NAMES.value]
    now = utc_now()
    chunk: list[tuple[int, list[bytes]]] = []
    keys = 0

    def flush() -> int:
        stored = {d["_id"]: d for d in find_ids(db, Coll.CATALOG_NAMES, [gold.names_id(b) for b, _ in chunk])}
        docs = []
        for bucket, blobs in chunk:
            old = stored.get(gold.names_id(bucket))
            entries = gold.unpack_names(old["entries"]) if old else {}
            for blob in blobs:
                for key, entry in gold.unpack_names(blob).items():
                    entries[key] = gold.better_name(entries.get(key), entry)
            docs.append(
                {
                    "_id": gold.names_id(bucket),
                    "bucket": bucket,
                    "count": len(entries),
                    "entries": gold.pack_names(entries),
                    "updated_at": now,
                }
            )
        coll.delete_many({"_id": {"$in": [d["_id"] for d in docs]}})
        coll.insert_many(docs, ordered=False)
        chunk.clear()
        return sum(d["count"] for d in docs)

    for item in parts:
        chunk.append(item)
        if len(chunk) >= CHUNK:
            keys += flush()
    if chunk:
        keys += flush()
    return keys


def rebuild_names(db: Any) -> int:
    """The whole index anew from the `tracks` collection (a scan: small catalogs, tests, repair)."""
    projection = {"name": 1, "artist_names": 1, "features": 1, "genres": 1}
    parts = name_parts(db[Coll.TRACKS.value].find({}, projection))
    db[Coll.CATALOG_NAMES.value].delete_many({})
    return merge_names(db, ((b, [blob]) for b, blob in sorted(parts.items())))
