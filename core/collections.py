"""MongoDB collections and their indexes: names, document shapes and natural keys, defined once.

Layers (bronze → silver → gold): `raw_events` → `plays` → the `rollup_*` collections, whose
shapes, ids, codec and readers are the contract in `core.gold` (docs/gold.md).
Indexes stay within what both MongoDB and FerretDB v1 support (single/compound, unique).

Document shapes (ids deterministic, so every writer upserts and replays change nothing). Times
are UTC datetimes; "local" fields are in the user's own zone (users.time_zone).

Bronze / silver
- raw_events:  _id "<topic>:<partition>:<offset>"; topic, partition, offset, key, value (str),
               received_at
- plays:       _id = gold.play_id(first event id); every PlayEvent field + counted (bool: ms_played
               ≥ stream threshold), local_day 'YYYY-MM-DD', local_hour, weekday (0=Mon),
               release_year, genres [..], features {AUDIO_FEATURE_NAMES} | null, event_ids,
               sources, records [source events] (only when merged from several; else the
               play's own event fields are its event), catalog_fields [event fields filled
               from the catalog], enriched_at
- dead_letters: _id "<stage>:<topic>:<partition>:<offset>" (or a stable_id of the payload);
               the DeadLetterEvent fields

Catalog
- tracks:      _id track id; name, artist_ids, artist_names, album_id, album_name, release_date,
               release_year, duration_ms, explicit, isrc, genres [..], features [values in
               AUDIO_FEATURE_NAMES order] | {name: value} | null (read with `track_features`),
               sources {'*': source of every field set, field: source where it differs}
               (sources 'kaggle:<dataset>'|'api'|'export'|'demo'; read with `field_sources`),
               updated_at
- artists:     _id artist id; name, genres [..], sources (as for tracks), updated_at
- catalog_cells: Discover's index of the catalog's tracks with audio features (`core.gold.cells`):
               per cell `_id` cell_id(cell): cell [i, j, k], count, vectors (bytes); `_id`
               rows_of_cell(cell_id): rows (bytes, one JSON line per track), updated_at;
               `_id` CELLS_SUMMARY: tracks, cells, features, bins, updated_at. Written by the
               Kaggle backfill (`kaggle_seed.cells`); a track whose features changed can linger in
               its old cell until `rebuild_cells`, so readers keep one entry per track id.

- catalog_names: the catalog's tracks by name, so a play without a track id (account-data
               exports) is enriched by its normalised primary artist + track name (`name_key`,
               pipeline.dedupe). NAME_BUCKETS documents, _id names_id(bucket of the key):
               bucket, count, entries (bytes, `pack_names`: zlib of one line per name key,
               "<name key>\t<track id>\t<rank>"; read with `unpack_names`), updated_at. One track
               per key: the highest `name_rank` (features, then genres), then the smallest id.
               Written by the Kaggle backfill next to catalog_cells (`kaggle_seed.names`); a derived
               index, packed like catalog_cells' rows (1.2 M keys in ~2,000 small documents
               instead of 1.2 M documents that would slow the backfill by a third).

Operational
- users:       _id user_id; display_name, time_zone, stream_threshold_ms (optional override),
               demo (bool: data is simulated), spotify {status 'connected'|'needs_reconnect'|
               'not_connected', token (encrypted), scope, recent_cursor_ms, last_poll_at,
               retry_after_until, message}, created_at, updated_at
- playlists:   _id gold.playlist_id(user, playlist_id); user_id, playlist_id, name, owner, source
               ('api'|'export'|'demo'), snapshot_id, tracks, connected (bool), status
               'pending'|'ready'|'forbidden'|'not_found'|'error', message, updated_at
- now_playing: _id user_id; the NowPlayingEvent fields + updated_at (stale after
               now_playing_stale_seconds → the app shows "nothing playing")
- imports:     _id import id; user_id, path, status 'running'|'done'|'failed', started_at,
               finished_at, progress {records_read, records_total}, files [{name, kind, records,
               published, duplicates, skipped {reason: n}, errors [{record, reason}] (first 100)}],
               totals {files, records, published, duplicates, skipped}
- notifications: _id stable id; user_id | null, kind 'milestone'|'alert'|'digest', severity
               'info'|'warning'|'error', title, body, created_at, webhook {status, attempts}
- api_cache:   _id '<entity>:<spotify id>' ('track'|'artist'|'features'); the producer's cache of
               single-item Spotify lookups: data {..} | null, status (HTTP), fetched_at
- accounts:    _id account name (lower case); the dashboard's sign-in (core.accounts): password_hash
               (argon2id; never read by a page, never exported or logged), admin (bool), owns
               [user ids it may see], email (links a single-sign-on identity) | null, household
               (bool: agreed to the household comparison), created_at, updated_at
- signin_attempts: _id account name (lower case); failures (in the window), window_start,
               last_failure_at (core.signin: rate limiting that survives restarts)
- pipeline_health: _id component name; kind 'producer'|'spark'|'consumer'|'kafka_lag',
               component, status 'ok'|'degraded'|'down', updated_at, details {..}
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

ASC, DESC = 1, -1


class Coll(StrEnum):
    RAW_EVENTS = "raw_events"
    PLAYS = "plays"
    TRACKS = "tracks"
    ARTISTS = "artists"
    CATALOG_CELLS = "catalog_cells"
    CATALOG_NAMES = "catalog_names"
    ROLLUP_TOTALS = "rollup_totals"
    ROLLUP_ENTITIES = "rollup_entities"
    ROLLUP_ENTITY_ROWS = "rollup_entity_rows"
    ROLLUP_ENTITY_KEYS = "rollup_entity_keys"
    ROLLUP_HEATMAP = "rollup_heatmap"
    USER_STATS = "user_stats"
    PLAYLISTS = "playlists"
    PLAYLIST_PROFILES = "playlist_profiles"
    TASTE_PROFILES = "taste_profiles"
    NOW_PLAYING = "now_playing"
    USERS = "users"
    IMPORTS = "imports"
    DEAD_LETTERS = "dead_letters"
    NOTIFICATIONS = "notifications"
    PIPELINE_HEALTH = "pipeline_health"
    API_CACHE = "api_cache"
    ACCOUNTS = "accounts"
    SIGNIN_ATTEMPTS = "signin_attempts"


@dataclass(frozen=True)
class IndexSpec:
    keys: tuple[tuple[str, int], ...]
    unique: bool = False
    name: str = field(default="")

    def index_name(self) -> str:
        return self.name or "_".join(f"{k}_{d}" for k, d in self.keys)


INDEXES: dict[Coll, tuple[IndexSpec, ...]] = {
    Coll.RAW_EVENTS: (IndexSpec((("topic", ASC), ("received_at", DESC))),),
    Coll.PLAYS: (
        IndexSpec((("user_id", ASC), ("ended_at", DESC))),
        IndexSpec((("user_id", ASC), ("track_id", ASC), ("ended_at", ASC))),
    ),
    Coll.TRACKS: (IndexSpec((("name", ASC),)),),
    Coll.PLAYLISTS: (IndexSpec((("user_id", ASC), ("playlist_id", ASC)), unique=True),),
    Coll.TASTE_PROFILES: (IndexSpec((("user_id", ASC), ("grain", ASC), ("period", ASC))),),
    Coll.IMPORTS: (IndexSpec((("user_id", ASC), ("started_at", DESC))),),
    Coll.DEAD_LETTERS: (IndexSpec((("failed_at", DESC),)), IndexSpec((("stage", ASC), ("failed_at", DESC)))),
    Coll.NOTIFICATIONS: (IndexSpec((("user_id", ASC), ("created_at", DESC))),),
    Coll.PIPELINE_HEALTH: (IndexSpec((("kind", ASC), ("updated_at", DESC))),),
}


ANY_FIELD = "*"
_NOT_SOURCED = frozenset({"_id", "sources", "updated_at"})


def field_sources(doc: dict[str, Any]) -> dict[str, str]:
    """Where each field of a catalog document came from. `sources` holds one default for every
    field set (`'*'`) and the fields that came from elsewhere: a track is stored with one entry
    instead of one per field (FerretDB encodes every value on its own, so ~15 fewer per track
    make the 1.2 M-track backfill ~25 % faster). Older per-field maps read the same."""
    sources = doc.get("sources") or {}
    default = sources.get(ANY_FIELD)
    out = {f: sources.get(f, default) for f in doc if f not in _NOT_SOURCED}
    return {f: src for f, src in out.items() if src is not None}


def compact_sources(per_field: dict[str, str]) -> dict[str, str]:
    """`sources` for these per-field sources: the most common as the default, the rest listed."""
    if not per_field:
        return {}
    counts: dict[str, int] = {}
    for src in per_field.values():
        counts[src] = counts.get(src, 0) + 1
    default = max(counts, key=lambda src: (counts[src], src))
    return {ANY_FIELD: default} | {f: src for f, src in sorted(per_field.items()) if src != default}


def track_features(track: dict[str, Any]) -> dict[str, Any] | None:
    """A catalog track's audio features by name. The Kaggle backfill stores them as a list in
    AUDIO_FEATURE_NAMES order (FerretDB encodes every object key on its own; the list made 1.2 M
    track inserts ~20 % faster); other writers may store the object."""
    from core.events import AUDIO_FEATURE_NAMES

    features = track.get("features")
    if isinstance(features, list):
        return dict(zip(AUDIO_FEATURE_NAMES, features, strict=False))
    return features or None
