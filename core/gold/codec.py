"""The one codec of the gold layer's packed fields.

rollup_entities `top` / `top_minutes` and rollup_entity_rows `rows` hold entity rows as
zlib-compressed JSON `{"fields": ENTITY_FIELDS, "rows": [[...], ...]}` with times as epoch
milliseconds; rollup_entities `keys` is a zlib-compressed JSON list.

    blob = pack_rows([{"key": "a|b", "streams": 3, ...}])
    unpack_rows(blob)   # [{"key": "a|b", "streams": 3, "first_played": datetime(...), ...}]
    row_lists(blob)     # [["a|b", ..., 3, ...]]: lists in ENTITY_FIELDS order, times in epoch ms
"""

from __future__ import annotations

import json
import zlib
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
_TIME_FIELDS = ("first_played", "last_played")
_TIME_AT = tuple(ENTITY_FIELDS.index(f) for f in _TIME_FIELDS)


def _epoch_ms(value: Any) -> Any:
    return round(value.timestamp() * 1000) if isinstance(value, datetime) else value


def pack_rows(rows: list[dict[str, Any]]) -> bytes:
    """Entity rows (dicts with ENTITY_FIELDS) as one packed field."""
    first, last = _TIME_AT
    out = []
    for row in rows:
        values = [row.get(f) for f in ENTITY_FIELDS]
        values[first], values[last] = _epoch_ms(values[first]), _epoch_ms(values[last])
        out.append(values)
    return zlib.compress(json.dumps({"fields": ENTITY_FIELDS, "rows": out}).encode(), 1)


def row_lists(blob: bytes | None) -> list[list[Any]]:
    """The packed rows as lists in ENTITY_FIELDS order, times in epoch ms (the dashboard's fast
    path: a page of 25 rows needs no dict and no datetime per row); [] for None."""
    if not blob:
        return []
    data = json.loads(zlib.decompress(blob))
    fields, rows = tuple(data["fields"]), data["rows"]
    if fields == ENTITY_FIELDS:
        return list(rows)
    at = [fields.index(f) if f in fields else None for f in ENTITY_FIELDS]
    return [[r[i] if i is not None else None for i in at] for r in rows]


def unpack_rows(blob: bytes | None) -> list[dict[str, Any]]:
    """The rows `pack_rows` packed, as dicts with times back as UTC datetimes; [] for None."""
    rows = []
    for values in row_lists(blob):
        for i in _TIME_AT:
            if isinstance(values[i], int | float):
                values[i] = datetime.fromtimestamp(values[i] / 1000, UTC)
        rows.append(dict(zip(ENTITY_FIELDS, values, strict=True)))
    return rows


def pack_list(items: list[Any]) -> bytes:
    """rollup_entities `keys`: a zlib-compressed JSON list."""
    return zlib.compress(json.dumps(items).encode(), 1)


def unpack_list(blob: bytes | None) -> list[Any]:
    return json.loads(zlib.decompress(blob)) if blob else []
