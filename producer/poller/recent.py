"""Spotify API responses → events (pure): recently-played items → `PlayEvent`s with an estimated
`ms_played`, currently-playing → `NowPlayingEvent`, track objects → `CatalogEvent`s.

Recently-played says *that* a track finished, not how long it played. The estimate uses what the
now-playing loop saw: the last progress observed for that track plus the time until `played_at`,
capped at the track length; without an observation, the track length. Always flagged estimated.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from core.events import CatalogEvent, NowPlayingEvent, PlayEvent, stable_id, utc_now


def played_ms(item: dict[str, Any]) -> int:
    text = item["played_at"].replace("Z", "+00:00")
    return int(datetime.fromisoformat(text).timestamp() * 1000)


@dataclass
class Tracker:
    """Last now-playing observation per track id: (progress_ms, observed_at epoch seconds)."""

    seen: dict[str, tuple[int, float]] = field(default_factory=dict)

    def observe(self, track_id: str | None, progress_ms: int | None, at: float) -> None:
        if track_id and progress_ms is not None:
            self.seen[track_id] = (progress_ms, at)
            if len(self.seen) > 200:
                self.seen.pop(next(iter(self.seen)))

    def estimate(self, track_id: str, duration_ms: int, ended_s: float) -> int:
        obs = self.seen.get(track_id)
        if obs is None:
            return duration_ms
        progress, at = obs
        if not at - 5 <= ended_s <= at + duration_ms / 1000 + 60:
            return duration_ms  # an observation of an earlier play of the same track
        return max(0, min(duration_ms, progress + int((ended_s - at) * 1000)))


def play_event(user_id: str, item: dict[str, Any], tracker: Tracker) -> PlayEvent:
    track = item["track"]
    ended = played_ms(item)
    duration = int(track.get("duration_ms") or 0)
    context = item.get("context") or {}
    return PlayEvent(
        event_id=stable_id("api", user_id, ended, track.get("id")),
        user_id=user_id,
        source="api",
        kind="episode" if track.get("type") == "episode" else "track",
        ended_at=datetime.fromtimestamp(ended / 1000, UTC),
        ms_played=tracker.estimate(track.get("id") or "", duration, ended / 1000),
        ms_played_estimated=True,
        track_id=track.get("id"),
        track_uri=track.get("uri"),
        track_name=track.get("name"),
        artist_names=[a["name"] for a in track.get("artists", [])],
        artist_ids=[a["id"] for a in track.get("artists", []) if a.get("id")],
        album_name=(track.get("album") or {}).get("name"),
        album_id=(track.get("album") or {}).get("id"),
        duration_ms=duration or None,
        context_uri=context.get("uri"),
        emitted_at=utc_now(),
    )


def now_playing_event(user_id: str, body: dict[str, Any] | None, observed: datetime) -> NowPlayingEvent:
    eid = stable_id("api-np", user_id, observed.isoformat())
    if not body or not body.get("item"):
        return NowPlayingEvent(
            event_id=eid,
            user_id=user_id,
            source="api",
            observed_at=observed,
            is_playing=bool(body and body.get("is_playing")),
            kind=(body or {}).get("currently_playing_type"),
        )
    item = body["item"]
    episode = item.get("type") == "episode"
    return NowPlayingEvent(
        event_id=eid,
        user_id=user_id,
        source="api",
        observed_at=observed,
        is_playing=bool(body.get("is_playing")),
        progress_ms=body.get("progress_ms"),
        kind="episode" if episode else "track",
        track_id=item.get("id"),
        track_name=item.get("name"),
        artist_names=[(item.get("show") or {}).get("name", "")]
        if episode
        else [a["name"] for a in item.get("artists", [])],
        album_name=(item.get("show") if episode else item.get("album") or {}).get("name"),
        duration_ms=item.get("duration_ms"),
        context_uri=(body.get("context") or {}).get("uri"),
    )


def track_catalog_event(track: dict[str, Any]) -> CatalogEvent:
    album = track.get("album") or {}
    return CatalogEvent(
        event_id=stable_id("api-catalog", "track", track["id"]),
        user_id="catalog",
        entity="track",
        entity_id=track["id"],
        source="api",
        fetched_at=utc_now(),
        name=track.get("name"),
        artist_ids=[a["id"] for a in track.get("artists", []) if a.get("id")],
        artist_names=[a["name"] for a in track.get("artists", [])],
        album_id=album.get("id"),
        album_name=album.get("name"),
        release_date=album.get("release_date"),
        duration_ms=track.get("duration_ms"),
        explicit=track.get("explicit"),
        isrc=(track.get("external_ids") or {}).get("isrc"),
    )


def artist_catalog_event(artist: dict[str, Any]) -> CatalogEvent:
    return CatalogEvent(
        event_id=stable_id("api-catalog", "artist", artist["id"]),
        user_id="catalog",
        entity="artist",
        entity_id=artist["id"],
        source="api",
        fetched_at=utc_now(),
        name=artist.get("name"),
        genres=list(artist.get("genres") or []),
    )
