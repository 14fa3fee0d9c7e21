"""The plays job end to end against real Kafka, FerretDB and Spark.

Ground truth: the test invents the *logical* plays, publishes several representations of them
(API, extended export, account export), duplicates, a re-import, years-late plays and malformed
messages, stops and restarts the query from its checkpoint in the middle, then compares every
rollup with a plain-Python recomputation from the logical plays (written here, not with the job).
"""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest

from core import gold, kafka
from core.events import DeadLetterEvent, PlayEvent, decode
from core.topics import Topic, topic_name

pytestmark = [pytest.mark.integration, pytest.mark.spark]

USER, TZ_USER, ZONE = "gt-user", "tz-user", "America/New_York"
TRACKS = {  # id: (name, artist, album, release_date, track genres, artist id)
    "t1": ("Halo", "Beyoncé", "I Am... Sasha Fierce", "2008-11-12", ["pop", "r&b"], "a1"),
    "t2": ("So What", "Miles Davis", "Kind of Blue", "1959-08-17", [], "a2"),
    "t3": ("Hey Ya!", "OutKast", "Speakerboxxx", "2003-09-23", ["hip hop"], "a3"),
    "t4": ("Unknown Song", "Nobody", "No Catalog", None, [], "a4"),  # not in the catalog
}
ARTIST_GENRES = {"a1": ["pop"], "a2": ["jazz", "cool jazz"], "a3": ["hip hop"]}


def _catalog(db) -> None:
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


def _logical_plays() -> list[dict]:
    rng = random.Random(7)
    plays, t = [], datetime(2024, 3, 8, 20, 0, tzinfo=UTC)
    for i in range(36):
        t += timedelta(minutes=rng.choice([4, 5, 30, 300, 900]))
        shape = ["api", "ext", "api+ext", "api+acc", "acc", "ext+acc", "api+ext+acc"][i % 7]
        plays.append(
            {
                "i": i,
                "track": rng.choice(list(TRACKS)),
                "ended": t,
                "shape": shape,
                "ms": rng.choice([12_000, 29_999, 30_000, 95_000, 210_000]),
                "platform": rng.choice(["android", "ios", "web"]),
                "skipped": i % 5 == 0,
            }
        )
    # the same track replayed within the tolerance from the same source: two real plays
    last = plays[-1]["ended"] + timedelta(minutes=10)
    plays.append(
        {
            "i": 100,
            "track": "t1",
            "ended": last,
            "shape": "api",
            "ms": 20_000,
            "platform": None,
            "skipped": True,
        }
    )
    plays.append(
        {
            "i": 101,
            "track": "t1",
            "ended": last + timedelta(seconds=50),
            "shape": "api",
            "ms": 50_000,
            "platform": None,
            "skipped": False,
        }
    )
    for j, year in enumerate((2016, 2016, 2019)):  # years-late plays, imported last
        plays.append(
            {
                "i": 200 + j,
                "track": "t2",
                "ended": datetime(year, 12, 31, 23, 40 + j, tzinfo=UTC),
                "shape": "ext",
                "ms": 180_000,
                "platform": "web",
                "skipped": False,
                "late": True,
            }
        )
    return plays


def _events(play: dict) -> list[PlayEvent]:
    name, artist, album, *_ = TRACKS[play["track"]]
    out, i, shape = [], play["i"], play["shape"]
    if "api" in shape:
        estimated = "ext" in shape  # the poller only knows the duration; the export knows the truth
        out.append(
            PlayEvent(
                event_id=f"api-{i}",
                user_id=USER,
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
                user_id=USER,
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
                user_id=USER,
                source="export_account",
                ended_at=play["ended"].replace(second=0),
                track_name=name.upper(),
                artist_names=[artist],
                ms_played=play["ms"],
            )
        )
    return out


def _truth_play(play: dict) -> dict:
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


def _expected(plays: list[dict], zone: str):
    totals = defaultdict(lambda: [0, 0, 0.0, 0])
    ents = defaultdict(lambda: [0, 0, 0.0])
    heat = defaultdict(lambda: [0, 0.0])
    for p in map(_truth_play, plays):
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


def _publish(settings, events, raw: list[bytes] = ()) -> None:
    prod = kafka.producer(settings)
    for event in events:
        kafka.send(prod, settings, Topic.PLAYS, event)
    for value in raw:
        prod.send(topic_name(Topic.PLAYS, settings.topic_prefix), key=USER.encode(), value=value)
    prod.flush()
    prod.close()


def _run_once(spark, settings, checkpoint) -> None:
    from spark_jobs.plays import build_stream

    query = build_stream(spark, settings, checkpoint=checkpoint)
    try:
        query.processAllAvailable()
    finally:
        query.stop()
    assert query.exception() is None


def totals_all_sessions(got_totals) -> int:
    return got_totals[("all", "all")]["sessions"]


