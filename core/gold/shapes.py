"""The gold documents' shapes (typed) and one example of each, as stored.

Every gold `_id` comes from `core.gold.ids`; entity rows are plain sub-documents written and
read with `core.gold.codec`. Nothing is packed: a plain `find()` reads every field. `EXAMPLES`
are real documents of one user's one play, built with the same codec the writer uses;
tests/unit/test_gold_contract.py reads them back through the readers.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, NotRequired, TypedDict

from core.gold import codec, ids

ENTITY_TYPES = ("track", "artist", "album", "genre", "decade", "platform", "show", "episode")
COUNTS = ("streams", "plays", "minutes", "skips")
TOP_N = 100  # rows in a head's `top` / `top_minutes`
# Lists that grow with a history are split into buckets by key hash, each far below MongoDB's
# 16 MiB document limit: ROWS_PER_BUCKET rows on average (one entity's page reads one bucket), and
# more buckets when the rows' encoded size would pass BUCKET_BYTES (tests/unit/test_gold_bounds.py
# builds 1,000,000 tracks and 20 years of days and checks every document against MAX_DOC_BYTES).
ROWS_PER_BUCKET = 250
BUCKET_BYTES = 1 << 20
MAX_DOC_BYTES = 4 << 20
KEYED_TYPES = ("track",)  # entity types whose heads list their keys in rollup_entity_keys


class EntityRow(TypedDict, total=False):
    """One entity in a period, as stored in `top`, `top_minutes` and `rows` (fields without a
    value are left out; codec.unpack_rows gives them back as None)."""

    key: str  # tracks: 'artist|title' normalised; artists, albums: name; genres, decades: label
    name: str
    artist_name: str
    track_id: str  # Spotify id when a play had one
    streams: int
    plays: int
    minutes: float
    skips: int
    first_played: datetime
    last_played: datetime
    series: dict[str, int]  # above month, in `rows`: {period one grain down: streams}
    rank: int  # 1 = most streams in the period


class Counts(TypedDict):
    streams: int  # plays of at least the stream threshold (30 s by default)
    plays: int  # every play, skips included
    minutes: float
    skips: int


class Session(TypedDict):
    start: datetime
    end: datetime
    plays: int
    streams: int
    minutes: float


class Totals(Counts, total=False):
    """rollup_totals — `_id` period_id(user, grain, period)."""

    _id: str
    user_id: str
    grain: str  # day | month | year | all
    period: str  # '2024-05-01' | '2024-05' | '2024' | 'all'
    sessions: int
    session_minutes: float
    other: dict[str, Counts]  # podcasts, audiobooks, videos by kind: the counts above are music
    series: dict[str, Counts]  # the periods one grain down that have plays (empty for a day)
    first_played: datetime
    last_played: datetime
    buckets: dict[str, int]  # rollup_entity_rows buckets per entity type
    session_list: list[Session]  # day only
    play_ids: list[str]  # day only: the day's plays in play order, latest last
    updated_at: datetime


class EntityHead(TypedDict):
    """rollup_entities — `_id` head_id(user, grain, period, entity_type)."""

    _id: str
    user_id: str
    grain: str
    period: str
    entity_type: str  # one of ENTITY_TYPES
    count: int  # distinct entities in the period
    buckets: int
    top: list[EntityRow]  # the first TOP_N rows by streams (without `series`)
    top_minutes: list[EntityRow]  # the first TOP_N rows by minutes
    # all-time heads only: {"YYYY-MM": entities first played that local month} (Wrapped's
    # "new artists" without reading every row)
    first_heard: NotRequired[dict[str, int]]
    updated_at: datetime


class _Bucket(TypedDict):
    """What every bucket of a head's lists carries: the head's parts and its place among them."""

    _id: str
    user_id: str
    grain: str
    period: str
    entity_type: str
    bucket: int
    buckets: int


class EntityRows(_Bucket):
    """rollup_entity_rows — `_id` rows_id(head_id, bucket, buckets); every row of a head, by key
    hash (`ids.bucket_of`)."""

    rows: list[EntityRow]


class EntityKeys(_Bucket):
    """rollup_entity_keys — `_id` keys_id(head_id, bucket, buckets): the keys and track ids of
    one rows bucket (KEYED_TYPES only), for "have I played this?" without reading the rows."""

    keys: str  # codec.pack_keys: one per line


class HeatCell(TypedDict):
    weekday: int  # 0 = Monday, in the listener's zone
    hour: int
    streams: int
    minutes: float


class Heatmap(TypedDict):
    """rollup_heatmap — `_id` period_id(user, grain, period)."""

    _id: str
    user_id: str
    grain: str
    period: str
    cells: list[HeatCell]


class TasteProfile(TypedDict, total=False):
    """taste_profiles — `_id` period_id(user, grain, period); see pipeline.profiles."""

    _id: str
    user_id: str
    grain: str
    period: str
    coverage: float  # share of minutes with audio features
    features: dict[str, dict[str, float]]  # name → {mean, p10, p50, p90}
    decades: dict[str, float]
    genres: dict[str, float]
    key_mode: dict[str, float]
    acc: dict[str, Any]  # the accumulator the level above merges
    updated_at: datetime


class UserStats(TypedDict):
    """user_stats — `_id` user id; streaks and lifetime figures (pipeline.sessions)."""

    _id: str
    active_days: list[str]
    current_streak: int
    longest_streak: int
    longest_streak_start: str | None
    longest_streak_end: str | None
    sessions: int
    avg_session_minutes: float
    first_played: datetime | None
    last_played: datetime | None
    total_streams: int
    total_minutes: float
    updated_at: datetime


_AT = datetime(2024, 5, 1, 20, 15, tzinfo=UTC)
_HEAD = ids.head_id("alice", "day", "2024-05-01", "track")
EXAMPLE_ROW: dict[str, Any] = {
    "key": "radiohead|nude",
    "name": "Nude",
    "artist_name": "Radiohead",
    "track_id": "3Ox1ovBOGc1R6mjSCZ8LV5",
    "streams": 1,
    "plays": 1,
    "minutes": 4.25,
    "skips": 0,
    "first_played": _AT,
    "last_played": _AT,
    "series": None,
    "rank": 1,
}
_ONE = {"streams": 1, "plays": 1, "minutes": 4.25, "skips": 0}
EXAMPLES: dict[str, list[dict[str, Any]]] = {
    "rollup_totals": [
        {
            "_id": ids.period_id("alice", "all", "all"),
            "user_id": "alice",
            "grain": "all",
            "period": "all",
            **_ONE,
            "sessions": 1,
            "session_minutes": 4.25,
            "other": {},
            "series": {"2024": dict(_ONE)},
            "first_played": _AT,
            "last_played": _AT,
            "buckets": {"track": 1},
            "updated_at": _AT,
        },
        {
            "_id": ids.period_id("alice", "day", "2024-05-01"),
            "user_id": "alice",
            "grain": "day",
            "period": "2024-05-01",
            **_ONE,
            "sessions": 1,
            "session_minutes": 4.25,
            "other": {},
            "series": {},
            "first_played": _AT,
            "last_played": _AT,
            "buckets": {"track": 1},
            "session_list": [
                {"start": _AT, "end": _AT, **{k: _ONE[k] for k in ("plays", "streams", "minutes")}}
            ],
            "play_ids": [ids.play_id("4f1c…the first event's id")],
            "updated_at": _AT,
        },
    ],
    "rollup_entities": [
        {
            "_id": _HEAD,
            "user_id": "alice",
            "grain": "day",
            "period": "2024-05-01",
            "entity_type": "track",
            "count": 1,
            "buckets": 1,
            "top": codec.pack_rows([EXAMPLE_ROW]),
            "top_minutes": codec.pack_rows([EXAMPLE_ROW]),
            "updated_at": _AT,
        }
    ],
    "rollup_entity_rows": [
        {
            "_id": ids.rows_id(_HEAD, 0, 1),
            "user_id": "alice",
            "grain": "day",
            "period": "2024-05-01",
            "entity_type": "track",
            "bucket": 0,
            "buckets": 1,
            "rows": codec.pack_rows([EXAMPLE_ROW]),
        }
    ],
    "rollup_entity_keys": [
        {
            "_id": ids.keys_id(_HEAD, 0, 1),
            "user_id": "alice",
            "grain": "day",
            "period": "2024-05-01",
            "entity_type": "track",
            "bucket": 0,
            "buckets": 1,
            "keys": codec.pack_keys([EXAMPLE_ROW["key"], EXAMPLE_ROW["track_id"]]),
        }
    ],
    "rollup_heatmap": [
        {
            "_id": ids.period_id("alice", "day", "2024-05-01"),
            "user_id": "alice",
            "grain": "day",
            "period": "2024-05-01",
            "cells": [{"weekday": 2, "hour": 22, "streams": 1, "minutes": 4.25}],
        }
    ],
}
