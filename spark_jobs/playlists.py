"""The playlist job: Kafka `playlist_tracks` → per (user, playlist, latest snapshot) audio profile.

    python -m spark_jobs.playlists        # or: earshot spark playlists

A playlist's tracks can arrive over several micro-batches, so its profile document keeps the
snapshot's items (position → track) and is recomputed from them and the current catalog on every
batch that touches it. A newer snapshot (later Kafka timestamp) replaces the older one. Invalid
messages become dead letters (stage 'spark.playlists'). Checkpoint: `<checkpoint_dir>/playlists-v1`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pyspark.sql import DataFrame, Row, SparkSession
from pyspark.sql import functions as F
from pyspark.sql.streaming import StreamingQuery

from core.collections import Coll, rollup_id
from core.events import PlaylistTrackEvent, utc_now
from core.settings import Settings
from core.topics import Topic
from spark_jobs import profiles
from spark_jobs.plays import write_dead_letters
from spark_jobs.sources import parse, read_topic
from spark_jobs.store import load_catalog

log = logging.getLogger("earshot.spark.playlists")
STAGE, QUERY = "spark.playlists", "playlists-v1"
ITEM_FIELDS = ("position", "track_id", "track_name", "artist_names", "album_name")


def merge_items(
    doc: dict[str, Any] | None, snapshot: str, seen_at: datetime, events: list[dict[str, Any]]
) -> tuple[list[dict[str, Any]], datetime] | None:
    """The snapshot's items after this batch, or None when the batch's snapshot is older."""
    if doc and doc.get("snapshot_id") != snapshot and doc["snapshot_seen_at"] > seen_at:
        return None
    same = doc is not None and doc.get("snapshot_id") == snapshot
    items = {i["position"]: i for i in (doc["items"] if same and doc else [])}
    for event in events:
        items[event["position"]] = {f: event.get(f) for f in ITEM_FIELDS}
    return sorted(items.values(), key=lambda i: i["position"]), max(
        seen_at, doc["snapshot_seen_at"]
    ) if same and doc else seen_at


def playlist_profile(
    items: list[dict[str, Any]], tracks: dict[str, dict[str, Any]], artists: dict[str, dict[str, Any]]
) -> dict[str, Any]:
    from spark_jobs.enrich import catalog_fields

    acc = profiles.new_acc()
    for item in items:
        extra = catalog_fields(tracks.get(item.get("track_id") or ""), artists)
        profiles.add(acc, extra["features"], 1.0, extra["release_year"], extra["genres"])
    return profiles.finish(acc, hist_bins=10)


def refresh_profiles(db: Any, since: datetime | None) -> int:
    """Recompute the stored playlist profiles that hold a catalog track written at or after
    `since` (after a catalog load; all of them when None); returns how many changed."""
    from spark_jobs.reprocess import changed_tracks

    coll = db[Coll.PLAYLIST_PROFILES.value]
    docs = list(coll.find({}, {"items": 1}))  # one document per connected playlist: a small scan
    ids = {i["track_id"] for d in docs for i in d.get("items") or [] if i.get("track_id")}
    changed = changed_tracks(db, ids, since)
    n = 0
    for doc in docs:
        items = doc.get("items") or []
        if not any(i.get("track_id") in changed for i in items):
            continue
        tracks, artists = load_catalog(db, {i["track_id"] for i in items if i.get("track_id")})
        coll.update_one(
            {"_id": doc["_id"]},
            {"$set": {**playlist_profile(items, tracks, artists), "updated_at": utc_now()}},
        )
        n += 1
    return n


def process_partition(mongo_url: str, db_name: str) -> Callable[[Iterator[Row]], Iterator[int]]:
    def run(rows: Iterator[Row]) -> Iterator[int]:
        groups: dict[tuple[str, str, str], list[dict[str, Any]]] = {}
        for row in rows:
            event = row.asDict(recursive=True)
            groups.setdefault((event["user_id"], event["playlist_id"], event["snapshot_id"]), []).append(
                event
            )
        if not groups:
            return
        from pymongo import MongoClient

        with MongoClient(mongo_url, tz_aware=True, appname="earshot-spark") as mongo:
            db = mongo[db_name]
            coll = db[Coll.PLAYLIST_PROFILES.value]
            for (user, playlist, snapshot), events in groups.items():
                seen_at = datetime.fromtimestamp(max(e["kafka_us"] for e in events) / 1e6, UTC)
                key = rollup_id(user, playlist)
                merged = merge_items(coll.find_one({"_id": key}), snapshot, seen_at, events)
                if merged is None:
                    continue
                items, seen = merged
                tracks, artists = load_catalog(db, {i["track_id"] for i in items if i.get("track_id")})
                last = events[-1]
                doc = {
                    "_id": key,
                    "user_id": user,
                    "playlist_id": playlist,
                    "name": last.get("playlist_name"),
                    "snapshot_id": snapshot,
                    "snapshot_seen_at": seen,
                    "tracks": last["total_tracks"],
                    "items": items,
                    **playlist_profile(items, tracks, artists),
                    "updated_at": utc_now(),
                }
                coll.replace_one({"_id": key}, doc, upsert=True)
                yield 1

    return run


def foreach_batch(settings: Settings) -> Callable[[DataFrame, int], None]:
    def run(batch: DataFrame, batch_id: int) -> None:
        batch = batch.persist()
        try:
            valid, invalid = parse(batch, PlaylistTrackEvent)
            write_dead_letters(invalid, settings, STAGE)
            events = valid.drop("added_at").withColumn("kafka_us", F.unix_micros("kafka_ts")).drop("kafka_ts")
            done = (
                events.repartition(settings.spark_shuffle_partitions, "user_id")
                .rdd.mapPartitions(process_partition(settings.mongo_url, settings.mongo_db))
                .count()
            )
        finally:
            batch.unpersist()
        if done:
            log.info("batch %d: %d playlist profile(s) updated", batch_id, done)

    return run


def build_stream(spark: SparkSession, settings: Settings, checkpoint: Path | None = None) -> StreamingQuery:
    return (
        read_topic(spark, settings, Topic.PLAYLIST_TRACKS)
        .writeStream.queryName(QUERY)
        .foreachBatch(foreach_batch(settings))
        .option("checkpointLocation", str(checkpoint or settings.checkpoint_dir / QUERY))
        .trigger(processingTime=f"{max(settings.spark_trigger_seconds, 1.0)} seconds")
        .start()
    )


def main() -> int:
    from spark_jobs.session import run_stream

    return run_stream("earshot-playlists", build_stream)


if __name__ == "__main__":
    raise SystemExit(main())
