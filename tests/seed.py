"""Known dashboard data, written through the real writer, and the numbers the pages must show.

Plays are built like the Spark job builds them (`pipeline.enrich.play_document` over
`PlayEvent` records and catalog tracks), stored, and the gold layer is written by
`pipeline.rollup_plan.rebuild_rollups` — so the pages read exactly what the pipeline writes. The
expected numbers are computed here plainly from the plays (counting, not the rollup code), so a
wrong rollup or a wrong read fails the tests. Used by the AppTests and the browser test.

    expected = seed_known(db, now)   # what the pages must show (see its keys)
    add_play(db, n, ended_at)        # one more play (track FRESH), as the pipeline would write it
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta
from typing import Any

from core import gold
from core.collections import Coll
from core.events import PlayEvent
from core.settings import get_settings
from kaggle_seed.cells import rebuild_cells
from pipeline import writes
from pipeline.enrich import play_document
from pipeline.job import JobConfig
from pipeline.rollup_plan import rebuild_rollups

USER, DEMO, EMPTY = "alice", "demo-listener", "newbie"
ZONE = "UTC"
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
# track id: name, artist, album, release year, length (s), genre
TRACKS = {
    "t1": ("Paranoid Android", "Radiohead", "OK Computer", 1997, 383, "art rock"),
    "t2": ("Army of Me", "Björk", "Post", 1995, 234, "art pop"),
    "t3": ("No Surprises", "Radiohead", "OK Computer", 1997, 229, "art rock"),
    "t4": ("Karma Police", "Radiohead", "OK Computer", 1997, 264, "art rock"),
    "t5": ("Hyperballad", "Björk", "Post", 1995, 321, "art pop"),
    "t6": ("Idioteque", "Radiohead", "Kid A", 2000, 309, "art rock"),
    "t7": ("Pagan Poetry", "Björk", "Vespertine", 2001, 314, "art pop"),  # only for `add_play`
}
FRESH = "t7"  # not in the seeded plays, no features (so Discover never offers it)
ARTIST_IDS = {"Radiohead": "ar1", "Björk": "ar2"}


def catalog() -> list[dict[str, Any]]:
    tracks = [
        {
            "_id": tid,
            "name": name,
            "artist_ids": [ARTIST_IDS[artist]],
            "artist_names": [artist],
            "album_id": f"al-{album.lower().replace(' ', '-')}",
            "album_name": album,
            "release_year": year,
            "duration_ms": length * 1000,
            "genres": [genre],
            "features": FEATURES if tid != FRESH else None,
        }
        for tid, (name, artist, album, year, length, genre) in TRACKS.items()
    ]
    near = {**FEATURES, "energy": 0.79}
    far = {k: 1 - v for k, v in FEATURES.items()}
    return [
        *tracks,
        {
            "_id": "c1",
            "name": "Close Match",
            "artist_names": ["Nearby"],
            "release_year": 1997,
            "features": near,
        },
        {"_id": "c2", "name": "Far Away", "artist_names": ["Distant"], "release_year": 1960, "features": far},
    ]


def _spec(now: datetime) -> list[tuple[datetime, str, int | None, str]]:
    """(ended_at, track id, seconds played or None for the whole track, platform) of every play."""
    m = timedelta(minutes=1)
    recent = [  # the last hour, one session
        (now - 5 * m, "t5", 10, "android"),  # a skip
        (now - 9 * m, "t3", None, "android"),
        (now - 16 * m, "t1", None, "android"),
        (now - 23 * m, "t2", None, "android"),
        (now - 30 * m, "t2", None, "android"),
        (now - 37 * m, "t1", None, "android"),
        (now - 44 * m, "t2", None, "android"),
        (now - 51 * m, "t4", None, "android"),
    ]
    noon = now.replace(hour=12, minute=0, second=0, microsecond=0)
    streak = [(noon - timedelta(days=d), "t6", None, "web") for d in (1, 2, 3)]  # today + 3 days
    old_streak = [(noon - timedelta(days=d), "t3", None, "web") for d in range(60, 65)]  # 5 days
    prev_month = now.replace(day=1, hour=12, minute=0, second=0, microsecond=0) - timedelta(days=10)
    before = [
        (prev_month, "t1", None, "android"),
        (prev_month - 7 * m, "t1", None, "android"),
        (prev_month - 14 * m, "t6", None, "android"),
        (prev_month - 20 * m, "t4", 15, "android"),  # a skip
    ]
    first = noon - timedelta(days=400)
    oldest = [
        (first, "t1", None, "web"),
        (first - 7 * m, "t4", None, "web"),
        (first + 3 * 60 * m, "t1", 20, "web"),
    ]
    return recent + streak + old_streak + before + oldest


def build_play(user: str, n: int, ended: datetime, tid: str, seconds: int | None, platform: str) -> dict:
    """A silver play as the Spark job writes it (one demo record, enriched from the catalog)."""
    name, artist, album, _, length, _ = TRACKS[tid]
    event = PlayEvent(
        event_id=f"seed:{user}:{n}",
        user_id=user,
        source="demo",
        ended_at=ended,
        ms_played=(seconds or length) * 1000,
        track_id=tid,
        track_name=name,
        artist_names=[artist],
        artist_ids=[ARTIST_IDS[artist]],
        album_name=album,
        album_id=f"al-{album.lower().replace(' ', '-')}",
        duration_ms=length * 1000,
        platform=platform,
    )
    track = next(t for t in catalog() if t["_id"] == tid)
    threshold = get_settings().stream_threshold_ms
    return play_document(user, event.event_id, [event.model_dump()], track, {}, ZONE, threshold)


def write_plays(db: Any, user: str, plays: list[dict[str, Any]]) -> None:
    """Store plays and rewrite the gold documents of their days, as `pipeline.store` does."""
    writes.write_plays(db, plays)
    cfg = JobConfig.from_settings(get_settings())
    days = {p["local_day"] for p in plays}
    rebuild_rollups(db, cfg, user, ZONE, days, known={p["_id"]: p for p in plays})


def add_play(db: Any, n: int, ended: datetime, tid: str = FRESH, seconds: int | None = None) -> dict:
    """One more play of USER, stored with its day's rollups as the pipeline would write it."""
    play = build_play(USER, n, ended, tid, seconds, "android")
    write_plays(db, USER, [play])
    return play


