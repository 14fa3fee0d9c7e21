"""The one codec of the gold layer's entity rows and key lists: plain BSON, readable by any query.

rollup_entities `top` / `top_minutes` and rollup_entity_rows `rows` are arrays of sub-documents
`{key, name, artist_name, track_id, streams, plays, minutes, skips, first_played, last_played,
series, rank}` (fields without a value are left out: the server stores and decodes less);
rollup_entity_keys `keys` is newline-separated text (docs/gold.md says why not an array).

    stored = pack_rows([{"key": "a|b", "streams": 3, "series": None, ...}])  # None fields dropped
    unpack_rows(stored)  # [{"key": "a|b", "streams": 3, "series": None, ...}]: every field, UTC times
    row_lists(stored)    # [["a|b", ..., 3, ...]]: lists in ENTITY_FIELDS order, times in epoch ms
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

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
_TIME_AT = tuple(ENTITY_FIELDS.index(f) for f in ("first_played", "last_played"))


class PackedRowsError(ValueError):
    """Gold documents written by earshot before 0.9 (zlib-packed rows): rebuild them."""

    def __init__(self) -> None:
        super().__init__(
            "this database holds gold documents in the old packed format; "
            "rebuild them from the stored plays with `earshot spark reprocess` (docs/gold.md)"
        )


def _rows(stored: Any) -> list[dict[str, Any]]:
    if isinstance(stored, bytes):
        raise PackedRowsError
    return stored or []


def pack_rows(rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Entity rows as stored: the ENTITY_FIELDS that have a value, in that order."""
    return [{f: v for f in ENTITY_FIELDS if (v := row.get(f)) is not None and v != {}} for row in rows]


def _utc(value: Any) -> Any:
    return value.replace(tzinfo=UTC) if isinstance(value, datetime) and value.tzinfo is None else value


def unpack_rows(stored: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
    """Stored rows as dicts with every ENTITY_FIELD (None where left out), times in UTC; [] for
    None."""
    out = []
    for row in _rows(stored):
        full = {f: row.get(f) for f in ENTITY_FIELDS}
        full["first_played"], full["last_played"] = _utc(full["first_played"]), _utc(full["last_played"])
        out.append(full)
    return out


def _epoch_ms(value: Any) -> Any:
    return round(_utc(value).timestamp() * 1000) if isinstance(value, datetime) else value


def row_lists(stored: list[dict[str, Any]] | None) -> list[list[Any]]:
    """Stored rows as lists in ENTITY_FIELDS order, times in epoch ms (the dashboard's fast path:
    a year's tens of thousands of rows are ranked as lists, only a page of them become objects);
    [] for None."""
    first, last = _TIME_AT
    out = []
    for row in _rows(stored):
        values = [row.get(f) for f in ENTITY_FIELDS]
        values[first], values[last] = _epoch_ms(values[first]), _epoch_ms(values[last])
        out.append(values)
    return out


def pack_keys(keys: Iterable[str]) -> str:
    """rollup_entity_keys `keys`: one key per line (keys are ids and normalised names: no
    newlines)."""
    return "\n".join(k.replace("\n", " ") for k in keys)


def unpack_keys(stored: str | None) -> list[str]:
    if isinstance(stored, bytes):
        raise PackedRowsError
    return stored.split("\n") if stored else []
