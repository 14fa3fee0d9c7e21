"""Benchmark: publish → rollup visible latency of the plays job (p50, p95).

    .venv/bin/python -m bench.latency [--samples 40]

Runs the real plays query (trigger `EARSHOT_SPARK_TRIGGER_SECONDS`, default 0.25 s) in this
process on an isolated topic prefix and database, publishes one play at a time and polls the
user's all-time `rollup_totals` document until it counts the play. Also records where a
micro-batch's time goes: the median of Spark's own phase timings (`StreamingQuery.lastProgress`
durationMs: addBatch is the foreachBatch function, walCommit/commitOffsets the checkpoint).
Writes bench/results/latency.json. Needs `earshot stack up`.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from typing import Any

from bench.throughput import bench_settings, plays_job, save


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--samples", type=int, default=40)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument(
        "--trigger-gap", type=float, default=0.3, help="seconds between a play's visibility and the next"
    )
    args = parser.parse_args()

    from core import kafka
    from core.events import PlayEvent, utc_now
    from core.topics import Topic

    settings = bench_settings("lat")
    latencies: list[float] = []
    phases: dict[str, list[int]] = {}
    with plays_job(settings) as db:
        from pyspark.sql import SparkSession

        spark = SparkSession.getActiveSession()
        query = spark.streams.active[0] if spark else None
        prod = kafka.producer(settings, linger_ms=0)
        for i in range(args.warmup + args.samples):
            now = utc_now()
            play = PlayEvent(
                event_id=f"lat-{i}",
                user_id="lat-user",
                source="demo",
                ended_at=now,
                ms_played=180_000,
                track_id=f"t{i % 7}",
                track_name=f"Song {i % 7}",
                artist_names=["Bench"],
                emitted_at=now,
            )
            started = time.perf_counter()
            kafka.send(prod, settings, Topic.PLAYS, play).get(timeout=10)
            while True:
                doc = db.rollup_totals.find_one({"_id": "lat-user|all|all"}, {"plays": 1})
                if doc and doc["plays"] >= i + 1:
                    break
                if time.perf_counter() - started > 60:
                    raise TimeoutError("play not visible in rollups after 60 s")
                time.sleep(0.01)
            if i >= args.warmup:
                latencies.append(time.perf_counter() - started)
                time.sleep(args.trigger_gap)  # the batch's progress is reported after its commit
                progress: dict[str, Any] = (query.lastProgress if query else None) or {}
                for phase, ms in progress.get("durationMs", {}).items():
                    phases.setdefault(phase, []).append(ms)
        prod.close()
    cuts = statistics.quantiles(latencies, n=20)
    result = {
        "samples": len(latencies),
        "p50_s": round(statistics.median(latencies), 3),
        "p95_s": round(cuts[18], 3),
        "max_s": round(max(latencies), 3),
        "trigger_seconds": settings.spark_trigger_seconds,
        "target_p50_s": 0.7,
        "target_p95_s": 1.5,
        "batch_phases_median_ms": {k: statistics.median(v) for k, v in sorted(phases.items())},
    }
    path = save("latency", result)
    print(json.dumps(result, indent=2))
    print(f"saved {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
