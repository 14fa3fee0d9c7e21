"""Simulated listening habits (pure: no I/O, deterministic for a seed).

A `Listener` has favourite genres and artists, a skip and a repeat rate, a time zone and a daily
rhythm (commute, work, evening; night owls shift later; weekends start late and last longer).
`simulate_day` produces one local day of sessions — the same plays for the same listener and day,
so a backfill published twice publishes identical event ids. `session` is the building block the
live listener uses too.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from core.events import stable_id
from producer.demo.catalog import DemoTrack

PERSONAS = (  # name, time zone, country, night owl
    ("alice", "Europe/Berlin", "DE", False),
    ("bob", "America/New_York", "US", True),
    ("carol", "Asia/Tokyo", "JP", False),
    ("dave", "America/Sao_Paulo", "BR", True),
    ("erin", "Australia/Sydney", "AU", False),
    ("frank", "Europe/London", "GB", False),
)
# Probability of starting a session in each local hour (weekday / weekend).
WEEKDAY = (
    0.02,
    0.01,
    0,
    0,
    0,
    0.02,
    0.15,
    0.55,
    0.6,
    0.3,
    0.25,
    0.25,
    0.45,
    0.3,
    0.25,
    0.3,
    0.35,
    0.55,
    0.5,
    0.45,
    0.5,
    0.45,
    0.3,
    0.1,
)
WEEKEND = (
    0.1,
    0.05,
    0.02,
    0,
    0,
    0,
    0.02,
    0.05,
    0.15,
    0.35,
    0.5,
    0.5,
    0.45,
    0.45,
    0.5,
    0.5,
    0.45,
    0.45,
    0.5,
    0.55,
    0.6,
    0.55,
    0.4,
    0.2,
)
PLATFORMS = ("android", "ios", "osx", "windows", "web_player")


@dataclass(frozen=True)
class Listener:
    user_id: str
    display_name: str
    time_zone: str
    country: str
    genres: tuple[str, ...]
    artists: tuple[str, ...]
    skip_rate: float
    repeat_rate: float
    night_owl: bool

    def activity(self, local: datetime) -> float:
        """Chance of starting a session in this local hour."""
        curve = WEEKEND if local.weekday() >= 5 else WEEKDAY
        hour = (local.hour - 2) % 24 if self.night_owl else local.hour
        return curve[hour]


@dataclass(frozen=True)
class SimPlay:
    track: DemoTrack
    started_at: datetime  # UTC
    ms_played: int
    skipped: bool
    reason_start: str
    reason_end: str
    shuffle: bool
    platform: str
    context_uri: str | None


def make_listeners(catalog: Sequence[DemoTrack], count: int) -> list[Listener]:
    genres = sorted({g for t in catalog for g in t.genres}) or ["unknown"]
    out = []
    for name, zone, country, owl in PERSONAS[:count]:
        rng = random.Random(f"listener:{name}")
        favourite_genres = tuple(rng.sample(genres, k=min(3, len(genres))))
        in_genres = sorted({a for t in catalog if set(t.genres) & set(favourite_genres) for a in t.artists})
        pool = in_genres or sorted({a for t in catalog for a in t.artists})
        out.append(
            Listener(
                user_id=f"demo-{name}",
                display_name=f"{name.title()} (demo)",
                time_zone=zone,
                country=country,
                genres=favourite_genres,
                artists=tuple(rng.sample(pool, k=min(8, len(pool)))),
                skip_rate=rng.uniform(0.12, 0.3),
                repeat_rate=rng.uniform(0.03, 0.08),
                night_owl=owl,
            )
        )
    return out


class Picker:
    """Chooses the next track the way the listener would."""

    def __init__(self, listener: Listener, catalog: Sequence[DemoTrack]):
        self.listener = listener
        self.catalog = list(catalog)
        self.by_artist = [t for t in catalog if set(t.artists) & set(listener.artists)] or self.catalog
        self.by_genre = [t for t in catalog if set(t.genres) & set(listener.genres)] or self.catalog
        self.favourites = {t.track_id for t in self.by_artist}

    def next(self, rng: random.Random, previous: DemoTrack | None) -> DemoTrack:
        roll = rng.random()
        if previous is not None and roll < self.listener.repeat_rate:
            return previous
        if roll < 0.55:
            return rng.choice(self.by_artist)
        if roll < 0.85:
            return rng.choice(self.by_genre)
        return rng.choice(self.catalog)


def session(
    rng: random.Random, picker: Picker, start: datetime, count: int, context_uri: str | None = None
) -> list[SimPlay]:
    """`count` consecutive plays from `start` (UTC), with skips, repeats and a partial last play."""
    plays: list[SimPlay] = []
    moment, previous = start.astimezone(UTC), None
    shuffle, platform = rng.random() < 0.4, rng.choice(PLATFORMS)
    for index in range(count):
        track = picker.next(rng, previous)
        favourite = track.track_id in picker.favourites
        skip_chance = picker.listener.skip_rate * (0.6 if favourite else 1.4)
        if rng.random() < skip_chance:
            ms, skipped, end = rng.randint(2_000, min(40_000, track.duration_ms)), True, "fwdbtn"
        elif index == count - 1 and rng.random() < 0.3:
            ms, skipped, end = rng.randint(30_000, track.duration_ms), False, "endplay"
        else:
            ms, skipped, end = track.duration_ms, False, "trackdone"
        start_reason = "clickrow" if index == 0 else ("fwdbtn" if plays[-1].skipped else "trackdone")
        plays.append(SimPlay(track, moment, ms, skipped, start_reason, end, shuffle, platform, context_uri))
        moment += timedelta(milliseconds=ms + rng.randint(0, 1500))
        previous = track
    return plays


def simulate_day(listener: Listener, picker: Picker, day: date) -> list[SimPlay]:
    """One local day of listening for `listener` (deterministic for listener and day)."""
    rng = random.Random(stable_id("demo-day", listener.user_id, day.isoformat()))
    zone = ZoneInfo(listener.time_zone)
    busy_until = datetime.combine(day, time(0), zone)
    plays: list[SimPlay] = []
    for hour in range(24):
        local = datetime.combine(day, time(hour), zone)
        if rng.random() >= listener.activity(local):
            continue
        start = max(local + timedelta(minutes=rng.randint(0, 50)), busy_until)
        if start.date() != day:
            break
        batch = session(rng, picker, start, rng.randint(3, 14))
        plays.extend(batch)
        last = batch[-1]
        busy_until = last.started_at + timedelta(milliseconds=last.ms_played, minutes=rng.randint(5, 40))
    return plays


def ended_at(play: SimPlay) -> datetime:
    return play.started_at + timedelta(milliseconds=play.ms_played)
