"""Benchmark of the consumer process: raw-landing throughput and now-playing latency.

    .venv/bin/python -m bench.consumer [--plays 20000] [--observations 50]

Starts `python -m consumer --only raw,now-playing` against the running local stack with its own
topic prefix and database, publishes plays as fast as the producer can, measures the time until
all are in `raw_events`, then sends now-playing observations one at a time and measures message
→ `now_playing` document latency. Writes bench/results/consumer.json.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--plays", type=int, default=20_000)
    parser.add_argument("--observations", type=int, default=50)
    args = parser.parse_args()
    run_id = f"bc{uuid.uuid4().hex[:6]}"
    os.environ.update(EARSHOT_TOPIC_PREFIX=run_id, EARSHOT_MONGO_DB=f"earshot_{run_id}")

    from core import kafka, mongo
    from core.events import NowPlayingEvent, PlayEvent, utc_now
    from core.settings import get_settings
    from core.topics import Topic, all_topic_names

    settings = get_settings()
    kafka.ensure_topics(settings)
    client = mongo.client(settings, timeout_ms=30_000)
    db = client[settings.mongo_db]
    proc = subprocess.Popen(
        [sys.executable, "-m", "consumer", "--only", "raw,now-playing"],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            doc = db.pipeline_health.find_one({"_id": "consumer.now_playing"})
            raw = db.pipeline_health.find_one({"_id": "consumer.raw"})
            if (
                doc
                and raw
                and doc["details"].get("assigned_partitions")
                and raw["details"].get("assigned_partitions")
            ):
                break
            time.sleep(0.2)
        prod = kafka.producer(settings, linger_ms=20)
        base = datetime(2024, 1, 1, tzinfo=UTC)
        start = time.monotonic()
        for i in range(args.plays):
            kafka.send(
                prod,
                settings,
                Topic.PLAYS,
                PlayEvent(
                    event_id=f"b{i}",
                    user_id=f"user{i % 5}",
                    source="demo",
                    ms_played=120_000,
                    ended_at=base + timedelta(minutes=i),
                    track_name=f"Song {i % 500}",
                ),
            )
        prod.flush()
        published = time.monotonic() - start
        while db.raw_events.estimated_document_count() < args.plays:
            time.sleep(0.05)
        landed = time.monotonic() - start

        latencies = []
        for i in range(args.observations):
            user = f"np{i}"
            sent = time.monotonic()
            kafka.send(
                prod,
                settings,
                Topic.NOW_PLAYING,
                NowPlayingEvent(
                    event_id=f"n{i}",
                    user_id=user,
                    source="demo",
                    observed_at=utc_now(),
                    is_playing=True,
                    track_name="Song",
                ),
            ).get(timeout=10)
            while db.now_playing.find_one({"_id": user}, {"_id": 1}) is None:
                time.sleep(0.002)
            latencies.append((time.monotonic() - sent) * 1000)
        prod.close()
    finally:
        proc.terminate()
        proc.wait(30)
        client.drop_database(settings.mongo_db)
        admin = kafka.admin(settings)
        admin.delete_topics(all_topic_names(run_id))
        admin.close()

    latencies.sort()
    result = {
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "plays": args.plays,
        "publish_seconds": round(published, 2),
        "raw_landing_seconds": round(landed, 2),
        "raw_landing_msgs_per_s": round(args.plays / landed),
        "now_playing_latency_ms": {
            "p50": round(statistics.median(latencies), 1),
            "p95": round(latencies[int(0.95 * (len(latencies) - 1))], 1),
            "max": round(latencies[-1], 1),
            "n": len(latencies),
        },
    }
    out = ROOT / "bench" / "results" / "consumer.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
