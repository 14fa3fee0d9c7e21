"""Demo listener logic: deterministic days, realistic habits, live playback at wall-clock time."""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from itertools import pairwise
from pathlib import Path

import pytest

from producer.demo.catalog import catalog_event, load_catalog
from producer.demo.live import LiveListener
from producer.demo.sim import Picker, make_listeners, simulate_day
from producer.playlists import parse_playlist_ref

HEADER = (
    ",track_id,artists,album_name,track_name,popularity,duration_ms,explicit,danceability,energy,key,"
    "loudness,mode,speechiness,acousticness,instrumentalness,liveness,valence,tempo,time_signature,track_genre"
)


def tiny_catalog(path: Path, n: int = 60) -> Path:
    genres = ["rock", "jazz", "ambient", "pop"]
    rows = [HEADER]
    for i in range(n):
        tid = f"{i:022d}"
        rows.append(
            f'{i},{tid},"Artist {i % 9};Guest",Album {i % 7},"Song, {i}",40,{150_000 + i * 1000},False,'
            f"0.5,0.6,5,-7.5,1,0.05,0.3,0.0,0.1,0.4,120.0,4,{genres[i % 4]}"
        )
    rows.append(
        f'{n},{0:022d},Artist 0;Guest,Album 0,"Song, 0",40,150000,False,0.5,0.6,5,-7.5,1,0.05,0.3,0.0,'
        "0.1,0.4,120.0,4,indie"
    )  # the same track under a second genre
    rows.append(f"{n + 1},,,,,0,0,False,,,,,,,,,,,,,")  # the dataset's one empty row
    path.write_text("\n".join(rows) + "\n")
    return path


@pytest.fixture
def catalog(tmp_path: Path):
    return load_catalog(tiny_catalog(tmp_path / "sample.csv"))


def test_catalog_merges_genres_and_drops_empty_rows(catalog) -> None:
    assert len(catalog) == 60
    first = catalog[0]
    assert first.genres == ["rock", "indie"] and first.artists == ["Artist 0", "Guest"]
    assert first.name == "Song, 0" and first.features is not None and first.features.tempo == 120.0
    event = catalog_event(first)
    assert event.entity_id == first.track_id and event.source == "demo" and event.genres == ["rock", "indie"]


def test_days_are_deterministic_and_show_habits(catalog) -> None:
    alice = make_listeners(catalog, 1)[0]
    picker = Picker(alice, catalog)
    day = date(2026, 3, 4)  # a Wednesday
    plays = simulate_day(alice, picker, day)
    assert plays == simulate_day(alice, picker, day)
    assert plays != simulate_day(alice, picker, day + timedelta(days=1))
    month = [p for d in range(28) for p in simulate_day(alice, picker, day + timedelta(days=d))]
    hours = Counter(
        p.started_at.astimezone(__import__("zoneinfo").ZoneInfo(alice.time_zone)).hour for p in month
    )
    assert hours[3] == 0 and hours[8] + hours[19] > 0  # nobody listens at 3 am; mornings and evenings busy
    skipped = [p for p in month if p.skipped]
    assert 0.05 < len(skipped) / len(month) < 0.5 and all(p.ms_played < 40_001 for p in skipped)
    favourites = sum(1 for p in month if set(p.track.artists) & set(alice.artists))
    assert favourites / len(month) > 0.4
    starts = [p.started_at for p in plays]
    assert starts == sorted(starts)
    assert any(a.track.track_id == b.track.track_id for a, b in pairwise(month))  # repeats


def test_live_listener_ends_plays_at_wall_clock_and_reports_progress(catalog) -> None:
    alice = make_listeners(catalog, 1)[0]
    start = datetime(2026, 3, 4, 18, 0, tzinfo=UTC)
    player = LiveListener(alice, Picker(alice, catalog), random.Random(1), speed=60, now=start)
    ended, playing = [], 0
    for second in range(0, 1800, 2):
        now = start + timedelta(seconds=second)
        ended += [(p, end) for p, end in player.advance(now)]
        state = player.now_playing(now)
        if state is not None and state.is_playing:
            playing += 1
            assert 0 <= state.progress_ms <= state.duration_ms
    assert len(ended) > 10 and playing > 100
    for _, end in ended:
        assert start <= end <= start + timedelta(seconds=1800)
    ends = [end for _, end in ended]
    assert ends == sorted(ends)
    with pytest.raises(ValueError):
        LiveListener(alice, Picker(alice, catalog), random.Random(1), speed=0, now=start)


@pytest.mark.parametrize(
    "text",
    [
        "37i9dQZF1DXcBWIGoYBM5M",
        "spotify:playlist:37i9dQZF1DXcBWIGoYBM5M",
        "https://open.spotify.com/playlist/37i9dQZF1DXcBWIGoYBM5M?si=x1",
        "open.spotify.com/intl-de/playlist/37i9dQZF1DXcBWIGoYBM5M",
        "  spotify:user:bob:playlist:37i9dQZF1DXcBWIGoYBM5M ",
    ],
)
def test_playlist_refs(text: str) -> None:
    assert parse_playlist_ref(text) == "37i9dQZF1DXcBWIGoYBM5M"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty"),
        ("https://example.com/playlist/37i9dQZF1DXcBWIGoYBM5M", "not a Spotify playlist link"),
        ("https://open.spotify.com/album/37i9dQZF1DXcBWIGoYBM5M", "does not point at a playlist"),
        ("spotify:album:37i9dQZF1DXcBWIGoYBM5M", "not a playlist URI"),
        ("abc", "not a Spotify playlist ID"),
    ],
)
def test_bad_playlist_refs_explain(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_playlist_ref(text)
