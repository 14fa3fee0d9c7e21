"""A long synthetic listening history for one user, written through the real gold writer.

    from bench.seed import seed_history
    counts = seed_history(db, "bench-user", plays=1_000_000, years=8, stored_days=30)

Plays follow a long-tail catalog (tracks, artists, albums, genres, release years, platforms,
audio features), ~80 % whole listens and ~20 % skips, at evening-heavy hours. Each is built by
`pipeline.enrich.play_document` from a `PlayEvent`-shaped record and its catalog track, and the
gold layer is written by `pipeline.rollup_plan.rebuild_rollups`, one year at a time (the plays of the
neighbouring days passed along, so day boundaries and sessions come out as in one run).

Only the plays of the last `stored_days` days are inserted into `plays` (inserting all of them
into FerretDB would dominate the seed time): the day totals still list every play id, but older
play documents do not exist. The dashboard reads stored plays only on Live (the latest plays).
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta
from itertools import accumulate, chain
from typing import Any

from core import gold
from core.collections import Coll
from core.mongo import ID_CHUNK
from core.settings import get_settings
from kaggle_seed.cells import by_cell, merge_cells, packed
from pipeline.enrich import play_document
from pipeline.job import JobConfig
from pipeline.rollup_plan import rebuild_rollups

CATALOG = {"tracks": 30_000, "artists": 3_000, "albums": 6_000, "genres": 80}
PLATFORMS = ("android", "ios", "web")
HOUR_WEIGHTS = [1, 1, 1, 1, 1, 1, 2, 4, 6, 5, 4, 4, 5, 4, 4, 5, 6, 7, 9, 10, 10, 9, 6, 3]


def catalog(rng: random.Random) -> list[dict[str, Any]]:
    """Synthetic catalog tracks (the shape of `tracks` documents), most popular first."""
    n = CATALOG
    album_year = [rng.randint(1960, 2025) for _ in range(n["albums"])]
    artist_genres = [
        [f"genre{g}" for g in rng.sample(range(n["genres"]), rng.randint(1, 2))] for _ in range(n["artists"])
    ]
    tracks = []
    for i in range(n["tracks"]):
        artist = int(rng.paretovariate(1.2) * 7) % n["artists"]
        album = (artist * 2 + rng.randint(0, 1)) % n["albums"]
        tracks.append(
            {
                "_id": f"bt{i}",
                "name": f"Track {i}",
                "artist_ids": [f"ba{artist}"],
                "artist_names": [f"Artist {artist}"],
                "album_id": f"bal{album}",
                "album_name": f"Album {album}",
                "release_year": album_year[album],
                "duration_ms": rng.randint(120_000, 360_000),
                "genres": artist_genres[artist],
                "features": (
                    {f: round(rng.random(), 3) for f in gold.RADAR_FEATURES} if rng.random() < 0.9 else None
                ),
            }
        )
    return tracks


def _record(user: str, n: int, ended: datetime, track: dict[str, Any], ms: int, platform: str) -> dict:
    """A PlayEvent's fields (what the Spark job parses from Kafka)."""
    return {
        "schema_version": 1,
        "event_id": f"bench:{user}:{n}",
        "user_id": user,
        "source": "demo",
        "kind": "track",
        "ended_at": ended,
        "ms_played": ms,
        "ms_played_estimated": False,
        "track_id": track["_id"],
        "track_uri": f"spotify:track:{track['_id']}",
        "track_name": track["name"],
        "artist_names": track["artist_names"],
        "artist_ids": track["artist_ids"],
        "album_name": track["album_name"],
        "album_id": track["album_id"],
        "duration_ms": track["duration_ms"],
        "platform": platform,
        "skipped": ms < track["duration_ms"] // 2 or None,
    }


def day_plays(
    user: str, day: date, count: int, tracks: list[dict], cum: list[float], rng: random.Random, start: int
) -> list[dict[str, Any]]:
    """`count` enriched plays on one (UTC) day, the first numbered `start`."""
    threshold, now = get_settings().stream_threshold_ms, datetime.now(UTC)
    chosen = rng.choices(tracks, cum_weights=cum, k=count)
    hours = rng.choices(range(24), weights=HOUR_WEIGHTS, k=count)
    out = []
    for k, (track, hour) in enumerate(zip(chosen, hours, strict=True)):
        ended = datetime.combine(day, time(hour, rng.randrange(60), rng.randrange(60)), UTC)
        if ended > now:  # today: only plays that have ended
            midnight = datetime.combine(day, time(), UTC)
            ended = midnight + (now - midnight) * rng.random()
        ms = track["duration_ms"] if rng.random() < 0.8 else rng.randint(3_000, 25_000)
        record = _record(user, start + k, ended, track, ms, rng.choice(PLATFORMS))
        out.append(play_document(user, record["event_id"], [record], track, {}, "UTC", threshold))
    return out