def _sum(plays: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "streams": sum(p["counted"] for p in plays),
        "plays": len(plays),
        "minutes": sum(p["ms_played"] for p in plays) / 60000,
        "skips": sum(not p["counted"] for p in plays),
    }


def _ranked(plays: list[dict[str, Any]], field: str, by: str = "streams") -> list[str]:
    """Names of `field` values ordered by streams (or minutes), then the other one, then name."""
    streams, minutes = Counter(), Counter()
    for p in plays:
        streams[p[field]] += p["counted"]
        minutes[p[field]] += p["ms_played"] / 60000
    first, second = (streams, minutes) if by == "streams" else (minutes, streams)
    return sorted(first, key=lambda k: (-first[k], -second[k], k))


def _streaks(days: set[date], today: date) -> tuple[int, int]:
    longest, run, prev = 0, 0, None
    for d in sorted(days):
        run = run + 1 if prev and (d - prev).days == 1 else 1
        longest, prev = max(longest, run), d
    current = run if prev and (today - prev).days <= 1 else 0
    return current, longest


def _sessions(plays: list[dict[str, Any]], gap_minutes: int) -> int:
    count, end = 0, None
    for p in sorted(plays, key=lambda p: p["ended_at"]):
        start = p["ended_at"] - timedelta(milliseconds=p["ms_played"])
        if end is None or start - end > timedelta(minutes=gap_minutes):
            count += 1
        end = max(end or p["ended_at"], p["ended_at"])
    return count


