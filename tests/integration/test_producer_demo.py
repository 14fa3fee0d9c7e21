"""The demo listener feeds the real broker and database: valid plays, now-playing, playlists,
catalogue, demo users and a heartbeat; the backfill republishes identical ids."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import timedelta

import pytest

from core.collections import Coll
from core.events import CatalogEvent, NowPlayingEvent, PlayEvent, PlaylistTrackEvent, utc_now
from core.topics import Topic
from producer.demo.catalog import load_catalog
from producer.demo.run import Demo
from producer.publish import Publisher
from tests.fake_spotify.kafka_read import read_topic
from tests.unit.test_producer_demo import tiny_catalog

pytestmark = pytest.mark.integration


def test_demo_publishes_valid_plays_now_playing_and_playlists(stack, mongo_db, tmp_path) -> None:
    catalog = load_catalog(tiny_catalog(tmp_path / "sample.csv"))
    with Publisher(stack) as pub:
        demo = Demo(stack, catalog, 2, pub)
        demo.setup()
        backfilled = demo.backfill(3)
        demo.live(speed=600, stop=threading.Event(), duration=6, seed=3, tick=0.5)
        demo.backfill(3)  # a restart: the same past days again

    for user in ("demo-alice", "demo-bob"):
        plays = [PlayEvent.model_validate(v) for v in read_topic(stack, Topic.PLAYS, user)]
        assert {p.source for p in plays} == {"demo"}
        assert all(p.ended_at <= utc_now() + timedelta(seconds=1) for p in plays)
        past = [p for p in plays if p.ended_at < utc_now() - timedelta(hours=1)]
        counts = Counter(p.event_id for p in past)
        assert set(counts.values()) == {2}  # the backfill twice: identical ids, nothing else differs
        live = [p for p in plays if p.ended_at >= utc_now() - timedelta(minutes=5)]
        assert live, "live plays at wall-clock time"
        states = [NowPlayingEvent.model_validate(v) for v in read_topic(stack, Topic.NOW_PLAYING, user)]
        assert any(s.is_playing and s.track_id for s in states)
        tracks = [
            PlaylistTrackEvent.model_validate(v) for v in read_topic(stack, Topic.PLAYLIST_TRACKS, user)
        ]
        assert {t.source for t in tracks} == {"demo"} and len({t.playlist_id for t in tracks}) == 2
        doc = mongo_db[Coll.USERS.value].find_one({"_id": user})
        assert doc["demo"] is True and doc["time_zone"]
        assert mongo_db[Coll.PLAYLISTS.value].count_documents({"user_id": user, "source": "demo"}) == 2
    assert backfilled > 0
    catalog_events = [CatalogEvent.model_validate(v) for v in read_topic(stack, Topic.CATALOG)]
    played = {p["track_id"] for u in ("demo-alice", "demo-bob") for p in read_topic(stack, Topic.PLAYS, u)}
    assert played <= {c.entity_id for c in catalog_events}
    health = mongo_db[Coll.PIPELINE_HEALTH.value].find_one({"_id": "producer.demo"})
    assert health["status"] == "ok" and health["details"]["plays"] >= backfilled
