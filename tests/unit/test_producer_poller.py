"""Poller logic without services: wait rules, error classification, play mapping and estimates."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import spotipy

from producer.poller.backoff import (
    ACTIVE_RECENT_S,
    IDLE_RECENT_MAX_S,
    MAX_BACKOFF_S,
    FakeClock,
    failure_delay,
    next_recent_interval,
)
from producer.poller.recent import Tracker, now_playing_event, play_event, played_ms
from producer.poller.spotify import classify, require_credentials
from tests.fake_spotify.server import track_object


def test_wait_rules() -> None:
    assert failure_delay("rate_limited", 7200, 1) == 7200
    assert failure_delay("rate_limited", None, 1) == 60
    assert failure_delay("quota", None, 1) == 3600
    assert [failure_delay("server", None, n) for n in (1, 2, 3)] == [5, 10, 20]
    assert failure_delay("server", None, 30) == MAX_BACKOFF_S
    assert failure_delay("unauthorized", None, 1) == 1
    interval = ACTIVE_RECENT_S
    for _ in range(10):
        interval = next_recent_interval(interval, active=False)
    assert interval == IDLE_RECENT_MAX_S <= 25 * 60
    assert next_recent_interval(interval, active=True) == ACTIVE_RECENT_S
    clock = FakeClock(100)
    clock.sleep(7200)
    assert clock.now() == 7300


def test_classify_tells_quota_from_rate_limit() -> None:
    plain = classify(spotipy.SpotifyException(429, -1, "x", headers={"Retry-After": "7200"}))
    assert (plain.kind, plain.retry_after) == ("rate_limited", 7200)
    quota = classify(spotipy.SpotifyException(429, -1, "x", reason="QUOTA_EXCEEDED", headers={}))
    assert (quota.kind, quota.retry_after) == ("quota", None)
    assert classify(spotipy.SpotifyException(403, -1, "u:\n Forbidden")).kind == "forbidden"
    assert classify(spotipy.SpotifyException(503, -1, "x")).kind == "server"


def test_play_mapping_and_ms_played_estimate() -> None:
    item = {
        "played_at": "2026-01-10T12:03:20.500Z",
        "track": track_object("0" * 22, duration_ms=200_000),
        "context": {"uri": "spotify:playlist:abc"},
    }
    ended = played_ms(item) / 1000
    assert played_ms(item) == int(datetime(2026, 1, 10, 12, 3, 20, 500000, tzinfo=UTC).timestamp() * 1000)
    tracker = Tracker()
    unseen = play_event("u", item, tracker)
    assert (
        unseen.ms_played == 200_000
        and unseen.ms_played_estimated
        and unseen.context_uri == "spotify:playlist:abc"
    )
    tracker.observe("0" * 22, 60_000, ended - 30)  # seen at 1:00, ended 30 s later: skipped at ~1:30
    seen = play_event("u", item, tracker)
    assert seen.ms_played == 90_000 and seen.event_id == unseen.event_id
    tracker.observe("0" * 22, 10_000, ended - 5000)  # an observation of an older play
    assert play_event("u", item, tracker).ms_played == 200_000


def test_now_playing_204_and_episode() -> None:
    at = datetime(2026, 1, 1, tzinfo=UTC)
    idle = now_playing_event("u", None, at)
    assert not idle.is_playing and idle.track_id is None
    episode = {
        "is_playing": True,
        "progress_ms": 5,
        "currently_playing_type": "episode",
        "item": {"id": "e1", "type": "episode", "name": "Ep", "duration_ms": 9, "show": {"name": "Show"}},
    }
    state = now_playing_event("u", episode, at)
    assert (state.kind, state.album_name, state.artist_names, state.progress_ms) == (
        "episode",
        "Show",
        ["Show"],
        5,
    )


def test_poller_start_check_names_exactly_what_is_missing() -> None:
    from pydantic import SecretStr

    from core.settings import SettingsError, load_settings

    with pytest.raises(SettingsError, match="needs SPOTIFY_CLIENT_SECRET ") as err:
        require_credentials(load_settings(spotify_client_id="id"))
    assert "SPOTIFY_CLIENT_ID" not in str(err.value) and "\n" not in str(err.value)
    require_credentials(load_settings(spotify_client_id="id", spotify_client_secret=SecretStr("s")))
