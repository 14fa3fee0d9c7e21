"""Scheduling without ever blocking on Spotify: an injectable clock and the wait rules.

    clock = SystemClock()          # tests pass a FakeClock and advance it by hand
    delay = failure_delay(kind, retry_after, failures)

Rules: a 429 waits exactly `Retry-After` (60 s if absent) for that loop only; QUOTA_EXCEEDED
pauses every loop (the quota is per developer account) for `Retry-After` or an hour; 5xx and
network errors back off exponentially from 5 s, capped at 5 minutes.
"""

from __future__ import annotations

import time
from typing import Protocol

ACTIVE_RECENT_S = 180.0  # while the user listens
IDLE_RECENT_MAX_S = 1500.0  # 25 min: 50 plays of 30 s — never long enough to miss plays
NOW_PLAYING_ACTIVE_S = 5.0
NOW_PLAYING_IDLE_S = 30.0
MAX_BACKOFF_S = 300.0


class Clock(Protocol):
    def now(self) -> float: ...
    def sleep(self, seconds: float) -> None: ...


class SystemClock:
    def now(self) -> float:
        return time.time()

    def sleep(self, seconds: float) -> None:
        time.sleep(max(0.0, seconds))


class FakeClock:
    """A clock that moves only when told to (sleep advances it instantly)."""

    def __init__(self, start: float = 1_800_000_000.0):
        self.t = start

    def now(self) -> float:
        return self.t

    def sleep(self, seconds: float) -> None:
        self.t += max(0.0, seconds)

    def advance(self, seconds: float) -> None:
        self.t += seconds


def failure_delay(kind: str, retry_after: float | None, failures: int) -> float:
    if kind == "rate_limited":
        return retry_after if retry_after is not None else 60.0
    if kind == "quota":
        return retry_after if retry_after is not None else 3600.0
    if kind == "unauthorized":
        return 1.0 if failures <= 1 else min(MAX_BACKOFF_S, 5.0 * 2 ** (failures - 1))
    return min(MAX_BACKOFF_S, 5.0 * 2 ** max(0, failures - 1))


def next_recent_interval(previous: float, active: bool) -> float:
    return ACTIVE_RECENT_S if active else min(IDLE_RECENT_MAX_S, max(ACTIVE_RECENT_S, previous * 2))