def test_rollups_equal_ground_truth_across_restart(stack, spark, mongo_db, checkpoint_root):
    _catalog(mongo_db)
    mongo_db.users.insert_one({"_id": USER, "time_zone": ZONE})
    plays = _logical_plays()
    live = [p for p in plays if not p.get("late")]
    first, second = live[: len(live) // 2], live[len(live) // 2 :]
    events_1 = [e for p in first for e in _events(p)]
    rng = random.Random(3)
    _publish(stack, events_1 + rng.sample(events_1, 5))  # redeliveries inside the stream
    checkpoint = checkpoint_root / "plays-gt"
    _run_once(spark, stack, checkpoint)

    # restart from the checkpoint: the rest out of order, a re-import of every export event,
    # years-late plays and malformed messages
    events_2 = [e for p in second for e in _events(p)]
    rng.shuffle(events_2)
    reimport = [e for p in live for e in _events(p) if e.source != "api"]
    late = [e for p in plays if p.get("late") for e in _events(p)]
    bad = [b"{broken json", b'{"schema_version": 1, "event_id": "x1", "user_id": "gt-user"}']
    _publish(stack, events_2 + reimport + late, raw=bad)
    _run_once(spark, stack, checkpoint)

    totals, ents, heat = _expected(plays, ZONE)
    got_totals = {(d["grain"], d["period"]): d for d in mongo_db.rollup_totals.find({"user_id": USER})}
    assert set(got_totals) == set(totals)
    for key, (streams, n, minutes, skips) in totals.items():
        doc = got_totals[key]
        assert (doc["streams"], doc["plays"], doc["skips"]) == (streams, n, skips), key
        assert doc["minutes"] == pytest.approx(minutes), key
    got_ents = {
        (d["grain"], d["period"], d["entity_type"], row["name"].casefold()): row
        for d in mongo_db.rollup_entity_rows.find({"user_id": USER})
        for row in gold.unpack_rows(d["rows"])
    }
    assert set(got_ents) == set(ents)
    for key, (streams, n, minutes) in ents.items():
        doc = got_ents[key]
        assert (doc["streams"], doc["plays"]) == (streams, n), key
        assert doc["minutes"] == pytest.approx(minutes), key
    cells = mongo_db.rollup_heatmap.find_one({"user_id": USER, "grain": "all"})["cells"]
    assert {(c["weekday"], c["hour"]): (c["streams"], pytest.approx(c["minutes"])) for c in cells} == {
        k: (v[0], v[1]) for k, v in heat.items()
    }
    assert mongo_db.plays.count_documents({"user_id": USER}) == len(plays)
    # the 2016 plays landed in 2016 (New York is still on Dec 31st at 23:40 UTC)
    assert got_totals[("year", "2016")]["plays"] == 2

    # sessions and streaks, recomputed plainly
    truth = sorted((_truth_play(p) for p in plays), key=lambda p: p["ended"])
    n_sessions, last_end = 0, None
    for p in truth:
        start = p["ended"] - timedelta(milliseconds=p["ms"])
        if last_end is None or start - last_end > timedelta(minutes=10):
            n_sessions += 1
        last_end = p["ended"] if last_end is None else max(last_end, p["ended"])
    days = list(mongo_db.rollup_totals.find({"user_id": USER, "grain": "day"}))
    assert sum(len(d["session_list"]) for d in days) == n_sessions
    assert totals_all_sessions(got_totals) == n_sessions
    # each day lists exactly its plays (the writer finds a day's plays by these ids)
    listed = sorted(i for d in days for i in d["play_ids"])
    assert listed == sorted(p["_id"] for p in mongo_db.plays.find({"user_id": USER}, {"_id": 1}))
    stream_days = sorted({p["ended"].astimezone(ZoneInfo(ZONE)).date() for p in truth if p["ms"] >= 30_000})
    longest = run = 1
    for a, b in pairwise(stream_days):
        run = run + 1 if (b - a).days == 1 else 1
        longest = max(longest, run)
    stats = mongo_db.user_stats.find_one({"_id": USER})
    assert stats["longest_streak"] == longest
    assert stats["total_streams"] == totals[("all", "all")][0]
    assert stats["sessions"] == n_sessions
    assert stats["active_days"] == [d.isoformat() for d in stream_days]

    # the malformed messages: in dead_letters with their reason, and on the dead-letter topic
    letters = {d["payload"]: d for d in mongo_db.dead_letters.find({"stage": "spark.plays"})}
    assert "not valid JSON" in letters["{broken json"]["reason"]
    assert "required field" in letters[bad[1].decode()]["reason"]
    cons = kafka.consumer(stack, None, Topic.DEADLETTER, consumer_timeout_ms=10_000)
    seen = set()
    wanted = {b.decode() for b in bad}
    for message in cons:  # the topic is shared by the session: read until ours are all there
        seen.add(decode(DeadLetterEvent, message.value).payload)
        if wanted <= seen:
            break
    cons.close()
    assert wanted <= seen
    health = mongo_db.pipeline_health.find_one({"_id": "spark.plays"})
    assert health["kind"] == "spark" and "last_batch" in health["details"]


def test_late_evening_utc_play_lands_on_next_local_day(stack, spark, mongo_db, checkpoint_root):
    mongo_db.users.insert_one({"_id": TZ_USER, "time_zone": "Etc/GMT-2"})  # UTC+2, no DST
    play = PlayEvent(
        event_id="tz-1",
        user_id=TZ_USER,
        source="demo",
        track_id="t1",
        track_name="Halo",
        artist_names=["Beyoncé"],
        ended_at=datetime(2024, 6, 30, 23, 30, tzinfo=UTC),
        ms_played=200_000,
    )
    _publish(stack, [play])
    _run_once(spark, stack, checkpoint_root / "plays-tz")
    doc = mongo_db.plays.find_one({"user_id": TZ_USER})
    assert (doc["local_day"], doc["local_hour"]) == ("2024-07-01", 1)
    day = mongo_db.rollup_totals.find_one({"user_id": TZ_USER, "grain": "day"})
    assert day["period"] == "2024-07-01" and day["streams"] == 1
    assert mongo_db.rollup_totals.find_one({"user_id": TZ_USER, "grain": "month"})["period"] == "2024-07"