def expected_numbers(plays: list[dict[str, Any]], now: datetime) -> dict[str, Any]:
    """What the pages must show, counted plainly from the plays (UTC days)."""
    for p in plays:
        p["_day"] = p["ended_at"].date()
        p["_artist"] = p["artist_names"][0]
    today = now.date()
    month_start = today.replace(day=1)
    prev_start = (month_start - timedelta(days=1)).replace(day=1)
    this_day = [p for p in plays if p["_day"] == today]
    this_month = [p for p in plays if p["_day"] >= month_start]
    prev_month = [p for p in plays if prev_start <= p["_day"] < month_start]
    this_year = [p for p in plays if p["_day"].year == today.year]
    this_week = [p for p in plays if 0 <= (p["_day"] - (today - timedelta(days=today.weekday()))).days < 7]
    top_today = _ranked([p for p in this_day if p["counted"]], "_artist")
    newest = sorted(plays, key=lambda p: p["ended_at"], reverse=True)[:10]
    first_by_artist: dict[str, date] = {}
    for p in sorted(plays, key=lambda p: p["ended_at"]):
        first_by_artist.setdefault(p["_artist"], p["_day"])
    decade_minutes = Counter()
    for p in this_year:
        decade_minutes[f"{p['release_year'] // 10 * 10}s"] += p["ms_played"]
    detail = _ranked(this_month, "track_name", "minutes")[0]
    mine = [p for p in plays if p["track_name"] == detail]
    by_month = Counter(
        p["_day"].strftime("%Y-%m") for p in mine if p["_day"].year == today.year and p["counted"]
    )
    all_rank = sorted(
        {p["track_name"] for p in plays},
        key=lambda t: (
            -sum(p["counted"] for p in plays if p["track_name"] == t),
            -sum(p["ms_played"] for p in plays if p["track_name"] == t),
        ),
    )
    current, longest = _streaks({p["_day"] for p in plays if p["counted"]}, today)
    return {
        "today": today.isoformat(),
        "month": month_start.strftime("%Y-%m"),
        "prev_month": prev_start.strftime("%Y-%m"),
        "day_totals": _sum(this_day),
        "top_artist_today": top_today[0] if top_today else "–",
        "latest": [(p["track_name"], p["counted"]) for p in newest],
        "month_totals": _sum(this_month),
        "prev_month_totals": _sum(prev_month),
        "year_totals": _sum(this_year),
        "all_totals": _sum(plays),
        "month_tracks": _ranked(this_month, "track_name"),
        "week_totals": _sum(this_week),
        "week_tracks_by_minutes": _ranked(this_week, "track_name", "minutes"),
        "month_tracks_by_minutes": _ranked(this_month, "track_name", "minutes"),
        "detail": {
            "track": detail,
            "streams": sum(p["counted"] for p in mine),
            "rank": all_rank.index(detail) + 1,
            "last": max(p["_day"] for p in mine).isoformat(),
            "first": min(p["_day"] for p in mine).isoformat(),
            "best_month": min(by_month.items(), key=lambda kv: (-kv[1], kv[0])) if by_month else None,
        },
        "current_streak": current,
        "longest_streak": longest,
        "sessions": _sessions(plays, get_settings().session_gap_minutes),
        "platforms": _ranked(plays, "platform"),
        "new_artists_this_year": sum(d.year == today.year for d in first_by_artist.values()),
        "listening_age": max(decade_minutes, key=decade_minutes.__getitem__) if decade_minutes else None,
        "played_track_ids": sorted({p["track_id"] for p in plays}),
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


def _profile(means: dict[str, float]) -> dict[str, Any]:
    return {
        k: {"mean": v, "p10": v - 0.1, "p50": v, "p90": v + 0.1, "hist": [0] * 10} for k, v in means.items()
    }


def seed_known(db: Any, now: datetime) -> dict[str, Any]:
    """Write the known data set (user 'alice', in UTC) and return what the pages must show."""
    plays = [build_play(USER, n, *spec) for n, spec in enumerate(_spec(now))]
    write_plays(db, USER, plays)
    expected = expected_numbers([dict(p) for p in plays], now)
    up = _Upserting(db)
    up[Coll.USERS.value].insert_many(
        [
            {
                "_id": USER,
                "display_name": "Alice",
                "time_zone": ZONE,
                "demo": False,
                "spotify": {"status": "not_connected"},
            },
            {"_id": DEMO, "display_name": "Demo listener", "time_zone": ZONE, "demo": True},
            {"_id": EMPTY, "display_name": "Newbie", "time_zone": ZONE, "demo": False},
        ]
    )
    up[Coll.TRACKS.value].insert_many(catalog())
    rebuild_cells(db)  # Discover's index, as the Kaggle backfill writes it
    _seed_operational(up, now)
    return expected


def _seed_operational(db: _Upserting, now: datetime) -> None:
    """Playlists, now playing, health, dead letters and imports (written by consumers/producers)."""
    db[Coll.PLAYLISTS.value].insert_one(
        {
            "_id": gold.playlist_id(USER, PLAYLIST_ID),
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
            "_id": gold.playlist_id(USER, PLAYLIST_ID),
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
            "track_name": "Let Down",
            "artist_names": ["Radiohead"],
            "duration_ms": 299_000,
            "updated_at": now,
        }
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
