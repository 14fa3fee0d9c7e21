"""Reprocessing and the playlist job against the real stack."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from core import gold, kafka
from core.events import PlayEvent, PlaylistTrackEvent
from core.topics import Topic

pytestmark = [pytest.mark.integration, pytest.mark.spark]


def _run(module, spark, settings, checkpoint) -> None:
    query = module.build_stream(spark, settings, checkpoint=checkpoint)
    try:
        query.processAllAvailable()
    finally:
        query.stop()


def _publish(settings, topic, events) -> None:
    prod = kafka.producer(settings)
    for event in events:
        kafka.send(prod, settings, topic, event)
    prod.flush()
    prod.close()


def test_reprocess_reenriches_and_moves_buckets_on_zone_change(stack, spark, mongo_db, checkpoint_root):
    from pipeline.reprocess import reprocess
    from spark_jobs import plays

    user = "rp-user"
    base = datetime(2023, 1, 10, 22, 30, tzinfo=UTC)
    events = [
        PlayEvent(
            event_id=f"rp-{i}",
            user_id=user,
            source="api",
            track_id="rp-t",
            track_name="Late",
            artist_names=["Owl"],
            ended_at=base + timedelta(minutes=5 * i),
            ms_played=240_000,
        )
        for i in range(4)
    ]  # 22:30 … 22:45 UTC
    _publish(stack, Topic.PLAYS, events)
    _run(plays, spark, stack, checkpoint_root / "plays-rp")
    assert mongo_db.plays.find_one({"user_id": user})["genres"] == []
    before_all = mongo_db.rollup_totals.find_one({"user_id": user, "grain": "all"})

    # the Kaggle backfill arrives later, and the user moves to UTC+3
    mongo_db.tracks.insert_one(
        {
            "_id": "rp-t",
            "name": "Late",
            "artist_ids": ["rp-a"],
            "genres": [],
            "release_date": "1994-03-01",
            "features": {"energy": 0.9},
        }
    )
    mongo_db.artists.insert_one({"_id": "rp-a", "name": "Owl", "genres": ["trip hop"]})
    mongo_db.users.insert_one({"_id": user, "time_zone": "Europe/Moscow"})
    result = reprocess(stack, user_id=user, start=date(2023, 1, 1), end=date(2023, 1, 31))
    again = reprocess(stack, user_id=user, start=date(2023, 1, 1), end=date(2023, 1, 31))
    assert result["plays"] == again["plays"] == 4

    assert mongo_db.plays.find_one({"user_id": user})["genres"] == ["trip hop"]
    days = {d["period"]: d["streams"] for d in mongo_db.rollup_totals.find({"user_id": user, "grain": "day"})}
    assert days == {"2023-01-11": 4}  # 01:30 Moscow time: the old '2023-01-10' bucket is gone
    after_all = mongo_db.rollup_totals.find_one({"user_id": user, "grain": "all"})
    assert (after_all["streams"], after_all["minutes"]) == (before_all["streams"], before_all["minutes"])
    (genre,) = gold.entity_row_docs(mongo_db, [gold.head_id(user, "all", "all", "genre")])
    assert [(r["key"], r["streams"]) for r in gold.unpack_rows(genre["rows"])] == [("trip hop", 4)]
    taste = mongo_db.taste_profiles.find_one({"user_id": user, "grain": "all"})
    assert taste["coverage"] == pytest.approx(1.0)
    assert taste["features"]["energy"]["mean"] == pytest.approx(0.9)


def test_playlist_profile_from_latest_snapshot(stack, spark, mongo_db, checkpoint_root):
    from spark_jobs import playlists

    for i, (dance, year) in enumerate([(0.2, "1985"), (0.4, "1992"), (0.8, "2001")]):
        mongo_db.tracks.insert_one(
            {
                "_id": f"pl-t{i}",
                "name": f"T{i}",
                "artist_ids": [],
                "release_date": year,
                "genres": ["rock"],
                "features": {"danceability": dance, "key": 0, "mode": 1},
            }
        )

    def snap(snapshot: str, ids: list[str]) -> list[PlaylistTrackEvent]:
        return [
            PlaylistTrackEvent(
                event_id=f"{snapshot}-{p}",
                user_id="pl-user",
                source="api",
                playlist_id="pl1",
                playlist_name="Mix",
                snapshot_id=snapshot,
                position=p,
                total_tracks=len(ids),
                track_id=tid,
            )
            for p, tid in enumerate(ids)
        ]

    _publish(stack, Topic.PLAYLIST_TRACKS, snap("s1", ["pl-t0", "pl-t1"]))
    _run(playlists, spark, stack, checkpoint_root / "playlists")
    _publish(stack, Topic.PLAYLIST_TRACKS, snap("s2", ["pl-t0", "pl-t1", "pl-t2", "missing"]))
    _run(playlists, spark, stack, checkpoint_root / "playlists")

    doc = mongo_db.playlist_profiles.find_one({"user_id": "pl-user", "playlist_id": "pl1"})
    assert (doc["snapshot_id"], doc["tracks"], doc["name"]) == ("s2", 4, "Mix")
    assert doc["coverage"] == pytest.approx(3 / 4)
    dance = doc["features"]["danceability"]
    assert dance["mean"] == pytest.approx((0.2 + 0.4 + 0.8) / 3)
    assert len(dance["hist"]) == 10 and sum(dance["hist"]) == pytest.approx(1.0)
    assert dance["p10"] <= dance["p50"] <= dance["p90"]
    assert doc["decades"] == pytest.approx({"1980s": 1 / 3, "1990s": 1 / 3, "2000s": 1 / 3})
    assert doc["genres"] == {"rock": 1.0} and doc["key_mode"] == {"C major": 1.0}
