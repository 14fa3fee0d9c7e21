"""The ground truth of the plays job: logical plays, the events that represent them, and a
plain-Python recount of every rollup (written here, not with the job) to compare the job with.

A logical play is published in several representations (API, extended export, account export,
per its `shape`); the job must count it once. `assert_rollups_match` recomputes totals, entity
rows, the heatmap, sessions, streaks and user stats from the logical plays and compares them with
what the job wrote.

    load_catalog(db)
    plays = logical_plays(36, seed=7)
    publish([e for p in plays for e in events(p, "alice")])   # … run the job …
    assert_rollups_match(db, "alice", plays, "America/New_York")
"""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from core import gold
from core.events import PlayEvent

TRACKS = {  # id: (name, artist, album, release_date, track genres, artist id)
    "t1": ("Halo", "Beyoncé", "I Am... Sasha Fierce", "2008-11-12", ["pop", "r&b"], "a1"),
    "t2": ("So What", "Miles Davis", "Kind of Blue", "1959-08-17", [], "a2"),
    "t3": ("Hey Ya!", "OutKast", "Speakerboxxx", "2003-09-23", ["hip hop"], "a3"),
    "t4": ("Unknown Song", "Nobody", "No Catalog", None, [], "a4"),  # not in the catalog
}
ARTIST_GENRES = {"a1": ["pop"], "a2": ["jazz", "cool jazz"], "a3": ["hip hop"]}
SHAPES = ["api", "ext", "api+ext", "api+acc", "acc", "ext+acc", "api+ext+acc"]


def load_catalog(db: Any) -> None:
    for tid, (name, artist, album, release, genres, aid) in TRACKS.items():
        if tid == "t4":
            continue
        db.tracks.insert_one(
            {
                "_id": tid,
                "name": name,
                "artist_ids": [aid],
                "artist_names": [artist],
                "album_name": album,
                "release_date": release,
                "genres": genres,
                "features": {"danceability": 0.5, "energy": 0.7, "tempo": 120.0},
            }
        )
    for aid, genres in ARTIST_GENRES.items():
        db.artists.insert_one({"_id": aid, "name": aid, "genres": genres})


def logical_plays(
    n: int, seed: int, start: datetime = datetime(2024, 3, 8, 20, 0, tzinfo=UTC), first: int = 0
) -> list[dict]:
    """`n` plays after `start`, minutes to hours apart, in every shape, some shorter than a stream;
    numbered from `first` (event ids are `<source>-<number>`: give each user its own range)."""
    rng = random.Random(seed)
    plays, t = [], start
    for i in range(n):
        t += timedelta(minutes=rng.choice([4, 5, 30, 300, 900]))
        plays.append(
            {
                "i": first + i,
                "track": rng.choice(list(TRACKS)),
                "ended": t,
                "shape": SHAPES[i % 7],
                "ms": rng.choice([12_000, 29_999, 30_000, 95_000, 210_000]),
                "platform": rng.choice(["android", "ios", "web"]),
                "skipped": i % 5 == 0,
            }
        )
    return plays


def events(play: dict, user: str) -> list[PlayEvent]:
    """The play events that represent one logical play (one per source of its shape)."""
    name, artist, album, *_ = TRACKS[play["track"]]
    out, i, shape = [], play["i"], play["shape"]
    if "api" in shape:
        estimated = "ext" in shape  # the poller only knows the duration; the export knows the truth
        out.append(
            PlayEvent(
                event_id=f"api-{i}",
                user_id=user,
                source="api",
                track_id=play["track"],
                ended_at=play["ended"] + timedelta(seconds=2),
                track_name=name,
                artist_names=[artist],
                album_name=album,
                ms_played=200_000 if estimated else play["ms"],
                ms_played_estimated=estimated,
            )
        )
    if "ext" in shape:
        out.append(
            PlayEvent(
                event_id=f"ext-{i}",
                user_id=user,
                source="export_extended",
                track_id=play["track"],
                ended_at=play["ended"],
                track_name=name,
                artist_names=[artist],
                album_name=album,
                ms_played=play["ms"],
                platform=play["platform"],
                skipped=play["skipped"],
            )
        )
    if "acc" in shape:
        out.append(
            PlayEvent(
                event_id=f"acc-{i}",
                user_id=user,
                source="export_account",
                ended_at=play["ended"].replace(second=0),
                track_name=name.upper(),
                artist_names=[artist],
                ms_played=play["ms"],
            )
        )
    return out


