"""Live now-playing: the latest player state per user into `now_playing`, and when it expires.

The loop polls with a short timeout, so an observation is in MongoDB within ~100 ms of the
message. Only a newer observation (`observed_at`) replaces an older one: redelivered or
out-of-order messages never move the state back in time. Invalid messages become dead letters.

The app decides what to show with the pure function `current`:

    from consumer.now_playing import current
    state = current(db.now_playing.find_one({"_id": user}), utc_now(), settings.now_playing_stale_seconds)
    if state is None: "nothing playing"
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from kafka import KafkaProducer
from kafka.consumer.fetcher import ConsumerRecord
from pydantic import ValidationError
from pymongo.database import Database
from pymongo.errors import DuplicateKeyError

from consumer import deadletters
from core.collections import Coll
from core.events import NowPlayingEvent, as_document, decode, utc_now
from core.settings import Settings

log = logging.getLogger("earshot.consumer.now_playing")
STAGE = "consumer.now_playing"


@dataclass(frozen=True)
class NowPlayingState:
    """What the live panel shows. `progress_ms` is extrapolated to `now` while playing."""

    user_id: str
    is_playing: bool
    track_name: str | None
    artist_names: list[str]
    album_name: str | None
    track_id: str | None
    kind: str | None
    progress_ms: int | None
    duration_ms: int | None
    device_name: str | None
    device_type: str | None
    context_uri: str | None
    shuffle: bool | None
    observed_at: datetime
    age_seconds: float


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def current(doc: dict[str, Any] | None, now: datetime, stale_seconds: float) -> NowPlayingState | None:
    """The state to show, or None for "nothing playing" (no document, stale, or stopped without a track)."""
    if not doc:
        return None
    observed = _utc(doc["observed_at"])
    age = (_utc(now) - observed).total_seconds()
    if age > stale_seconds:
        return None
    if not doc.get("is_playing") and not (doc.get("track_name") or doc.get("track_id")):
        return None
    progress = doc.get("progress_ms")
    if progress is not None and doc.get("is_playing"):
        progress += int(max(age, 0) * 1000)
        if doc.get("duration_ms") is not None:
            progress = min(progress, doc["duration_ms"])
    return NowPlayingState(
        user_id=doc.get("user_id") or str(doc.get("_id")),
        is_playing=bool(doc.get("is_playing")),
        track_name=doc.get("track_name"),
        artist_names=list(doc.get("artist_names") or []),
        album_name=doc.get("album_name"),
        track_id=doc.get("track_id"),
        kind=doc.get("kind"),
        progress_ms=progress,
        duration_ms=doc.get("duration_ms"),
        device_name=doc.get("device_name"),
        device_type=doc.get("device_type"),
        context_uri=doc.get("context_uri"),
        shuffle=doc.get("shuffle"),
        observed_at=observed,
        age_seconds=age,
    )


def latest_per_user(events: list[NowPlayingEvent]) -> list[NowPlayingEvent]:
    """The newest observation of each user in a batch (ties: the later message wins)."""
    newest: dict[str, NowPlayingEvent] = {}
    for event in events:
        seen = newest.get(event.user_id)
        if seen is None or event.observed_at >= seen.observed_at:
            newest[event.user_id] = event
    return list(newest.values())


def document(event: NowPlayingEvent, stale_seconds: float, now: datetime) -> dict[str, Any]:
    return {
        **as_document(event),
        "updated_at": now,
        "expires_at": event.observed_at + timedelta(seconds=stale_seconds),
    }


class NowPlayingSink:
    """Batch handler of the now-playing loop."""

    def __init__(self, db: Database[dict[str, Any]], settings: Settings, producer: KafkaProducer | None):
        self.db, self.settings, self.producer = db, settings, producer

    def handle(self, records: list[ConsumerRecord]) -> None:
        events, rejected = [], []
        for record in records:
            try:
                events.append(decode(NowPlayingEvent, record.value or b""))
            except ValidationError as exc:
                reason = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
                rejected.append(deadletters.for_record(STAGE, record, f"invalid NowPlayingEvent: {reason}"))
        deadletters.reject(self.db, self.producer, self.settings, rejected)
        coll = self.db[Coll.NOW_PLAYING.value]
        now = utc_now()
        for event in latest_per_user(events):
            doc = document(event, self.settings.now_playing_stale_seconds, now)
            try:
                # Matches only an older state (or none: upsert). A newer stored state makes the
                # upsert collide on _id, which means "keep the newer one".
                coll.replace_one(
                    {"_id": event.user_id, "observed_at": {"$lt": event.observed_at}},
                    {"_id": event.user_id, **doc},
                    upsert=True,
                )
            except DuplicateKeyError:
                log.debug("older now-playing observation for %s ignored", event.user_id)
