"""One known play on the plays topic, for tests that start a plays job as its own process.

publish_play(settings, "proc-1", "proc-user")   # a 200 s stream of "Halo", 2024-06-30 12:00 UTC
"""

from __future__ import annotations

from datetime import UTC, datetime

from core import kafka
from core.events import PlayEvent
from core.settings import Settings
from core.topics import Topic


def publish_play(settings: Settings, event_id: str, user_id: str) -> None:
    play = PlayEvent(
        event_id=event_id,
        user_id=user_id,
        source="demo",
        track_id="t1",
        track_name="Halo",
        artist_names=["Beyoncé"],
        ended_at=datetime(2024, 6, 30, 12, 0, tzinfo=UTC),
        ms_played=200_000,
    )
    prod = kafka.producer(settings)
    try:
        kafka.send(prod, settings, Topic.PLAYS, play).get(timeout=10)
    finally:
        prod.close()
