"""Benchmark: re-enrichment after a catalog load (incremental) against a full reprocess.

    .venv/bin/python -m bench.reenrich [--plays 60000]   # → bench/results/reenrich.json

One user's history (half of the plays with track ids, as the extended export has them, half
names only, as the account-data export) is stored through the real writer into a fresh database
on the running local FerretDB with an empty catalog. Then, timed:
1. a first catalog load: half the library's tracks get features and genres →
   `pipeline.reprocess.reenrich(since=load start)`;
2. the catalog grows by 1 % of the tracks → `reenrich` again;
3. nothing changed → `reenrich` (the cost of finding that out);
4. `pipeline.reprocess.reprocess` of the user (every play re-enriched, every rollup rebuilt).
"""

from __future__ import annotations

import argparse
import os
import random
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench import save
from core import gold, mongo
from core.collections import Coll
from core.events import PlayEvent, utc_now
from core.settings import load_settings

RESULTS = Path(__file__).parent / "results" / "reenrich.json"
USER = "bench-reenrich"
TRACKS = 5_000


def _library() -> list[dict[str, Any]]:
    return [
        {"_id": f"rt{i:05d}", "name": f"Track {i}", "artist_names": [f"Artist {i % 500}"]}
        for i in range(TRACKS)
    ]


def _events(rng: random.Random, library: list[dict[str, Any]], n: int) -> list[dict[str, Any]]:
    moment = datetime(2021, 1, 1, tzinfo=UTC)
    step = timedelta(days=3 * 365) / n
    out = []
    for i in range(n):
        moment += step
        t = library[min(int(rng.paretovariate(1.1) * 10), TRACKS - 1)]
        with_id = i % 2 == 0
        out.append(
            PlayEvent(
                event_id=f"re-{i}",
                user_id=USER,
                source="export_extended" if with_id else "export_account",
                ended_at=moment,
                ms_played=rng.randint(10_000, 300_000),
                track_id=t["_id"] if with_id else None,
                track_name=t["name"],
                artist_names=t["artist_names"],
            ).model_dump()
        )
    return out


def _store(db: Any, settings: Any, events: list[dict[str, Any]]) -> None:
    from pipeline.job import JobConfig
    from pipeline.store import build_plays, store_plays

    cfg = JobConfig.from_settings(settings)
    for year in sorted({e["ended_at"].year for e in events}):
        chunk = [
            {"_id": gold.play_id(USER, e["event_id"]), "records": [e]}
            for e in events
            if e["ended_at"].year == year
        ]
        docs = build_plays(db, USER, chunk, "UTC", cfg.threshold_ms)
        store_plays(db, cfg, USER, "UTC", docs, {d["local_day"] for d in docs}, {d["_id"]: d for d in docs})


def _load(db: Any, rng: random.Random, tracks: list[dict[str, Any]]) -> datetime:
    """Catalog tracks with features and genres written now, and the name index; returns `since`."""
    from kaggle_seed.names import merge_names, name_parts

    since = utc_now().replace(microsecond=0)
    now = since + timedelta(seconds=1)
    docs = [
        t
        | {
            "features": {f: round(rng.random(), 3) for f in gold.RADAR_FEATURES},
            "genres": [f"genre{rng.randrange(40)}"],
            "updated_at": now,
        }
        for t in tracks
    ]
    coll = db[Coll.TRACKS.value]
    coll.delete_many({"_id": {"$in": [d["_id"] for d in docs]}})
    coll.insert_many(docs)
    merge_names(db, ((b, [blob]) for b, blob in sorted(name_parts(docs).items())))
    return since


def _timed(fn: Any) -> tuple[dict[str, Any], float]:
    started = time.monotonic()
    out = fn()
    return out, round(time.monotonic() - started, 2)


def main(argv: list[str] | None = None) -> int:
    from pipeline.reprocess import reenrich, reprocess

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--plays", type=int, default=60_000)
    args = parser.parse_args(argv)
    settings = load_settings(mongo_db=f"earshot_bench_reenrich_{os.getpid()}")
    rng = random.Random(5)
    library = _library()
    result: dict[str, Any] = {"plays": args.plays, "tracks": TRACKS}
    with mongo.client(settings) as client:
        db = client[settings.mongo_db]
        try:
            mongo.ensure_indexes(db)
            _, result["seed_seconds"] = _timed(
                lambda: _store(db, settings, _events(rng, library, args.plays))
            )
            since = _load(db, rng, library[::2])
            first, result["first_load_seconds"] = _timed(lambda: reenrich(settings, since))
            since = _load(db, rng, library[1::100])
            grown, result["grown_1pct_seconds"] = _timed(lambda: reenrich(settings, since))
            none, result["unchanged_seconds"] = _timed(lambda: reenrich(settings, utc_now()))
            full, result["full_reprocess_seconds"] = _timed(lambda: reprocess(settings, USER))
        finally:
            client.drop_database(settings.mongo_db)
    result |= {
        "first_load": {k: first[k] for k in ("plays", "plays_checked", "days")},
        "grown_1pct": {k: grown[k] for k in ("plays", "plays_checked", "days")},
        "unchanged": {k: none[k] for k in ("plays", "plays_checked", "days")},
        "full_reprocess": {k: full[k] for k in ("plays", "days")},
    }
    save(RESULTS, result)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
