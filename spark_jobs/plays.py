"""The plays streaming job: Kafka `plays` → parse/validate → dedupe → enrich → plays + rollups.

    python -m spark_jobs.plays            # or: earshot spark plays
    SPARK_MASTER=spark://host:7077 python -m spark_jobs.plays

Each micro-batch (foreachBatch) is one Spark job of two stages on the executors. The first is one
pass over the messages: invalid messages become dead letters (the `dead_letters` collection and,
from the driver, the dead-letter topic, with the reason); valid events are grouped by user,
deduplicated against the stored plays and enriched (pipeline.store; reads only), and out come
the changed plays and the facts of the touched days (pipeline.day_facts). Spark sums the facts
per (user, day, entity) in the JVM (spark_jobs.aggregates, after one shuffle by user), and the
second stage writes each user's plays while it turns the sums into day documents and recomputes
the months, years and all time above them, then writes those (pipeline.store.SumsWrite).
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
from pipeline.day_facts import FACT_COLUMNS
from pipeline.job import JobConfig
from spark_jobs.aggregates import FACTS_SCHEMA, PASSED, sum_columns, sum_facts
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


RESULT_COLUMNS = ("kind", "key", "value")  # strings: what the second stage returns
RESULT_SCHEMA = ", ".join(f"{name} string" for name in RESULT_COLUMNS)
# fact tables that only pass the first stage's results on (the group's key, or PASSED, holds them)
LETTER, STATS, PLAY = "_letter", "_stats", "_play"


def _arrow_facts() -> Any:
    import pyarrow as pa

    types = {"rank": pa.int64(), "ended_at": pa.timestamp("us", tz="UTC"), "ms": pa.int64()}
    types |= {"streams": pa.int32(), "skip": pa.int32(), PASSED: pa.binary()}
    return pa.schema([(c, types.get(c, pa.string())) for c in (*FACT_COLUMNS, PASSED)])


def store_partition(cfg: JobConfig) -> Callable[[Iterator[Any]], Iterator[Any]]:
    """First stage, on the executors (`mapInArrow`: Arrow record batches in and out): dead letters
    into `dead_letters`, then each user's events through `UserBatch.read_facts` (dedupe and
    enrich: reads only) — a user's events share one Kafka partition (messages are keyed by
    user_id), hence one Spark partition. Out come the facts of the days the changed plays touch
    (`pipeline.day_facts`) for Spark to sum, the changed plays (`_play` rows: BSON in PASSED)
    for the second stage to write, and `_letter` and `_stats` rows that carry the dead letters'
    topic messages and the users' counts through to the driver. While MongoDB is unreachable
    each step is retried (core.outage, for up to `mongo_outage_seconds`), so an outage pauses
    the stream instead of failing the query."""

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
        import bson

        from core.logs import setup_worker
        from core.outage import retry_while_unreachable
        from pipeline.job import executor_client
        from pipeline.store import UserBatch
        from spark_jobs.sinks import store_letter

        setup_worker("WARNING")  # outage warnings (core.outage) in the job's log format
        db = executor_client(cfg.mongo_url)[cfg.mongo_db]
        out: dict[str, list[Any]] = {c: [] for c in (*FACT_COLUMNS, PASSED)}

        def passed(user_id: str, table: str, value: str, doc: bytes | None = None) -> None:
            values = {"user_id": user_id, "day": "", "table": table, "key": value, PASSED: doc}
            for column in out:
                out[column].append(values.get(column))

        for letter in letters:
            doc = letter["doc"]
            retry_while_unreachable(partial(store_letter, db, doc), cfg.outage_s, "a dead letter")
            passed(doc["user_id"], LETTER, letter["value"])
        for user_id, events in by_user.items():
            run = partial(UserBatch(cfg, user_id, events).read_facts, db)
            stats, facts, plays = retry_while_unreachable(run, cfg.outage_s, f"the batch of user {user_id}")
            passed(user_id, STATS, json.dumps([stats["events"], stats["changed"]]))
            for play in plays:
                passed(user_id, PLAY, play["_id"], bson.encode(play))
            for column, values in (facts or {}).items():
                out[column].extend(values)
            out[PASSED].extend([None] * (len(out["user_id"]) - len(out[PASSED])))
        yield pa.RecordBatch.from_pydict(out, schema=_arrow_facts())

    return run


def rollup_partition(cfg: JobConfig) -> Callable[[Iterator[Any]], Iterator[Any]]:
    """Second stage, on the executors: each user's changed plays written beside the plan of
    their rollups, from the summed facts of whole users (`spark_jobs.aggregates`): day, month,
    year and all-time documents (`pipeline.store.SumsWrite`), retried while MongoDB is
    unreachable; returns the dead letters' messages and the users' counts."""

    def run(batches: Iterator[Any]) -> Iterator[Any]:
        import pyarrow as pa
        from bson.raw_bson import RawBSONDocument

        sums: dict[str, list[dict[str, Any]]] = {}
        plays: dict[str, list[Any]] = {}
        out: list[dict[str, Any]] = []
        for batch in batches:
            for row in batch.to_pylist():
                if row["table"] == PLAY:
                    plays.setdefault(row["user_id"], []).append(RawBSONDocument(row[PASSED]))
                elif row["table"] == LETTER:
                    out.append({"kind": "letter", "key": row["user_id"], "value": row["key"]})
                elif row["table"] == STATS:
                    out.append({"kind": "user", "key": row["user_id"], "value": row["key"]})
                else:
                    sums.setdefault(row["user_id"], []).append(row)
        if not out:
            return
        from core.logs import setup_worker
        from core.outage import retry_while_unreachable
        from pipeline.job import executor_client
        from pipeline.store import SumsWrite

        setup_worker("WARNING")
        db = executor_client(cfg.mongo_url)[cfg.mongo_db]
        for user_id in sums.keys() | plays.keys():
            write = partial(SumsWrite(user_id, sums.get(user_id, []), plays.get(user_id, [])).run, db)
            retry_while_unreachable(write, cfg.outage_s, f"the rollups of user {user_id}")
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
            self._columns = (check_columns(PlayEvent), batch_columns(STAGE), sum_columns())
        rows = batch_rows(check(batch, PlayEvent, self._columns[0]), STAGE, self._columns[1])
        facts = rows.mapInArrow(store_partition(self.cfg), FACTS_SCHEMA).repartition("user_id")
        results = (
            sum_facts(facts, self._columns[2]).mapInArrow(rollup_partition(self.cfg), RESULT_SCHEMA).collect()
        )
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
