"""Dashboard speed over 1 M plays: each query's latency and each page's server-side run.

    .venv/bin/python -m bench.dashboard [--plays 1000000] [--years 8] [--repeat 5] [--keep]
    .venv/bin/python -m bench.dashboard --reuse     # measure a kept database again, no seeding

Seeds a separate database (`<EARSHOT_MONGO_DB>_bench_dashboard`, dropped afterwards unless
--keep) through the real gold writer (bench/seed.py), measures every query of
streamlit_app/queries.py uncached (one warm-up call, reported apart, then --repeat timed calls),
then each page's server-side run with streamlit.testing.v1.AppTest (caches cleared before every
run). Writes bench/results/dashboard.json.
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


def _save(counts: dict, seed_s: float, queries: dict, pages: dict, ferretdb: bool) -> None:
    """Results so far (written after every measurement, so an interrupted run keeps its numbers)."""
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {
                "seed": counts,
                "seed_seconds": round(seed_s, 1),
                "queries": queries,
                "pages": pages,
                "server": "FerretDB v1.24 (SQLite, _id patch)" if ferretdb else "MongoDB",
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
    parser.add_argument(
        "--stored-days", type=int, default=30, help="recent days whose play documents are stored"
    )
    parser.add_argument(
        "--catalog", type=int, default=1_200_000, help="catalog tracks in Discover's index (default 1.2 M)"
    )
    parser.add_argument("--repeat", type=int, default=20, help="timed runs per query, after one warm-up")
    parser.add_argument("--keep", action="store_true", help="keep the bench database")
    parser.add_argument("--reuse", action="store_true", help="measure the kept database (implies --keep)")
    args = parser.parse_args(argv)

    from core.settings import get_settings

    base = get_settings()
    os.environ["EARSHOT_MONGO_DB"] = f"{base.mongo_db}_bench_dashboard"
    get_settings.cache_clear()
    settings = get_settings()

    import streamlit as st

    from bench.seed import seed_discover_index, seed_history
    from core import mongo
    from streamlit_app import logic
    from streamlit_app import queries as q
    from streamlit_app.periods import cover, preset, previous, series_keys

    client = mongo.client(settings)
    db = client[settings.mongo_db]
    ferretdb = mongo.is_ferretdb(db)  # the result file names the server measured
    t0 = time.perf_counter()
    if args.reuse:
        args.keep = True
        previous_run = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
        counts, seed_s = previous_run.get("seed", {}), previous_run.get("seed_seconds", 0.0)
    else:
        counts = seed_history(db, USER, args.plays, args.years, args.stored_days)
        counts["discover_index_tracks"] = seed_discover_index(db, args.catalog)
        mongo.ensure_indexes(db)
        seed_s = time.perf_counter() - t0
    print(f"seeded {counts} in {seed_s:.1f}s")

    from datetime import UTC, date, datetime, timedelta
    from datetime import time as dtime

    today = time.gmtime()
    d = date(today.tm_year, today.tm_mon, today.tm_mday)
    first = date(d.year - args.years + 1, 1, 1)
    month, year, week = preset("this month", d), preset("this year", d), preset("this week", d)
    prev = previous(month)
    top_track = q.top.__wrapped__(USER, "month", month.start.strftime("%Y-%m"), "track")[0]["key"]
    means = tuple(sorted(logic.feature_means(q.taste_profile.__wrapped__(USER)).items()))
    cases = {
        "totals: this month + previous (Overview)": lambda: q.totals.__wrapped__(
            USER, tuple(cover(month.start, month.end) + cover(prev.start, prev.end))
        ),
        "totals: 365 days (Habits calendar)": lambda: q.totals.__wrapped__(
            USER, tuple(series_keys(d - timedelta(days=364), d, "day"))
        ),
        "totals: all time by month (Overview)": lambda: q.totals.__wrapped__(
            USER, tuple(series_keys(first, d, "month"))
        ),
        "totals: today (Live)": lambda: q.totals.__wrapped__(USER, (("day", d.isoformat()),)),
        "heatmap all (Habits)": lambda: q.heatmap.__wrapped__(USER, "all", "all"),
        "user_stats (Habits)": lambda: q.user_stats.__wrapped__(USER),
        "now_playing (Live)": lambda: q.now_playing(USER),
        "latest_plays (Live)": lambda: q.latest_plays(USER, "UTC", 10),
        "sessions: latest 5 (Habits)": lambda: q.sessions.__wrapped__(USER, "UTC", 5),
        "lifetime (period picker, Habits)": lambda: q.lifetime.__wrapped__(USER),
        "top: artists today (Live)": lambda: q.top.__wrapped__(USER, "day", d.isoformat(), "artist"),
        "ranked: tracks this month (Top)": lambda: q.ranked.__wrapped__(
            USER, tuple(cover(month.start, month.end)), "track"
        ),
        "ranked: tracks this week (Top, day docs)": lambda: q.ranked.__wrapped__(
            USER, tuple(cover(week.start, week.end)), "track"
        ),
        "ranked: tracks this year (Top, Wrapped)": lambda: q.ranked.__wrapped__(
            USER, tuple(cover(year.start, year.end)), "track"
        ),
        "ranked: tracks all time (Top)": lambda: q.ranked.__wrapped__(USER, (("all", "all"),), "track"),
        "ranked: artists this year (Wrapped)": lambda: q.ranked.__wrapped__(
            USER, tuple(cover(year.start, year.end)), "artist", limit=5
        ),
        "first_heard: new artists this year (Wrapped)": lambda: q.first_heard.__wrapped__(
            USER, "artist", datetime.combine(year.start, dtime(), UTC), datetime.now(UTC)
        ),
        "entity: a track's page (Top detail)": lambda: q.entity.__wrapped__(
            USER, "track", top_track, str(d.year)
        ),
        "played_track_keys (Discover)": lambda: q.played_track_keys.__wrapped__(USER),
        "discover: 20 nearest unplayed (Discover)": lambda: q.discover.__wrapped__(USER, means, 20),
    }
    queries = {}
    for name, fn in cases.items():
        t = time.perf_counter()
        fn()  # the first call warms FerretDB's and Python's caches: reported apart
        first_ms = (time.perf_counter() - t) * 1000
        times = []
        for _ in range(args.repeat):
            t = time.perf_counter()
            fn()
            times.append((time.perf_counter() - t) * 1000)
        queries[name] = {
            "p50_ms": round(statistics.median(times), 1),
            "p95_ms": round(_p95(times), 1),
            "first_ms": round(first_ms, 1),
        }
        _save(counts, seed_s, queries, {}, ferretdb)
        print(f"{name:45s} p50 {queries[name]['p50_ms']:9.1f} ms  p95 {queries[name]['p95_ms']:9.1f} ms")

    from streamlit.testing.v1 import AppTest

    # A page's server-side run: the script with every st.cache_data cleared, rerun in one AppTest
    # (a real server discovers components and imports modules once at start; AppTest does that
    # on its first run, reported separately as first_run_ms).
    first_track = q.ranked.__wrapped__(USER, (("month", month.start.strftime("%Y-%m")),), "track", limit=1)[1]
    variants = {
        "live": ("live", {}),
        "overview": ("overview", {}),
        "overview (all time)": ("overview", {"overview-preset": "all time"}),
        "top": ("top", {}),
        "top (track page)": ("top", {"top-detail": f"#1 {first_track[0].name}"}),
        "top (this year)": ("top", {"top-preset": "this year"}),
        "top (all time)": ("top", {"top-preset": "all time"}),
        "habits": ("habits", {}),
        "wrapped": ("wrapped", {}),
        "discover": ("discover", {}),
        "playlists": ("playlists", {}),
        "pipeline": ("pipeline", {}),
        "settings": ("settings", {}),
    }
    from core import accounts
    from streamlit_app import auth

    if accounts.get(db, "bench") is None:  # pages run signed in, as an admin
        accounts.add(db, "bench", "bench-password", admin=True)
    pages = {}
    for name, (page, state) in variants.items():
        at = AppTest.from_file(str(PAGES / f"{page}.py"), default_timeout=600)
        at.session_state[auth.TOKEN] = auth.start_session("bench")
        at.session_state["user_id"] = USER
        for k, v in state.items():
            at.session_state[k] = v
        st.cache_data.clear()
        t = time.perf_counter()
        at.run()
        first_ms = (time.perf_counter() - t) * 1000
        times = []
        for _ in range(max(3, args.repeat // 2)):
            st.cache_data.clear()
            t = time.perf_counter()
            at.run()
            times.append((time.perf_counter() - t) * 1000)
        if at.exception:
            raise RuntimeError(f"page {name} failed: {at.exception}")
        pages[name] = {
            "median_ms": round(statistics.median(times), 1),
            "max_ms": round(max(times), 1),
            "first_run_ms": round(first_ms, 1),
        }
        _save(counts, seed_s, queries, pages, ferretdb)
        print(f"page {name:20s} median {pages[name]['median_ms']:9.1f} ms  (first run {first_ms:.0f} ms)")

    if not args.keep:
        client.drop_database(settings.mongo_db)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
