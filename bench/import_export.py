"""Benchmark: import a 500,000-record extended streaming history into the real broker.

    .venv/bin/python -m bench.import_export [--records 500000] [--per-file 16000]

Generates the files first (not timed: Spotify's layout, ~16k records per file, current
generation), then times `producer.importer.import_path` end to end — read, detect, parse,
validate, deduplicate, publish and flush to Kafka (acks=all) — on an isolated topic prefix and
database that are removed afterwards. Needs the local stack (`earshot stack up`).
Writes bench/results/import_export.json.
"""

from __future__ import annotations

import argparse
import json
import platform
import tempfile
import time
import uuid
from pathlib import Path

from core import kafka, mongo
from core.settings import load_settings
from core.topics import all_topic_names
from producer.importer import import_path
from tests.synthetic.exports import write_extended

RESULTS = Path(__file__).parent / "results" / "import_export.json"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--records", type=int, default=500_000)
    parser.add_argument("--per-file", type=int, default=16_000)
    args = parser.parse_args()

    run = f"bench{uuid.uuid4().hex[:6]}"
    settings = load_settings(topic_prefix=run, mongo_db=f"earshot_{run}")
    kafka.ensure_topics(settings)
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        files = write_extended(Path(tmp), args.records, args.per_file, generation="new")
        generated = time.perf_counter() - t0
        size = sum(f.stat().st_size for f in files)
        t0 = time.perf_counter()
        report = import_path(settings, tmp, "bench-user")
        seconds = time.perf_counter() - t0
    try:
        result = {
            "benchmark": "import_export",
            "records": report.totals["records"],
            "published": report.totals["published"],
            "files": len(files),
            "bytes": size,
            "seconds": round(seconds, 2),
            "plays_per_second": round(report.totals["published"] / seconds),
            "target_seconds": 60,
            "generate_seconds": round(generated, 2),
            "machine": {"python": platform.python_version(), "cpus": __import__("os").cpu_count()},
            "measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        }
    finally:
        admin = kafka.admin(settings)
        admin.delete_topics(all_topic_names(run))
        admin.close()
        with mongo.client(settings) as client:
            client.drop_database(settings.mongo_db)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
