"""No size cliff: the lists that grow with a history are bucketed, and every gold document of an
extreme history stays below gold.MAX_DOC_BYTES (4 MiB; MongoDB refuses documents over 16 MiB).

Documents are built by the real writer's code (pipeline.rollups) and measured as BSON."""

from __future__ import annotations

import gc
from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import bson
import pytest

from core import gold
from core.collections import Coll
from pipeline import rollups, sessions

NOW = datetime(2026, 12, 1, tzinfo=UTC)


def _largest(docs: Iterable[dict[str, Any]]) -> int:
    return max(len(bson.encode(d)) for d in docs)


@pytest.fixture
def no_gc() -> Iterator[None]:
    """Millions of small dicts: without the cyclic collector (nothing here forms a cycle) the
    build takes a third of the time."""
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def test_a_million_distinct_tracks_over_20_years_stay_in_bounded_buckets(no_gc: None) -> None:
    n = 1_000_000
    at, series = datetime(2020, 1, 1, tzinfo=UTC), dict.fromkeys([str(y) for y in range(2006, 2026)], 1)
    b = rollups._Buckets()
    rows = b.ents.setdefault(("all", "track"), {})
    for i in range(n):  # long names, a Spotify id, a stream in every one of the 20 years
        key = f"the artist number {i % 5000} with a long name|a fairly long track title number {i}"
        rows[key] = {
            "key": key,
            "name": f"A Fairly Long Track Title Number {i}",
            "artist_name": f"The Artist Number {i % 5000} With A Long Name",
            "track_id": f"{i:022d}",
            "streams": 20,
            "plays": 20,
            "minutes": 70.5,
            "skips": 0,
            "first_played": at,
            "last_played": at,
            "series": series,
        }
    b.total("all")["plays"] = 20 * n
    built = b.documents("u", "all", NOW)
    (head,) = built[Coll.ROLLUP_ENTITIES]
    row_docs, key_docs = built[Coll.ROLLUP_ENTITY_ROWS], built[Coll.ROLLUP_ENTITY_KEYS]
    assert (
        head["count"] == n and len(row_docs) == len(key_docs) == head["buckets"] >= n // gold.ROWS_PER_BUCKET
    )
    assert built[Coll.ROLLUP_TOTALS][0]["buckets"] == {"track": head["buckets"]}
    assert sum(len(d["rows"]) for d in row_docs) == n
    assert sum(len(gold.unpack_keys(d["keys"])) for d in key_docs) == 2 * n
    largest = max(_largest([head]), _largest(row_docs), _largest(key_docs))  # as BSON, not estimated
    assert largest < gold.MAX_DOC_BYTES, largest


def test_huge_rows_get_more_buckets_than_the_row_count_alone_needs() -> None:
    rows = [{"key": f"k{i}", "name": "x" * 50_000, "artist_name": None, "series": {}} for i in range(300)]
    assert rollups.bucket_count(rows) > -(-len(rows) // gold.ROWS_PER_BUCKET)
    b = rollups._Buckets()
    for r in rows:
        row = b.entity("2024", "track", r["key"], r["name"], None)
        row["plays"] = row["streams"] = 1
    built = b.documents("u", "year", NOW)
    assert _largest(built[Coll.ROLLUP_ENTITY_ROWS]) < gold.MAX_DOC_BYTES


def _play(i: int, ended: datetime, day: str, track: int) -> dict[str, Any]:
    return {
        "_id": f"{i:024x}",
        "local_day": day,
        "ended_at": ended,
        "counted": True,
        "minutes": 3.5,
        "ms_played": 210_000,
        "skip": False,
        "kind": "track",
        "name_key": f"artist {track % 300}|track {track}",
        "track_name": f"Track {track}",
        "track_id": f"{track:022d}",
        "artist_names": [f"Artist {track % 300}"],
        "album_name": f"Album {track % 900}",
        "genres": [f"genre {track % 40}"],
        "release_year": 1960 + track % 60,
        "platform": "android",
        "weekday": ended.weekday(),
        "local_hour": ended.hour,
    }


def test_twenty_years_of_daily_listening_and_the_busiest_possible_day_stay_below_the_bound(
    no_gc: None,
) -> None:
    first = date(2006, 1, 1)
    days = [first + timedelta(days=k) for k in range((date(2025, 12, 31) - first).days + 1)]
    plays = []
    for k, d in enumerate(days):  # every day of 20 years, rotating over 30,000 tracks
        for j in range(4):
            ended = datetime(d.year, d.month, d.day, 8 + 3 * j, tzinfo=UTC)
            plays.append(_play(len(plays), ended, d.isoformat(), (k * 4 + j) % 30_000))
    busiest = datetime(2025, 6, 1, tzinfo=UTC)  # a play ending every second of one day
    plays += [
        _play(10**7 + s, busiest + timedelta(seconds=s), "2025-06-01", s % 30_000) for s in range(86_400)
    ]
    by_day = sessions.sessions_by_day("u", plays, 30, "UTC")
    level = rollups.day_rollups("u", plays, by_day, NOW)
    built = {c: list(docs) for c, docs in level.items()}
    for grain in ("month", "year", "all"):
        level = rollups.roll_up("u", grain, level, NOW)
        for c, docs in level.items():
            built[c] += docs
    (all_time,) = [d for d in built[Coll.ROLLUP_TOTALS] if d["grain"] == "all"]
    assert len(all_time["series"]) == 20 and all_time["plays"] == len(plays)
    active = {d["period"] for d in built[Coll.ROLLUP_TOTALS] if d["grain"] == "day"}
    stats = sessions.user_stats_doc("u", active, all_time, "UTC")
    assert len(stats["active_days"]) == len(days)
    for coll, docs in [*built.items(), (Coll.USER_STATS, [stats])]:
        if docs:
            assert _largest(docs) < gold.MAX_DOC_BYTES, coll
