"""Benchmark: a steady publish rate through Kafka → Spark → FerretDB, and whether the lag stays flat.

    .venv/bin/python -m bench.sustained [--rate 4000] [--seconds 60] [--users 3]

Publishes plays at `--rate` per second for `--seconds` to an isolated topic prefix while the real
plays query runs in this process, and every 2 s samples the lag: plays published minus plays the
all-time rollups count (read by `_id`). The rate is sustained when the lag of the last third of
the run is no larger than in the middle third (it does not grow) and drains at the end. Writes
bench/results/sustained.json. Needs `earshot stack up`.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from datetime import UTC, datetime
from typing import Any

from bench.throughput import bench_settings, export_plays, plays_job, save
from core import gold


def processed(db: Any, ids: list[str]) -> int:
    return sum(d["plays"] for d in db.rollup_totals.find({"_id": {"$in": ids}}, {"plays": 1}))


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rate", type=int, default=4000, help="plays published per second")
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--users", type=int, default=3, help="users (Kafka keys) the plays spread over")
    parser.add_argument("--drain-timeout", type=float, default=300)
    args = parser.parse_args()
    settings = bench_settings("sust")
    total = args.rate * args.seconds
    payloads = export_plays(total, args.users, datetime(2016, 1, 1, tzinfo=UTC), 60.0)
    ids = [gold.period_id(f"user{u}", "all", "all") for u in range(args.users)]
    samples: list[dict[str, float]] = []
    with plays_job(settings) as db:
        from core import kafka
        from core.topics import Topic, topic_name

        prod = kafka.producer(settings, linger_ms=20, batch_size=256 * 1024, acks=1)
        name = topic_name(Topic.PLAYS, settings.topic_prefix)
        started = time.perf_counter()
        next_sample = started + 2
        for i in range(0, total, 500):  # paced in slices of 500 messages
            wait = started + i / args.rate - time.perf_counter()
            if wait > 0:
                time.sleep(wait)
            for key, value in payloads[i : i + 500]:
                prod.send(name, key=key, value=value)
            if time.perf_counter() >= next_sample:
                done = processed(db, ids)
                t = round(time.perf_counter() - started, 1)
                samples.append({"t": t, "published": i + 500, "processed": done, "lag": i + 500 - done})
                next_sample += 2
        prod.flush()
        prod.close()
        publish_s = time.perf_counter() - started
        while processed(db, ids) < total:
            if time.perf_counter() - started > publish_s + args.drain_timeout:
                raise TimeoutError(f"the lag did not drain within {args.drain_timeout:.0f}s")
            time.sleep(0.2)
        drained_s = time.perf_counter() - started - publish_s
    third = max(1, len(samples) // 3)
    middle = statistics.mean(s["lag"] for s in samples[third : 2 * third] or samples)
    last = statistics.mean(s["lag"] for s in samples[-third:])
    result = {
        "rate": args.rate,
        "seconds": args.seconds,
        "users": args.users,
        "publish_seconds": round(publish_s, 1),
        "achieved_publish_rate": round(total / publish_s),
        "lag_middle_third_mean": round(middle),
        "lag_last_third_mean": round(last),
        "lag_max": max(s["lag"] for s in samples),
        "drained_seconds_after_publishing": round(drained_s, 1),
        "sustained": last <= middle * 1.1 + args.rate,  # not growing (one second of slack)
        "samples": samples,
    }
    path = save("sustained", result)
    print(json.dumps({k: v for k, v in result.items() if k != "samples"}, indent=2))
    print(f"saved {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