def truth_play(play: dict) -> dict:
    """What the job can know about a logical play, from its representations."""
    name, artist, album, release, genres, aid = TRACKS[play["track"]]
    shape = play["shape"]
    known_id = "api" in shape or "ext" in shape
    ended = (
        play["ended"]
        if "ext" in shape
        else play["ended"] + timedelta(seconds=2)
        if "api" in shape
        else play["ended"].replace(second=0)
    )
    in_catalog = known_id and play["track"] != "t4"
    return {
        "ended": ended,
        "ms": play["ms"],
        "track": name,
        "artist": artist,
        "album": album if known_id else None,
        "genres": (genres or ARTIST_GENRES.get(aid, [])) if in_catalog else [],
        "decade": f"{int(release[:3])}0s" if in_catalog and release else None,
        "platform": play["platform"] if "ext" in shape else None,
        "skipped": bool(play["skipped"]) if "ext" in shape else False,
    }


def expected(plays: list[dict], zone: str):
    totals = defaultdict(lambda: [0, 0, 0.0, 0])
    ents = defaultdict(lambda: [0, 0, 0.0])
    heat = defaultdict(lambda: [0, 0.0])
    for p in map(truth_play, plays):
        local = p["ended"].astimezone(ZoneInfo(zone))
        stream = p["ms"] >= 30_000
        for grain, period in (
            ("day", local.strftime("%Y-%m-%d")),
            ("month", local.strftime("%Y-%m")),
            ("year", str(local.year)),
            ("all", "all"),
        ):
            row = totals[(grain, period)]
            row[0] += stream
            row[1] += 1
            row[2] += p["ms"] / 60000
            row[3] += (not stream) or p["skipped"]
            names = [("track", p["track"]), ("artist", p["artist"])]
            names += [("album", p["album"])] if p["album"] else []
            names += [("genre", g) for g in p["genres"]]
            names += [("decade", p["decade"])] if p["decade"] else []
            names += [("platform", p["platform"])] if p["platform"] else []
            for etype, ename in names:
                e = ents[(grain, period, etype, ename.casefold())]
                e[0] += stream
                e[1] += 1
                e[2] += p["ms"] / 60000
        cell = heat[(local.weekday(), local.hour)]
        cell[0] += stream
        cell[1] += p["ms"] / 60000
    return totals, ents, heat


def assert_rollups_match(mongo_db: Any, user: str, plays: list[dict], zone: str) -> None:
    """Every rollup of `user` equals the recount of `plays`: nothing lost, nothing counted twice."""
    totals, ents, heat = expected(plays, zone)
    got_totals = {(d["grain"], d["period"]): d for d in mongo_db.rollup_totals.find({"user_id": user})}
    assert set(got_totals) == set(totals)
    for key, (streams, n, minutes, skips) in totals.items():
        doc = got_totals[key]
        assert (doc["streams"], doc["plays"], doc["skips"]) == (streams, n, skips), key
        assert doc["minutes"] == pytest.approx(minutes), key
    got_ents = {
        (d["grain"], d["period"], d["entity_type"], row["name"].casefold()): row
        for d in mongo_db.rollup_entity_rows.find({"user_id": user})
        for row in gold.unpack_rows(d["rows"])
    }
    assert set(got_ents) == set(ents)
    for key, (streams, n, minutes) in ents.items():
        doc = got_ents[key]
        assert (doc["streams"], doc["plays"]) == (streams, n), key
        assert doc["minutes"] == pytest.approx(minutes), key
    cells = mongo_db.rollup_heatmap.find_one({"user_id": user, "grain": "all"})["cells"]
    assert {(c["weekday"], c["hour"]): (c["streams"], pytest.approx(c["minutes"])) for c in cells} == {
        k: (v[0], v[1]) for k, v in heat.items()
    }
    assert mongo_db.plays.count_documents({"user_id": user}) == len(plays)

    # sessions and streaks, recomputed plainly
    truth = sorted((truth_play(p) for p in plays), key=lambda p: p["ended"])
    n_sessions, last_end = 0, None
    for p in truth:
        start = p["ended"] - timedelta(milliseconds=p["ms"])
        if last_end is None or start - last_end > timedelta(minutes=10):
            n_sessions += 1
        last_end = p["ended"] if last_end is None else max(last_end, p["ended"])
    days = list(mongo_db.rollup_totals.find({"user_id": user, "grain": "day"}))
    assert sum(len(d["session_list"]) for d in days) == n_sessions
    assert got_totals[("all", "all")]["sessions"] == n_sessions
    # each day lists exactly its plays (the writer finds a day's plays by these ids)
    listed = sorted(i for d in days for i in d["play_ids"])
    assert listed == sorted(p["_id"] for p in mongo_db.plays.find({"user_id": user}, {"_id": 1}))
    stream_days = sorted({p["ended"].astimezone(ZoneInfo(zone)).date() for p in truth if p["ms"] >= 30_000})
    longest = run = 1
    for a, b in pairwise(stream_days):
        run = run + 1 if (b - a).days == 1 else 1
        longest = max(longest, run)
    stats = mongo_db.user_stats.find_one({"_id": user})
    assert stats["longest_streak"] == longest
    assert stats["total_streams"] == totals[("all", "all")][0]
    assert stats["sessions"] == n_sessions
    assert stats["active_days"] == [d.isoformat() for d in stream_days]
