"""Event contracts: the JSON values on every earshot topic, defined once.

Every value carries `schema_version`; every key is the `user_id` so one user's events stay
ordered in one partition. Spark reads the same definitions through `core.spark_schema`.

    from core.events import PlayEvent, encode, decode
    payload = encode(play)             # bytes for Kafka
    play = decode(PlayEvent, payload)  # raises pydantic.ValidationError on bad input

Mapping for non-music plays: `kind` says what was played; `track_name` is the episode or chapter
title, `artist_names` the show or the audiobook's authors, `album_name` the show or audiobook title,
`track_id`/`track_uri` the episode or chapter id/uri.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Annotated, Any, Literal, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

SCHEMA_VERSION: Literal[1] = 1


def _as_utc(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("timestamp must carry a time zone (UTC, e.g. '2024-05-01T12:00:00Z')")
    return value.astimezone(UTC)


UtcDatetime = Annotated[datetime, AfterValidator(_as_utc)]

PlaySource = Literal["api", "export_extended", "export_account", "demo"]
PlayKind = Literal["track", "episode", "audiobook", "video"]


def utc_now() -> datetime:
    return datetime.now(UTC)


def stable_id(*parts: object) -> str:
    """Deterministic id from natural-key parts (same input → same id, across runs and machines)."""
    raw = "\x1f".join("" if p is None else str(p) for p in parts)
    return hashlib.sha1(raw.encode("utf-8")).hexdigest()[:24]


class Event(BaseModel):
    """Common envelope. Unknown fields are rejected so a typo never passes silently."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    schema_version: Literal[1] = SCHEMA_VERSION
    event_id: str = Field(min_length=1, max_length=128)
    user_id: str = Field(min_length=1, max_length=128)


class PlayEvent(Event):
    """One finished play from any source (poller, export importer, demo listener)."""

    source: PlaySource
    kind: PlayKind = "track"
    ended_at: UtcDatetime
    ms_played: int = Field(ge=0, le=24 * 3600 * 1000)
    ms_played_estimated: bool = False
    track_id: str | None = None
    track_uri: str | None = None
    track_name: str | None = None
    artist_names: list[str] = Field(default_factory=list)
    artist_ids: list[str] = Field(default_factory=list)
    album_name: str | None = None
    album_id: str | None = None
    duration_ms: int | None = Field(default=None, ge=0)
    context_uri: str | None = None
    platform: str | None = None
    shuffle: bool | None = None
    skipped: bool | None = None
    offline: bool | None = None
    reason_start: str | None = None
    reason_end: str | None = None
    conn_country: str | None = None
    emitted_at: UtcDatetime | None = None  # when the producer published it (latency metrics)


class NowPlayingEvent(Event):
    """One observation of a user's player state (204 from Spotify → `is_playing=False`, no item)."""

    source: Literal["api", "demo"]
    observed_at: UtcDatetime
    is_playing: bool
    progress_ms: int | None = Field(default=None, ge=0)
    kind: PlayKind | Literal["ad", "unknown"] | None = None
    track_id: str | None = None
    track_name: str | None = None
    artist_names: list[str] = Field(default_factory=list)
    album_name: str | None = None
    duration_ms: int | None = Field(default=None, ge=0)
    context_uri: str | None = None
    device_name: str | None = None
    device_type: str | None = None
    shuffle: bool | None = None


class PlaylistTrackEvent(Event):
    """One track of a connected playlist at a given snapshot."""

    source: Literal["api", "export", "demo"]
    playlist_id: str = Field(min_length=1)
    playlist_name: str | None = None
    snapshot_id: str = Field(min_length=1)
    position: int = Field(ge=0)
    total_tracks: int = Field(ge=0)
    track_id: str | None = None
    track_uri: str | None = None
    track_name: str | None = None
    artist_names: list[str] = Field(default_factory=list)
    album_name: str | None = None
    duration_ms: int | None = Field(default=None, ge=0)
    added_at: UtcDatetime | None = None


class AudioFeatures(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    danceability: float | None = Field(default=None, ge=0, le=1)
    energy: float | None = Field(default=None, ge=0, le=1)
    valence: float | None = Field(default=None, ge=0, le=1)
    acousticness: float | None = Field(default=None, ge=0, le=1)
    instrumentalness: float | None = Field(default=None, ge=0, le=1)
    liveness: float | None = Field(default=None, ge=0, le=1)
    speechiness: float | None = Field(default=None, ge=0, le=1)
    tempo: float | None = Field(default=None, ge=0, le=300)
    loudness: float | None = Field(default=None, ge=-70, le=10)
    key: int | None = Field(default=None, ge=-1, le=11)
    mode: int | None = Field(default=None, ge=0, le=1)
    time_signature: int | None = Field(default=None, ge=0, le=7)


AUDIO_FEATURE_NAMES: tuple[str, ...] = tuple(AudioFeatures.model_fields)


class CatalogEvent(Event):
    """Track or artist metadata looked up from the API (or another source) for the catalog."""

    entity: Literal["track", "artist"]
    entity_id: str = Field(min_length=1)
    source: Literal["api", "kaggle", "export", "demo"]
    fetched_at: UtcDatetime
    name: str | None = None
    artist_ids: list[str] = Field(default_factory=list)
    artist_names: list[str] = Field(default_factory=list)
    album_id: str | None = None
    album_name: str | None = None
    release_date: str | None = None  # 'YYYY', 'YYYY-MM' or 'YYYY-MM-DD' as Spotify gives it
    duration_ms: int | None = Field(default=None, ge=0)
    explicit: bool | None = None
    isrc: str | None = None
    genres: list[str] = Field(default_factory=list)
    features: AudioFeatures | None = None


CommandAction = Literal["connect_playlist", "disconnect_playlist", "list_playlists", "poll_now"]


class CommandEvent(Event):
    """A request from the app to the producer. `event_id` doubles as the command id."""

    action: CommandAction
    requested_at: UtcDatetime
    args: dict[str, str] = Field(default_factory=dict)
    requested_by: str | None = None  # the dashboard account that asked (None: a CLI or older app)


class DeadLetterEvent(Event):
    """A rejected message and why. `user_id` is the original key, or 'unknown'."""

    stage: str = Field(min_length=1)  # e.g. 'spark.plays', 'consumer.raw', 'producer.import'
    reason: str = Field(min_length=1)
    failed_at: UtcDatetime
    source_topic: str | None = None
    partition: int | None = None
    offset: int | None = None
    payload: str = ""  # the original value, decoded as UTF-8 with replacement


E = TypeVar("E", bound=Event)


def encode(event: Event) -> bytes:
    """JSON bytes for Kafka (UTC timestamps as ISO-8601 with 'Z', nulls kept for a fixed shape)."""
    return event.model_dump_json().encode("utf-8")


def decode(model: type[E], payload: bytes | str) -> E:
    return model.model_validate_json(payload)


def key_for(event: Event) -> bytes:
    """Kafka key: the user (keeps a user's events ordered), except on the compacted catalog
    topic, where the key must be the entity so compaction keeps one record per track/artist."""
    if isinstance(event, CatalogEvent):
        return f"{event.entity}:{event.entity_id}".encode()
    return event.user_id.encode("utf-8")


def as_document(event: Event) -> dict[str, Any]:
    """A MongoDB-ready dict (datetimes stay datetimes)."""
    return event.model_dump(mode="python")
