"""Known dashboard data written straight into MongoDB in the agreed document shapes.

Used by the app's AppTests, the browser test and (scaled up) the dashboard benchmark.

    expected = seed_known(db, now)   # returns the numbers the pages must show
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from core.collections import Coll, rollup_id

USER, DEMO, EMPTY = "alice", "demo-listener", "newbie"
PLAYLIST_ID = "37i9dQZF1DXcBWIGoYBM5M"
FEATURES = {
    "danceability": 0.7,
    "energy": 0.8,
    "valence": 0.6,
    "acousticness": 0.1,
    "instrumentalness": 0.05,
    "liveness": 0.2,
    "speechiness": 0.05,
}


def _profile(means: dict[str, float]) -> dict[str, Any]:
    return {
        k: {"mean": v, "p10": v - 0.1, "p50": v, "p90": v + 0.1, "hist": [0] * 10} for k, v in means.items()
    }


def _month_key(d: datetime, back: int = 0) -> str:
    y, m = divmod(d.year * 12 + d.month - 1 - back, 12)
    return f"{y:04d}-{m + 1:02d}"


def totals_doc(
    user: str, grain: str, period: str, streams: int, minutes: float, plays: int | None = None, skips: int = 0
) -> dict[str, Any]:
    return {
        "_id": rollup_id(user, grain, period),
        "user_id": user,
        "grain": grain,
        "period": period,
        "streams": streams,
        "plays": plays if plays is not None else streams + skips,
        "minutes": minutes,
        "skips": skips,
    }


def entity_doc(
    user: str,
    grain: str,
    period: str,
    etype: str,
    key: str,
    name: str,
    streams: int,
    minutes: float,
    first: datetime,
    last: datetime,
    artist: str | None = None,
) -> dict[str, Any]:
    return {
        "_id": rollup_id(user, grain, period, etype, key),
        "user_id": user,
        "grain": grain,
        "period": period,
        "entity_type": etype,
        "entity_key": key,
        "name": name,
        "artist_name": artist,
        "streams": streams,
        "plays": streams,
        "minutes": minutes,
        "first_played": first,
        "last_played": last,
    }


def play_doc(user: str, n: int, ended: datetime, track: str, artist: str, ms: int) -> dict[str, Any]:
    return {
        "_id": rollup_id(user, f"seed-{n}"),
        "event_id": f"seed-{n}",
        "user_id": user,
        "source": "demo",
        "kind": "track",
        "ended_at": ended,
        "ms_played": ms,
        "track_id": f"trk{n}",
        "track_name": track,
        "artist_names": [artist],
        "album_name": "Seeded",
        "counted": ms >= 30_000,
        "local_day": ended.date().isoformat(),
    }


class _Upserting:
    """Wraps a database so insert_one/insert_many replace by `_id` (seeding twice is harmless)."""

    def __init__(self, db: Any) -> None:
        self.db = db

    def __getitem__(self, name: str) -> _Upserting:
        self.coll = self.db[name]
        return self

    def insert_one(self, doc: dict[str, Any]) -> None:
        self.coll.replace_one({"_id": doc["_id"]}, doc, upsert=True)

    def insert_many(self, docs: list[dict[str, Any]]) -> None:
        for doc in docs:
            self.insert_one(doc)


def seed_known(db: Any, now: datetime) -> dict[str, Any]:
    """Write the known data set (user 'alice', in UTC) and return what the pages must show."""
    db = _Upserting(db)
    today, month, prev_month = now.date().isoformat(), _month_key(now), _month_key(now, 1)
    year = f"{now.year:04d}"
    first = now - timedelta(days=400)
    db[Coll.USERS.value].insert_many(
        [
            {
                "_id": USER,
                "display_name": "Alice",
                "time_zone": "UTC",
                "demo": False,
                "spotify": {"status": "not_connected"},
            },
            {"_id": DEMO, "display_name": "Demo listener", "time_zone": "UTC", "demo": True},
            {"_id": EMPTY, "display_name": "Newbie", "time_zone": "UTC", "demo": False},
        ]
    )
    db[Coll.ROLLUP_TOTALS.value].insert_many(
        [
            totals_doc(USER, "day", today, 12, 41.5, skips=3),
            totals_doc(USER, "month", month, 120, 400.0, skips=10),
            totals_doc(USER, "month", prev_month, 100, 320.0),
            totals_doc(USER, "year", year, 1000, 3300.0),
            totals_doc(USER, "all", "all", 5000, 16000.0, skips=500),
        ]
    )
    ents = [
        entity_doc(USER, "day", today, "artist", "ar1", "Radiohead", 7, 25.0, first, now),
        entity_doc(USER, "day", today, "artist", "ar2", "Björk", 5, 16.5, first, now),
        entity_doc(
            USER, "month", month, "track", "t1", "Paranoid Android", 30, 190.0, first, now, "Radiohead"
        ),
        entity_doc(USER, "month", month, "track", "t2", "Army of Me", 45, 150.0, first, now, "Björk"),
        entity_doc(USER, "month", month, "artist", "ar1", "Radiohead", 70, 250.0, first, now),
        entity_doc(USER, "month", month, "artist", "ar2", "Björk", 50, 150.0, first, now),
        entity_doc(
            USER, "month", prev_month, "track", "t1", "Paranoid Android", 12, 76.0, first, now, "Radiohead"
        ),
        entity_doc(
            USER, "all", "all", "track", "t1", "Paranoid Android", 300, 1900.0, first, now, "Radiohead"
        ),
        entity_doc(USER, "all", "all", "artist", "ar1", "Radiohead", 900, 3000.0, first, now),
        entity_doc(USER, "all", "all", "artist", "ar2", "Björk", 400, 1500.0, now - timedelta(days=3), now),
        entity_doc(USER, "all", "all", "platform", "android", "android", 3000, 9000.0, first, now),
        entity_doc(USER, "year", year, "decade", "1990s", "1990s", 800, 2600.0, first, now),
        entity_doc(USER, "year", year, "decade", "2000s", "2000s", 200, 700.0, first, now),
    ]
    db[Coll.ROLLUP_ENTITIES.value].insert_many(ents)
    db[Coll.ROLLUP_HEATMAP.value].insert_one(
        {
            "_id": rollup_id(USER, "all", "all"),
            "user_id": USER,
            "grain": "all",
            "period": "all",
            "cells": [
                {"weekday": 0, "hour": 8, "streams": 40, "minutes": 120.0},
                {"weekday": 4, "hour": 22, "streams": 90, "minutes": 300.0},
            ],
        }
    )
    db[Coll.USER_STATS.value].insert_one(
        {
            "_id": USER,
            "current_streak": 4,
            "longest_streak": 17,
            "longest_streak_start": "2024-03-01",
            "longest_streak_end": "2024-03-17",
            "sessions": 321,
            "avg_session_minutes": 42.0,
            "first_played": first,
            "last_played": now,
            "total_streams": 5000,
            "total_minutes": 16000.0,
        }
    )
    db[Coll.TASTE_PROFILES.value].insert_one(
        {
            "_id": rollup_id(USER, "all", "all"),
            "user_id": USER,
            "grain": "all",
            "period": "all",
            "coverage": 0.9,
            "features": _profile(FEATURES),
            "decades": {"1990s": 0.8},
            "genres": {"rock": 1.0},
        }
    )
    db[Coll.PLAYLISTS.value].insert_one(
        {
            "_id": rollup_id(USER, PLAYLIST_ID),
            "user_id": USER,
            "playlist_id": PLAYLIST_ID,
            "name": "Morning Run",
            "owner": "alice",
            "source": "demo",
            "tracks": 42,
            "connected": True,
            "status": "ready",
        }
    )
    calm = {**FEATURES, "energy": 0.3, "danceability": 0.4, "acousticness": 0.8}
    db[Coll.PLAYLIST_PROFILES.value].insert_one(
        {
            "_id": rollup_id(USER, PLAYLIST_ID),
            "user_id": USER,
            "playlist_id": PLAYLIST_ID,
            "name": "Morning Run",
            "tracks": 42,
            "coverage": 0.75,
            "features": _profile(calm),
        }
    )
    db[Coll.NOW_PLAYING.value].insert_one(
        {
            "_id": USER,
            "user_id": USER,
            "source": "demo",
            "observed_at": now,
            "is_playing": True,
            "progress_ms": 60_000,
            "kind": "track",
            "track_name": "Karma Police",
            "artist_names": ["Radiohead"],
            "duration_ms": 264_000,
            "updated_at": now,
        }
    )
    db[Coll.PLAYS.value].insert_many(
        [
            play_doc(USER, 1, now - timedelta(minutes=9), "No Surprises", "Radiohead", 229_000),
            play_doc(USER, 2, now - timedelta(minutes=5), "Hyperballad", "Björk", 10_000),
        ]
    )
    near = {**FEATURES, "energy": 0.79}
    db[Coll.TRACKS.value].insert_many(
        [
            {"_id": "t1", "name": "Paranoid Android", "artist_names": ["Radiohead"], "features": FEATURES},
            {
                "_id": "c1",
                "name": "Close Match",
                "artist_names": ["Nearby"],
                "release_year": 1997,
                "features": near,
            },
            {
                "_id": "c2",
                "name": "Far Away",
                "artist_names": ["Distant"],
                "release_year": 1960,
                "features": {k: 1 - v for k, v in FEATURES.items()},
            },
        ]
    )
    db[Coll.PIPELINE_HEALTH.value].insert_many(
        [
            {
                "_id": "spark.plays",
                "kind": "spark",
                "component": "spark.plays",
                "status": "ok",
                "updated_at": now,
                "details": {"batch": 7},
            },
            {
                "_id": "producer.demo",
                "kind": "producer",
                "component": "producer.demo",
                "status": "ok",
                "updated_at": now - timedelta(hours=2),
                "details": {},
            },
        ]
    )
    db[Coll.DEAD_LETTERS.value].insert_one(
        {
            "_id": "dl1",
            "user_id": USER,
            "stage": "spark.plays",
            "reason": "ms_played: must be >= 0",
            "failed_at": now,
            "payload": "{}",
        }
    )
    db[Coll.IMPORTS.value].insert_one(
        {
            "_id": "imp-1",
            "user_id": USER,
            "path": "my_spotify_data.zip",
            "status": "done",
            "started_at": now,
            "finished_at": now,
            "files": [
                {
                    "name": "Streaming_History_Audio_2023.json",
                    "kind": "extended",
                    "records": 1500,
                    "published": 1490,
                    "duplicates": 7,
                    "skipped": {"video": 3},
                    "errors": [],
                }
            ],
            "totals": {"files": 1, "records": 1500, "published": 1490, "duplicates": 7, "skipped": 3},
        }
    )
    return {"today": today, "month": month, "prev_month": prev_month}
