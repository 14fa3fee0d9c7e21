"""One demo listener playing live: sessions in accelerated time, plays ending at wall-clock time.

    player = LiveListener(listener, picker, rng, speed=30, now=utc_now())
    for play, end in player.advance(now): ...     # plays that finished by `now`
    state = player.now_playing(now)               # a NowPlayingEvent, or None when unchanged idle

Pure apart from the clock passed in, so tests drive it with fixed times.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from core.events import NowPlayingEvent, stable_id
from producer.demo.sim import Listener, Picker, SimPlay, session

IDLE_REPEAT = timedelta(seconds=30)  # re-announce "nothing playing" this often


class LiveListener:
    def __init__(self, listener: Listener, picker: Picker, rng: random.Random, speed: float, now: datetime):
        if speed <= 0:
            raise ValueError("speed must be positive")
        self.listener, self.picker, self.rng, self.speed = listener, picker, rng, speed
        self.queue: list[tuple[SimPlay, datetime, datetime]] = []  # play, real start, real end
        self.next_session = now + self._gap(now) * 0.1  # start soon after launch
        self.last_idle: datetime | None = None

    def _real(self, sim: timedelta) -> timedelta:
        return sim / self.speed

    def _gap(self, now: datetime) -> timedelta:
        activity = self.listener.activity(now.astimezone(_zone(self.listener.time_zone)))
        minutes = self.rng.uniform(3, 60) * (1.3 - activity)
        return self._real(timedelta(minutes=minutes))

    def _start_session(self, now: datetime) -> None:
        plays = session(self.rng, self.picker, now, self.rng.randint(3, 12))
        sim_start = plays[0].started_at
        for play in plays:
            real_start = now + self._real(play.started_at - sim_start)
            real_end = real_start + self._real(timedelta(milliseconds=play.ms_played))
            self.queue.append((play, real_start, real_end))

    def advance(self, now: datetime) -> list[tuple[SimPlay, datetime]]:
        """Plays whose (accelerated) playback ended by `now`, with their wall-clock end."""
        done: list[tuple[SimPlay, datetime]] = []
        while True:
            if not self.queue:
                if now < self.next_session:
                    return done
                self._start_session(self.next_session)
            play, _, end = self.queue[0]
            if end > now:
                return done
            self.queue.pop(0)
            done.append((play, end))
            if not self.queue:
                self.next_session = end + self._gap(end)

    def now_playing(self, now: datetime) -> NowPlayingEvent | None:
        lst = self.listener
        current = next(((p, s) for p, s, e in self.queue if s <= now < e), None)
        if current is None:
            if self.last_idle is not None and now - self.last_idle < IDLE_REPEAT:
                return None
            self.last_idle = now
            return NowPlayingEvent(
                event_id=stable_id("demo-np", lst.user_id, now.isoformat()),
                user_id=lst.user_id,
                source="demo",
                observed_at=now,
                is_playing=False,
            )
        self.last_idle = None
        play, start = current
        progress = int((now - start).total_seconds() * 1000 * self.speed)
        t = play.track
        return NowPlayingEvent(
            event_id=stable_id("demo-np", lst.user_id, now.isoformat()),
            user_id=lst.user_id,
            source="demo",
            observed_at=now,
            is_playing=True,
            progress_ms=min(progress, t.duration_ms),
            kind="track",
            track_id=t.track_id,
            track_name=t.name,
            artist_names=t.artists,
            album_name=t.album,
            duration_ms=t.duration_ms,
            context_uri=play.context_uri,
            device_name=f"{lst.display_name}'s {play.platform}",
            device_type="Smartphone" if play.platform in ("android", "ios") else "Computer",
            shuffle=play.shuffle,
        )


def _zone(name: str):  # type: ignore[no-untyped-def]
    from zoneinfo import ZoneInfo

    return ZoneInfo(name)
