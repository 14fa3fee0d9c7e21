"""MongoDB collections and their indexes: names, document shapes and natural keys, defined once.

Layers (bronze → silver → gold): `raw_events` → `plays` → the `rollup_*` collections.
Indexes stay within what both MongoDB and FerretDB v1 support (single/compound, unique).

Document shapes (ids deterministic, so every writer upserts and replays change nothing). Times
are UTC datetimes; "local" fields are in the user's own zone (users.time_zone).

Bronze / silver
- raw_events:  _id "<topic>:<partition>:<offset>"; topic, partition, offset, key, value (str),
               received_at
- plays:       _id = play_id(user_id, dedup key); every PlayEvent field + counted (bool: ms_played
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
- catalog_cells: Discover's index of the catalog's tracks with audio features, on a grid of
               CELL_BINS³ cells over CELL_FEATURES, so "the tracks nearest to my taste" reads a
               few small documents by `_id` instead of scanning 1.2 M tracks. Per cell two
               documents: _id cell_id(cell): cell [i, j, k], count, vectors (bytes,
               `pack_vectors`: RADAR_FEATURES of each track, one byte per value, 0 for
               unknown); _id rows_of_cell(cell_id): rows (bytes, zlib of one JSON line per
               track: [track id, name, [artist names], release_year], in the vectors' order;
               read with `CellRows`), updated_at.
               `_id` CELLS_SUMMARY: tracks, cells, features, bins, updated_at. Written by the
               Kaggle backfill (`batch.discover`); a track whose features changed can linger in
               its old cell until `rebuild_cells`, so readers keep one entry per track id.

- catalog_names: the catalog's tracks by name, so a play without a track id (account-data
               exports) is enriched by its normalised primary artist + track name (`name_key`,
               spark_jobs.dedupe). NAME_BUCKETS documents, _id names_id(bucket of the key):
               bucket, count, entries (bytes, `pack_names`: zlib of one line per name key,
               "<name key>\t<track id>\t<rank>"; read with `unpack_names`), updated_at. One track
               per key: the highest `name_rank` (features, then genres), then the smallest id.
               Written by the Kaggle backfill next to catalog_cells (`batch.names`); a derived
               index, packed like catalog_cells' rows (1.2 M keys in ~2,000 small documents
               instead of 1.2 M documents that would slow the backfill by a third).

Operational
- users:       _id user_id; display_name, time_zone, stream_threshold_ms (optional override),
               demo (bool: data is simulated), spotify {status 'connected'|'needs_reconnect'|
               'not_connected', token (encrypted), scope, recent_cursor_ms, last_poll_at,
               retry_after_until, message}, created_at, updated_at
- playlists:   _id rollup_id(user, playlist_id); user_id, playlist_id, name, owner, source
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
- pipeline_health: _id component name; kind 'producer'|'spark'|'consumer'|'kafka_lag',
               component, status 'ok'|'degraded'|'down', updated_at, details {..}
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, Literal

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


Grain = Literal["day", "month", "year", "all"]
GRAINS: tuple[Grain, ...] = ("day", "month", "year", "all")
ENTITY_TYPES = ("track", "artist", "album", "genre", "decade", "platform", "show", "episode")
ENTITY_FIELDS = (
    "key",
    "name",
    "artist_name",
    "track_id",
    "streams",
    "plays",
    "minutes",
    "skips",
    "first_played",
    "last_played",
    "series",
    "rank",
)
TOP_N = 100
ROWS_PER_BUCKET = 1000
_TIME_FIELDS = ("first_played", "last_played")


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


def rollup_id(*parts: Any) -> str:
    """Natural key of a rollup document: parts joined with '|'."""
    return "|".join(str(p) for p in parts)


def play_id(user_id: str, source_key: str) -> str:
    """`_id` of a silver play: the user plus the event's dedup key (see spark_jobs)."""
    return rollup_id(user_id, source_key)


_TIME_AT = tuple(ENTITY_FIELDS.index(f) for f in _TIME_FIELDS)


def _epoch_ms(value: Any) -> Any:
    return round(value.timestamp() * 1000) if isinstance(value, datetime) else value


def pack_rows(rows: list[dict[str, Any]]) -> bytes:
    """rollup_entities `rows`: zlib-compressed JSON {"fields": ENTITY_FIELDS, "rows": [[...]]},
    times as epoch milliseconds."""
    first, last = _TIME_AT
    out = []
    for row in rows:
        values = [row.get(f) for f in ENTITY_FIELDS]
        values[first], values[last] = _epoch_ms(values[first]), _epoch_ms(values[last])
        out.append(values)
    return zlib.compress(json.dumps({"fields": ENTITY_FIELDS, "rows": out}).encode(), 1)