def seed_history(
    db: Any, user: str, plays: int = 1_000_000, years: int = 8, stored_days: int = 30, seed: int = 7
) -> dict[str, Any]:
    """Replace the user's data with ~`plays` plays over `years` years ending now; returns counts."""
    rng = random.Random(seed)
    now = datetime.now(UTC)
    end = now.date()
    start = date(end.year - years + 1, 1, 1)
    days = [start + timedelta(days=i) for i in range((end - start).days + 1)]
    weights = [rng.uniform(0.3, 1.7) for _ in days]
    scale = plays / sum(weights)
    per_day = {d: round(w * scale) for d, w in zip(days, weights, strict=True)}
    tracks = catalog(random.Random(seed + 1))  # its own generator: seed_discover_index redraws it
    cum = list(accumulate(1 / (i + 1) ** 0.9 for i in range(len(tracks))))

    for coll in (*[c for c in Coll if c.value.startswith("rollup_")], Coll.TASTE_PROFILES, Coll.USER_STATS):
        db[coll.value].delete_many({})
    for coll in (Coll.PLAYS, Coll.USERS, Coll.NOW_PLAYING):
        db[coll.value].delete_many({})
    db[Coll.USERS.value].insert_one({"_id": user, "display_name": "Bench", "time_zone": "UTC", "demo": True})

    cfg = JobConfig.from_settings(get_settings())
    by_day: dict[date, list[dict]] = {}
    numbered = 0
    stored = 0
    recent = set(days[-stored_days:]) if stored_days else set()
    for year in range(start.year, end.year + 1):
        wanted = [d for d in days if d.year == year]
        for d in [*wanted, *(d for d in days if d.year == year + 1)][: len(wanted) + 2]:
            if d not in by_day:
                by_day[d] = day_plays(user, d, per_day[d], tracks, cum, rng, numbered)
                numbered += per_day[d]
        window = [d for d in by_day if wanted[0] - timedelta(days=2) <= d <= wanted[-1] + timedelta(days=2)]
        known = {p["_id"]: p for d in window for p in by_day[d]}
        keep = [p for d in wanted if d in recent for p in by_day[d]]
        for i in range(0, len(keep), ID_CHUNK):
            db[Coll.PLAYS.value].insert_many(keep[i : i + ID_CHUNK], ordered=False)
        stored += len(keep)
        rebuild_rollups(db, cfg, user, "UTC", {d.isoformat() for d in wanted}, known)
        for d in [d for d in by_day if d < wanted[-1] - timedelta(days=2)]:
            del by_day[d]  # no longer a neighbour of anything still to write
    return {
        "plays": numbered,
        "plays_stored": stored,
        "plays_stored_note": f"play documents of the last {stored_days} days only; day totals list all",
        "days": len(days),
        "catalog_tracks": len(tracks),
        **{
            c.value: db[c.value].estimated_document_count()
            for c in (Coll.ROLLUP_TOTALS, Coll.ROLLUP_ENTITIES)
        },
    }


def seed_discover_index(db: Any, total: int = 1_200_000, seed: int = 7) -> int:
    """Discover's index (catalog_cells) for a catalog of `total` tracks: the seeded history's
    catalog (the tracks the user played) and synthetic others, written by `kaggle_seed.cells`.
    Returns the tracks indexed."""
    rng = random.Random(seed)
    played = catalog(random.Random(seed + 1))  # the tracks seed_history drew plays from
    others = (
        {
            "_id": f"bx{i}",
            "name": f"Other {i}",
            "artist_names": [f"Other artist {i % 50_000}"],
            "release_year": rng.randint(1960, 2025),
            "features": {f: round(rng.betavariate(2, 2), 3) for f in gold.RADAR_FEATURES},
        }
        for i in range(total - len(played))
    )
    db[Coll.CATALOG_CELLS.value].delete_many({})
    cells = by_cell(chain(played, others))
    return int(merge_cells(db, ((c, [packed(e)]) for c, e in cells.items()))["tracks"])
