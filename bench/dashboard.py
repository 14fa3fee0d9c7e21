"""Dashboard speed over rollups equivalent to 1 M plays: each query's latency and each page's run.

    .venv/bin/python -m bench.dashboard [--plays 1000000] [--entity-days 90] [--repeat 5]

Seeds a separate database (`<EARSHOT_MONGO_DB>_bench_dashboard`, dropped afterwards unless
--keep), measures every query of streamlit_app/queries.py uncached, then each page's server-side
run with streamlit.testing.v1.AppTest (caches cleared before every run). Writes
bench/results/dashboard.json.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results" / "dashboard.json"
PAGES = Path(__file__).resolve().parents[1] / "streamlit_app" / "pages"
USER = "bench-user"


def _p95(xs: list[float]) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, round(0.95 * (len(xs) - 1)))]


def _save(counts: dict, seed_s: float, queries: dict, pages: dict, local: bool) -> None:
    """Results so far (written after every measurement, so an interrupted run keeps its numbers)."""
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {
                "seed": counts,
                "seed_seconds": round(seed_s, 1),
                "queries": queries,
                "pages": pages,
                "server": "FerretDB v1.24 (SQLite)" if local else "MongoDB",
            },
            indent=2,
        )
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--plays", type=int, default=1_000_000)
    parser.add_argument("--years", type=int, default=8)
    parser.add_argument("--entity-days", type=int, default=90, help="recent days with day-grain entity rows")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--keep", action="store_true", help="keep the bench database")
    args = parser.parse_args(argv)

    from core.settings import get_settings

    base = get_settings()
    os.environ["EARSHOT_MONGO_DB"] = f"{base.mongo_db}_bench_dashboard"
    get_settings.cache_clear()
    settings = get_settings()

    import streamlit as st

    from bench.seed import seed_history
    from core import mongo
    from streamlit_app import queries as q
    from streamlit_app.periods import cover, preset, previous, series_keys

    client = mongo.client(settings)
    db = client[settings.mongo_db]
    t0 = time.perf_counter()
    counts = seed_history(db, USER, args.plays, args.years, args.entity_days)
    mongo.ensure_indexes(db)
    seed_s = time.perf_counter() - t0
    print(f"seeded {counts} in {seed_s:.1f}s")

    today = time.gmtime()
    from datetime import date

    d = date(today.tm_year, today.tm_mon, today.tm_mday)
    month = preset("this month", d)
    prev = previous(month)
    cases = {
        "totals: this month + previous (Overview)": lambda: q.totals.__wrapped__(
            USER, tuple(cover(month.start, month.end) + cover(prev.start, prev.end))
        ),
        "totals: 365 days (Habits calendar)": lambda: q.totals.__wrapped__(
            USER, tuple(series_keys(d.replace(year=d.year - 1), d, "day"))
        ),
        "totals: today (Live)": lambda: q.totals.__wrapped__(USER, (("day", d.isoformat()),)),
        "heatmap all (Habits)": lambda: q.heatmap.__wrapped__(USER, "all", "all"),
        "user_stats (Habits)": lambda: q.user_stats.__wrapped__(USER),
        "now_playing (Live)": lambda: q.now_playing(USER),
        "entities: top tracks this month (Top)": lambda: q.entities.__wrapped__(
            USER, tuple(cover(month.start, month.end)), "track"
        ),
        "entities: top artists today (Live)": lambda: q.entities.__wrapped__(
            USER, (("day", d.isoformat()),), "artist"
        ),
    }
    queries = {}
    for name, fn in cases.items():
        times = []
        for _ in range(args.repeat):
            t = time.perf_counter()
            fn()
            times.append((time.perf_counter() - t) * 1000)
        queries[name] = {"p50_ms": round(statistics.median(times), 1), "p95_ms": round(_p95(times), 1)}
        _save(counts, seed_s, queries, {}, settings.local_mongo)
        print(f"{name:45s} p50 {queries[name]['p50_ms']:9.1f} ms  p95 {queries[name]['p95_ms']:9.1f} ms")

    from streamlit.testing.v1 import AppTest

    pages = {}
    for page in ("live", "overview", "top", "habits", "wrapped", "playlists", "pipeline", "settings"):
        times = []
        for _ in range(max(2, args.repeat // 2)):
            st.cache_data.clear()
            at = AppTest.from_file(str(PAGES / f"{page}.py"), default_timeout=600)
            at.session_state["user_id"] = USER
            t = time.perf_counter()
            at.run()
            times.append((time.perf_counter() - t) * 1000)
        pages[page] = {"median_ms": round(statistics.median(times), 1), "max_ms": round(max(times), 1)}
        _save(counts, seed_s, queries, pages, settings.local_mongo)
        print(f"page {page:12s} median {pages[page]['median_ms']:9.1f} ms")

    if not args.keep:
        client.drop_database(settings.mongo_db)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
