"""The plays streaming job: Kafka `plays` → parse/validate → dedupe → enrich → plays + rollups.

    python -m spark_jobs.plays            # or: earshot spark plays
    SPARK_MASTER=spark://host:7077 python -m spark_jobs.plays

Each micro-batch (foreachBatch): invalid messages become dead letters (the dead-letter topic and
the `dead_letters` collection, with the reason); valid events are partitioned by user and each
executor folds its users' events into `plays` and recomputes the touched rollups (spark_jobs.store).
The checkpoint lives in `<checkpoint_dir>/plays-v1`; a heartbeat goes to pipeline_health.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from pyspark.sql import DataFrame, Row, SparkSession
from pyspark.sql.streaming import StreamingQuery

from core.events import PlayEvent
from core.settings import Settings
from core.topics import Topic, topic_name
from spark_jobs.sinks import upsert
from spark_jobs.sources import parse, read_topic
from spark_jobs.store import JobConfig
from spark_jobs.transforms import TIME_FIELDS, dead_letter_messages, dead_letter_rows, play_records

log = logging.getLogger("earshot.spark.plays")
STAGE = "spark.plays"
QUERY = "plays-v1"
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def event_from_row(row: Row) -> dict[str, Any]:
    event = row.asDict(recursive=True)
    for name in TIME_FIELDS:
        micros = event.pop(f"{name}_us")
        event[name] = None if micros is None else EPOCH + timedelta(microseconds=micros)
    return event


def process_partition(cfg: JobConfig) -> Callable[[Iterator[Row]], Iterator[tuple[str, int, int]]]:
    """Executor side: group the partition's events by user and run store.process_user."""

    def run(rows: Iterator[Row]) -> Iterator[tuple[str, int, int]]:
        by_user: dict[str, list[dict[str, Any]]] = {}
        for row in rows:
            event = event_from_row(row)
            by_user.setdefault(event["user_id"], []).append(event)
        if not by_user:
            return
        from pymongo import MongoClient

        from spark_jobs.store import process_user

        with MongoClient(cfg.mongo_url, tz_aware=True, appname="earshot-spark") as mongo:
            db = mongo[cfg.mongo_db]
            for user_id, events in by_user.items():
                stats = process_user(db, cfg, user_id, events)
                yield user_id, stats["events"], stats["changed"]

    return run


def write_dead_letters(invalid: DataFrame, settings: Settings, stage: str = STAGE) -> int:
    letters = dead_letter_rows(invalid, stage).persist()
    try:
        count = letters.count()
        if count:
            (
                dead_letter_messages(letters)
                .write.format("kafka")
                .option("kafka.bootstrap.servers", settings.kafka_servers)
                .option("topic", topic_name(Topic.DEADLETTER, settings.topic_prefix))
                .save()
            )
            upsert(letters, settings.mongo_url, settings.mongo_db, "dead_letters")
            log.warning("%d invalid message(s) sent to dead letters", count)
        return count
    finally:
        letters.unpersist()


class PlaysBatch:
    """The foreachBatch function (a class so the driver keeps counters for the heartbeat)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.cfg = JobConfig.from_settings(settings)

    def __call__(self, batch: DataFrame, batch_id: int) -> None:
        started = time.perf_counter()
        batch = batch.persist()
        try:
            valid, invalid = parse(batch, PlayEvent)
            dead = write_dead_letters(invalid, self.settings)
            events = play_records(valid).repartition(self.settings.spark_shuffle_partitions, "user_id")
            results = events.rdd.mapPartitions(process_partition(self.cfg)).collect()
        finally:
            batch.unpersist()
        seconds = time.perf_counter() - started
        rows = sum(r[1] for r in results)
        self._beat(batch_id, rows, dead, sum(r[2] for r in results), len(results), seconds)

    def _beat(self, batch_id: int, rows: int, dead: int, changed: int, users: int, seconds: float) -> None:
        from core import mongo
        from core.health import beat

        details = {
            "last_batch": batch_id,
            "rows": rows,
            "dead_letters": dead,
            "plays_changed": changed,
            "users": users,
            "batch_seconds": round(seconds, 3),
            "input_rows_per_second": round(rows / seconds, 1) if seconds else 0.0,
        }
        with mongo.client(self.settings) as client:
            beat(client[self.settings.mongo_db], STAGE, "spark", details=details)
        if rows or dead:
            log.info(
                "batch %d: %d events, %d plays changed, %d dead letters in %.2fs",
                batch_id,
                rows,
                changed,
                dead,
                seconds,
            )


def build_stream(
    spark: SparkSession,
    settings: Settings,
    checkpoint: Path | None = None,
    max_per_trigger: int | None = None,
) -> StreamingQuery:
    """Start the plays query (checkpoint default: `<checkpoint_dir>/plays-v1`)."""
    location = checkpoint or settings.checkpoint_dir / QUERY
    return (
        read_topic(spark, settings, Topic.PLAYS, max_per_trigger)
        .writeStream.queryName(QUERY)
        .foreachBatch(PlaysBatch(settings))
        .option("checkpointLocation", str(location))
        .trigger(processingTime=f"{settings.spark_trigger_seconds} seconds")
        .start()
    )


def main() -> int:
    from spark_jobs.session import run_stream

    return run_stream("earshot-plays", build_stream)


if __name__ == "__main__":
    raise SystemExit(main())
