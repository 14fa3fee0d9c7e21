"""The plays streaming job: Kafka `plays` → parse/validate → dedupe → enrich → plays + rollups.

    python -m spark_jobs.plays            # or: earshot spark plays
    SPARK_MASTER=spark://host:7077 python -m spark_jobs.plays

Each micro-batch (foreachBatch) is one pass over the messages on the executors: invalid messages
become dead letters (the `dead_letters` collection and, from the driver, the dead-letter topic,
with the reason); valid events are grouped by user and folded into `plays`, and the touched
rollups are recomputed (pipeline.store).
The checkpoint lives in `<checkpoint_dir>/plays-v1`; heartbeats go to pipeline_health on a timer
(spark_jobs.pulse), with the last batch's numbers.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql.streaming import StreamingQuery

from core.events import PlayEvent
from core.settings import Settings
from core.topics import Topic
from pipeline.job import JobConfig
from spark_jobs.pulse import QueryPulse
from spark_jobs.sinks import DeadLetters
from spark_jobs.sources import check, check_columns, read_topic
from spark_jobs.transforms import (
    TIME_FIELDS,
    batch_columns,
    batch_rows,
)

log = logging.getLogger("earshot.spark.plays")
STAGE = "spark.plays"
QUERY = "plays-v1"
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def event_from_fields(fields: dict[str, Any]) -> dict[str, Any]:
    """A play event from its batch columns (times arrive as epoch microseconds)."""
    event = dict(fields)
    for name in TIME_FIELDS:
        micros = event.pop(f"{name}_us")
        event[name] = None if micros is None else EPOCH + timedelta(microseconds=micros)
    return event


RESULT_COLUMNS = ("kind", "key", "value")  # strings: what each partition returns
RESULT_SCHEMA = ", ".join(f"{name} string" for name in RESULT_COLUMNS)


def process_partition(cfg: JobConfig) -> Callable[[Iterator[Any]], Iterator[Any]]:
    """Executor side of a batch (`mapInArrow`: Arrow record batches in, one out): dead letters
    into `dead_letters` (returned for the topic), events grouped by user through
    store.UserBatch (returned as counts); while MongoDB is unreachable each is retried
    (core.outage, for up to `mongo_outage_seconds`), so an outage pauses the stream instead
    of failing the query. A user's events share one Kafka partition (messages
    are keyed by user_id), hence one Spark partition: no shuffle. Arrow moves the rows to Python
    several times faster than the RDD path's pickled Row objects."""

    def run(batches: Iterator[Any]) -> Iterator[Any]:
        import pyarrow as pa

        by_user: dict[str, list[dict[str, Any]]] = {}
        letters: list[dict[str, Any]] = []
        for batch in batches:
            for row in batch.to_pylist():
                if row["event"] is not None:
                    event = event_from_fields(row["event"])
                    by_user.setdefault(event["user_id"], []).append(event)
                elif row["letter"] is not None:
                    letters.append(row["letter"])
        if not by_user and not letters:
            return
        # imported here, not captured: this function is pickled to the workers, and names from
        # `python -m spark_jobs.plays` (module __main__) would not resolve there
        from core.logs import setup_worker
        from core.outage import retry_while_unreachable
        from pipeline.job import executor_client
        from pipeline.store import UserBatch
        from spark_jobs.sinks import store_letter

        setup_worker("WARNING")  # outage warnings (core.outage) in the job's log format
        db = executor_client(cfg.mongo_url)[cfg.mongo_db]
        out = []
        for letter in letters:
            doc = letter["doc"]
            retry_while_unreachable(partial(store_letter, db, doc), cfg.outage_s, "a dead letter")
            out.append({"kind": "letter", "key": doc["user_id"], "value": letter["value"]})
        for user_id, events in by_user.items():
            run = partial(UserBatch(cfg, user_id, events).run, db)
            stats = retry_while_unreachable(run, cfg.outage_s, f"the batch of user {user_id}")
            counts = json.dumps([stats["events"], stats["changed"]])
            out.append({"kind": "user", "key": user_id, "value": counts})
        yield pa.RecordBatch.from_pylist(out, schema=pa.schema([(k, pa.string()) for k in RESULT_COLUMNS]))

    return run


class PlaysBatch:
    """The foreachBatch function (a class so the driver keeps counters for the heartbeat)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.cfg = JobConfig.from_settings(settings)
        self.pulse = QueryPulse(settings, STAGE)
        self._letters = DeadLetters(settings, STAGE)
        self._columns: Any = None

    def __call__(self, batch: DataFrame, batch_id: int) -> None:
        started = time.perf_counter()
        if self._columns is None:  # built once: each expression is a py4j round trip
            self._columns = (check_columns(PlayEvent), batch_columns(STAGE))
        rows = batch_rows(check(batch, PlayEvent, self._columns[0]), STAGE, self._columns[1])
        results = rows.mapInArrow(process_partition(self.cfg), RESULT_SCHEMA).collect()
        letters = [(r.key, r.value) for r in results if r.kind == "letter"]
        self._letters.publish(letters)
        users = [json.loads(r.value) for r in results if r.kind == "user"]
        seconds = time.perf_counter() - started
        changed = sum(c for _, c in users)
        self._beat(batch_id, sum(n for n, _ in users), len(letters), changed, len(users), seconds)

    def _beat(self, batch_id: int, rows: int, dead: int, changed: int, users: int, seconds: float) -> None:
        details = {
            "last_batch": batch_id,
            "rows": rows,
            "dead_letters": dead,
            "plays_changed": changed,
            "users": users,
            "batch_seconds": round(seconds, 3),
            "input_rows_per_second": round(rows / seconds, 1) if seconds else 0.0,
        }
        self.pulse.batch(details)
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
    """Start the plays query (checkpoint default: `<checkpoint_dir>/plays-v1`), after rebuilding
    any user's gold documents still in the old packed format (`pipeline.reprocess.migrate_packed`)."""
    from pipeline.reprocess import migrate_packed

    migrate_packed(settings)
    location = checkpoint or settings.checkpoint_dir / QUERY
    handler = PlaysBatch(settings)
    query = (
        read_topic(spark, settings, Topic.PLAYS, max_per_trigger)
        .writeStream.queryName(QUERY)
        .foreachBatch(handler)
        .option("checkpointLocation", str(location))
        .trigger(processingTime=f"{settings.spark_trigger_seconds} seconds")
        .start()
    )
    handler.pulse.watch(query)
    return query


def main() -> int:
    from spark_jobs.session import run_stream

    return run_stream("earshot-plays", build_stream)


if __name__ == "__main__":
    raise SystemExit(main())
