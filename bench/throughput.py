"""Benchmark: a large import through Kafka → Spark → FerretDB, end to end (plays/s over it).

    .venv/bin/python -m bench.throughput [--plays 500000] [--users 1] [--max-per-trigger 100000]

Generates PlayEvents directly (an extended-history import), publishes them to an isolated topic
prefix, runs the real plays query in this process and times until every play is in `plays` and
the all-time rollups add up. Also measures FerretDB's raw insert, read and upsert rates, which
bound what the job can write. Writes bench/results/throughput.json. Needs `earshot stack up`.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from core.settings import Settings, get_settings

RESULTS = Path(__file__).resolve().parent / "results"


def bench_settings(name: str) -> Settings:
    run = f"b{name[:6]}{uuid.uuid4().hex[:6]}"
    os.environ.update({"EARSHOT_TOPIC_PREFIX": run, "EARSHOT_MONGO_DB": f"earshot_{run}"})
    get_settings.cache_clear()
    return get_settings()


@contextmanager
def plays_job(settings: Settings, max_per_trigger: int | None = None) -> Iterator[Any]:
    """The real plays query on fresh topics/db; everything is removed afterwards."""
    from core import kafka, mongo
    from core.topics import all_topic_names
    from spark_jobs.plays import build_stream
    from spark_jobs.session import connector_jars, spark_session

    kafka.ensure_topics(settings)
    client = mongo.client(settings)
    db = client[settings.mongo_db]
    mongo.ensure_indexes(db)
    spark = spark_session(settings, "earshot-bench", connector_jars(settings))
    with tempfile.TemporaryDirectory() as tmp:
        query = build_stream(
            spark, settings, checkpoint=Path(tmp) / "plays-v1", max_per_trigger=max_per_trigger
        )
        try:
            yield db
        finally:
            query.stop()
            spark.stop()
            client.drop_database(settings.mongo_db)
            admin = kafka.admin(settings)
            admin.delete_topics(all_topic_names(settings.topic_prefix))
            admin.close()
            client.close()


def publish_bulk(settings: Settings, payloads: list[tuple[bytes, bytes]]) -> float:
    """Publish (key, value) pairs with a throughput-oriented producer; returns seconds."""
    from core import kafka
    from core.topics import Topic, topic_name

    prod = kafka.producer(
        settings,
        linger_ms=20,
        batch_size=512 * 1024,
        max_in_flight_requests_per_connection=5,
        acks=1,
        retries=5,
    )
    name = topic_name(Topic.PLAYS, settings.topic_prefix)
    started = time.perf_counter()
    for key, value in payloads:
        prod.send(name, key=key, value=value)
    prod.flush()
    prod.close()
    return time.perf_counter() - started


def wait_all_time(db: Any, users: list[str], target: int, timeout_s: float) -> float:
    """Seconds until the users' all-time totals (read by `_id`) count `target` plays."""
    from core import gold

    ids = [gold.period_id(u, "all", "all") for u in users]
    started = time.perf_counter()
    while time.perf_counter() - started < timeout_s:
        if sum(d["plays"] for d in db.rollup_totals.find({"_id": {"$in": ids}}, {"plays": 1})) >= target:
            return time.perf_counter() - started
        time.sleep(0.1)
    raise TimeoutError(f"all-time rollups did not reach {target} plays in {timeout_s:.0f}s")


def save(name: str, result: dict[str, Any]) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(result, indent=2, default=str))
    return path


def export_plays(n: int, users: int, start: datetime, spacing_s: float, source: str = "export_extended"):
    from core.events import PlayEvent, encode, key_for

    out = []
    for i in range(n):
        event = PlayEvent(
            event_id=f"{source}-{i}",
            user_id=f"user{i % users}",
            source=source,  # type: ignore[arg-type]
            ended_at=start + timedelta(seconds=spacing_s * (i // users)),
            ms_played=20_000 + (i * 7919) % 240_000,
            track_id=f"t{i % 3000}",
            track_name=f"Song {i % 3000}",
            artist_names=[f"Artist {i % 400}"],
            album_name=f"Album {i % 900}",
            platform="web",
        )
        out.append((key_for(event), encode(event)))
    return out


def ferretdb_raw_rates(settings: Settings, n: int = 2000) -> dict[str, float]:
    """Documents/s of FerretDB for insert_many, bulk ReplaceOne upserts and reads."""
    from pymongo import ReplaceOne

    from core import mongo

    with mongo.client(settings) as client:
        coll = client[settings.mongo_db]["bench_raw"]
        docs = [
            {
                "_id": f"d{i}",
                "user_id": "u",
                "grain": "day",
                "period": "2024-01-01",
                "streams": i,
                "name": "x" * 30,
            }
            for i in range(n)
        ]
        t0 = time.perf_counter()
        coll.insert_many(docs, ordered=False)
        insert = n / (time.perf_counter() - t0)
        t0 = time.perf_counter()
        list(coll.find({"user_id": "u"}))
        read = n / (time.perf_counter() - t0)
        few = docs[:200]
        t0 = time.perf_counter()
        coll.bulk_write([ReplaceOne({"_id": d["_id"]}, d, upsert=True) for d in few], ordered=False)
        upsert = len(few) / (time.perf_counter() - t0)
        coll.drop()
    return {
        "insert_many_docs_per_s": round(insert),
        "find_docs_per_s": round(read),
        "replace_upsert_docs_per_s": round(upsert, 1),
    }


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--plays", type=int, default=500_000, help="plays in the import (default 500000)")
    parser.add_argument("--users", type=int, default=1, help="users the plays are spread over")
    parser.add_argument("--max-per-trigger", type=int, default=100_000)
    parser.add_argument("--timeout", type=float, default=1800)
    args = parser.parse_args()
    settings = bench_settings("tput")
    payloads = export_plays(args.plays, args.users, datetime(2015, 1, 1, tzinfo=UTC), 200.0)
    with plays_job(settings, max_per_trigger=args.max_per_trigger) as db:
        started = time.perf_counter()
        publish_s = publish_bulk(settings, payloads)
        # rollups are written after the plays of a batch: done when the all-time totals add up
        wait_all_time(db, [f"user{u}" for u in range(args.users)], args.plays, args.timeout)
        total_s = time.perf_counter() - started
        stored = db.plays.estimated_document_count()  # count_documents scans on FerretDB
        if stored != args.plays:
            raise SystemExit(f"{stored} plays stored, expected {args.plays}")
        raw = ferretdb_raw_rates(settings)
        rollup_docs = {
            c: db[c].estimated_document_count()
            for c in ("rollup_totals", "rollup_entities", "rollup_heatmap", "taste_profiles", "user_stats")
        }
        health = db.pipeline_health.find_one({"_id": "spark.plays"}) or {}
    result = {
        "plays": args.plays,
        "users": args.users,
        "max_per_trigger": args.max_per_trigger,
        "publish_seconds": round(publish_s, 2),
        "end_to_end_seconds": round(total_s, 2),
        "plays_per_second": round(args.plays / total_s, 1),
        "target_seconds_for_500k": 60,
        "target_plays_per_second": 10_000,
        "rollup_documents": rollup_docs,
        "ferretdb": raw,
        "last_batch": health.get("details"),
        "cpu_count": os.cpu_count(),
    }
    path = save("throughput", result)
    print(json.dumps(result, indent=2))
    print(f"saved {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