def unpack_rows(blob: bytes | None) -> list[dict[str, Any]]:
    """The rows `pack_rows` packed (times back as UTC datetimes); [] for None."""
    if not blob:
        return []
    data = json.loads(zlib.decompress(blob))
    fields = data["fields"]
    at = [fields.index(f) for f in _TIME_FIELDS]
    rows = []
    for values in data["rows"]:
        for i in at:
            if isinstance(values[i], int | float):
                values[i] = datetime.fromtimestamp(values[i] / 1000, UTC)
        rows.append(dict(zip(fields, values, strict=True)))
    return rows


def rows_id(head_id: str, bucket: int) -> str:
    """`_id` of one rollup_entity_rows document of an entity head."""
    return rollup_id(head_id, f"b{bucket}")


def bucket_of(key: str, buckets: int) -> int:
    """The rollup_entity_rows bucket an entity key lives in (stable across runs and machines)."""
    return zlib.crc32(key.encode()) % buckets


def pack_list(items: list[Any]) -> bytes:
    """rollup_entities `keys`, catalog_cells `rows`: a zlib-compressed JSON list."""
    return zlib.compress(json.dumps(items).encode(), 1)


def unpack_list(blob: bytes | None) -> list[Any]:
    return json.loads(zlib.decompress(blob)) if blob else []


# The radar chart's features (all 0–1), which Discover measures distance over.
RADAR_FEATURES = (
    "danceability",
    "energy",
    "valence",
    "acousticness",
    "instrumentalness",
    "liveness",
    "speechiness",
)
CELL_FEATURES = ("energy", "valence", "danceability")  # the grid's axes (spread widest in the data)
CELL_BINS = 16
CELLS_SUMMARY = "summary"


def cell_of(features: dict[str, Any]) -> tuple[int, int, int]:
    """The catalog_cells cell of a feature vector (values outside 0–1 clamp to the edge)."""
    i, j, k = (int(float(features.get(f) or 0.0) * CELL_BINS) for f in CELL_FEATURES)
    top = CELL_BINS - 1
    return min(top, max(0, i)), min(top, max(0, j)), min(top, max(0, k))


def cell_id(cell: tuple[int, ...]) -> str:
    return rollup_id("cell", *cell)


def rows_of_cell(cell_doc_id: str) -> str:
    """`_id` of the names document of a catalog cell."""
    return rollup_id(cell_doc_id, "rows")


class CellRows(Sequence[list[Any]]):
    """A catalog cell's `rows`, each JSON line decoded only when read: a search looks at a few of
    a cell's ~1,000 rows, and decoding them all made Python's cyclic GC pause the page (~45 ms)."""

    def __init__(self, blob: bytes) -> None:
        self._lines = zlib.decompress(blob).decode().split("\n") if blob else []

    def __len__(self) -> int:
        return len(self._lines)

    def __getitem__(self, i: Any) -> Any:
        if isinstance(i, slice):
            return [json.loads(line) for line in self._lines[i]]
        return json.loads(self._lines[i])


def pack_lines(lines: list[str]) -> bytes:
    """catalog_cells `rows` from JSON lines (`json.dumps` of each row)."""
    return zlib.compress("\n".join(lines).encode(), 1)


def pack_vectors(vectors: list[list[float]]) -> bytes:
    """catalog_cells `vectors`: features in 0–1 as bytes 0–255, one row of RADAR_FEATURES each."""
    import numpy as np

    array = np.clip(np.asarray(vectors, dtype=np.float64).reshape(-1, len(RADAR_FEATURES)), 0.0, 1.0)
    return bytes(np.rint(array * 255).astype(np.uint8).tobytes())


def unpack_vectors(blob: bytes) -> Any:
    """The (n, 7) float array `pack_vectors` packed (values to 1/255)."""
    import numpy as np

    return np.frombuffer(blob, dtype=np.uint8).reshape(-1, len(RADAR_FEATURES)) / 255.0


NAME_BUCKETS = 2048  # catalog_names documents: ~600 keys each for 1.2 M tracks
NameEntry = tuple[str, int]  # (track id, name_rank)


def names_id(bucket: int) -> str:
    return rollup_id("names", bucket)


def name_rank(track: dict[str, Any]) -> int:
    """How much a name match to this track gives a play: 2 for features, 1 for genres."""
    return 2 * (track.get("features") is not None) + bool(track.get("genres"))


def better_name(a: NameEntry | None, b: NameEntry) -> NameEntry:
    """The entry a name key keeps: the higher rank, then the smaller track id."""
    return b if a is None or (-b[1], b[0]) < (-a[1], a[0]) else a


def pack_names(entries: dict[str, NameEntry]) -> bytes:
    lines = (f"{key}\t{tid}\t{rank}" for key, (tid, rank) in sorted(entries.items()))
    return zlib.compress("\n".join(lines).encode(), 1)


def unpack_names(blob: bytes | None) -> dict[str, NameEntry]:
    out: dict[str, NameEntry] = {}
    for line in zlib.decompress(blob).decode().split("\n") if blob else ():
        key, tid, rank = line.split("\t")
        out[key] = (tid, int(rank))
    return out


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
