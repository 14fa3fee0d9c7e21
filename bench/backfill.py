"""Benchmark: Kaggle backfill of a 1.2M-row `tracks_features.csv` (rodolfofigueroa schema).

    .venv/bin/python -m bench.backfill [--rows 1200000]   # → bench/results/backfill.json

Generates the file once into ~/.cache/earshot/bench (reused), loads it into a fresh database on
the running local FerretDB with Spark, and also measures FerretDB's raw bulk-insert rate for the
same documents, to tell whether the database's write rate is the limit. Target: ≤ 90 s.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

from bench import save
from core import mongo
from core.settings import get_settings, load_settings
from tests.synthetic.kaggle import write_tracks_features

RESULTS = Path(__file__).parent / "results" / "backfill.json"


def raw_insert_rate(settings, docs: int = 50_000, writers: int = 2) -> float:  # type: ignore[no-untyped-def]
    """FerretDB's bulk-insert rate for these documents (unordered batches of 2000, 2 writers)."""
    import csv
    from concurrent.futures import ThreadPoolExecutor

    from kaggle_seed.formats import normalise_track

    path = settings.cache_dir / "bench" / "tracks_features.csv"
    with path.open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        batch = [normalise_track("rodolfofigueroa", next(reader)) for _ in range(docs)]
    with mongo.client(settings) as client:
        coll = client[settings.mongo_db]["raw_insert_probe"]
        chunks = [batch[i : i + 2000] for i in range(0, len(batch), 2000)]
        started = time.monotonic()
        with ThreadPoolExecutor(writers) as pool:
            list(pool.map(lambda chunk: coll.insert_many(chunk, ordered=False), chunks))
        seconds = time.monotonic() - started
        coll.drop()
    return docs / seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_200_000)
    args = parser.parse_args(argv)
    base = get_settings()
    db_name = f"earshot_bench_backfill_{os.getpid()}"
    settings = load_settings(mongo_db=db_name)
    path = base.cache_dir / "bench" / "tracks_features.csv"
    started = time.monotonic()
    if not path.exists() or sum(1 for _ in path.open()) - 1 != args.rows:
        write_tracks_features(path, args.rows, seed=1)
    generate_s = time.monotonic() - started
    from kaggle_seed.load import backfill

    started = time.monotonic()
    report = backfill(settings, path.parent, dataset="rodolfofigueroa")
    total_s = time.monotonic() - started
    rate = raw_insert_rate(settings)
    with mongo.client(settings) as client:
        counted = time.monotonic()
        tracks = client[db_name].command("collStats", "tracks")["count"]
        print(f"counted the stored tracks in {time.monotonic() - counted:.1f}s")
        client.drop_database(db_name)
    file_report = report["files"][0]
    result = {
        "rows": args.rows,
        "file_mb": round(path.stat().st_size / 1e6, 1),
        "generate_seconds": round(generate_s, 1),
        "backfill_seconds": round(total_s, 1),
        "load_seconds": file_report["seconds"],
        "tracks": tracks,
        "artists": file_report["artists"],
        "rejected": file_report["rejected"],
        "rows_per_second": round(args.rows / total_s),
        "ferretdb_raw_insert_docs_per_second": round(rate),
        "ferretdb_floor_seconds": round(tracks / rate, 1),
        "target_seconds": 90,
    }
    save(RESULTS, result)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
