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

from core import gold
from core.collections import Coll
from core.events import PlaylistTrackEvent, utc_now
from core.settings import Settings
from core.topics import Topic
from pipeline.catalog import load_catalog
from pipeline.playlists import merge_items, playlist_profile
from spark_jobs.pulse import QueryPulse
from spark_jobs.sinks import DeadLetters
from spark_jobs.sources import parse, read_topic

log = logging.getLogger("earshot.spark.playlists")
STAGE, QUERY = "spark.playlists", "playlists-v1"


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
                key = gold.playlist_id(user, playlist)
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


def foreach_batch(settings: Settings, pulse: QueryPulse | None = None) -> Callable[[DataFrame, int], None]:
    letters = DeadLetters(settings, STAGE)

    def run(batch: DataFrame, batch_id: int) -> None:
        batch = batch.persist()
        try:
            valid, invalid = parse(batch, PlaylistTrackEvent)
            letters.write(invalid)
            events = valid.drop("added_at").withColumn("kafka_us", F.unix_micros("kafka_ts")).drop("kafka_ts")
            done = (
                events.repartition(settings.spark_shuffle_partitions, "user_id")
                .rdd.mapPartitions(process_partition(settings.mongo_url, settings.mongo_db))
                .count()
            )
        finally:
            batch.unpersist()
        if pulse is not None:
            pulse.batch({"last_batch": batch_id, "profiles_updated": done})
        if done:
            log.info("batch %d: %d playlist profile(s) updated", batch_id, done)

    return run


def build_stream(spark: SparkSession, settings: Settings, checkpoint: Path | None = None) -> StreamingQuery:
    pulse = QueryPulse(settings, STAGE)  # heartbeats on a timer, idle or not
    query = (
        read_topic(spark, settings, Topic.PLAYLIST_TRACKS)
        .writeStream.queryName(QUERY)
        .foreachBatch(foreach_batch(settings, pulse))
        .option("checkpointLocation", str(checkpoint or settings.checkpoint_dir / QUERY))
        .trigger(processingTime=f"{max(settings.spark_trigger_seconds, 1.0)} seconds")
        .start()
    )
    pulse.watch(query)
    return query


def main() -> int:
    from spark_jobs.session import run_stream

    return run_stream("earshot-playlists", build_stream)


if __name__ == "__main__":
    raise SystemExit(main())
