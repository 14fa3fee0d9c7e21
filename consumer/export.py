"""Export one user's plays and statistics as CSV, JSON or Parquet ("your data, on your end").

    earshot export --user alice --format parquet --out ~/earshot-export

writes one file per dataset into the output directory: `plays`, `user_stats`, `rollup_totals`,
`rollup_entities` (`.csv`, `.json` — a JSON array — or `.parquet`). Nested values (artist
lists, audio features, series, sessions) become JSON text in CSV and Parquet; times are UTC
ISO-8601. `rollup_entities` has one row per entity of each period (user_id, grain, period,
entity_type, rank, key, name, artist_name, track_id, streams, plays, minutes, first_played,
last_played, series), unpacked from the stored per-type documents; `rollup_totals` one row per
period (all time, years, months, days: read by `_id` through each level's `series`).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any, Literal

from pymongo.database import Database

from core import gold
from core.collections import Coll
from core.errors import EarshotError

Format = Literal["csv", "json", "parquet"]
FORMATS: tuple[Format, ...] = ("csv", "json", "parquet")
DATASETS = ("plays", "user_stats", "rollup_totals", "rollup_entities")
GRAIN_ORDER = {g: i for i, g in enumerate(gold.GRAINS)}
ENTITY_ORDER = {t: i for i, t in enumerate(gold.ENTITY_TYPES)}


def _plays(db: Database[dict[str, Any]], user_id: str) -> Iterator[dict[str, Any]]:
    yield from db[Coll.PLAYS.value].find({"user_id": user_id}).sort([("ended_at", 1)])


def _user_stats(db: Database[dict[str, Any]], user_id: str) -> Iterator[dict[str, Any]]:
    stats = db[Coll.USER_STATS.value].find_one({"_id": user_id})
    if stats:
        yield stats


def _order(doc: dict[str, Any]) -> tuple[int, str]:
    return GRAIN_ORDER[doc["grain"]], doc["period"]


def _totals(db: Database[dict[str, Any]], user_id: str) -> list[dict[str, Any]]:
    # play_ids only point into `plays`, which is exported whole
    return sorted(gold.totals_tree(db, user_id, {"play_ids": 0}), key=_order)


def _entities(
    db: Database[dict[str, Any]], user_id: str, totals: list[dict[str, Any]]
) -> Iterator[dict[str, Any]]:
    """One row per (grain, period, entity type, entity), ranked as the app ranks them."""
    ids = [gold.head_id(user_id, d["grain"], d["period"], t) for d in totals for t in gold.ENTITY_TYPES]
    heads: dict[tuple[str, str, str], list[dict[str, Any]]] = {}
    for doc in gold.entity_row_docs(db, ids):
        heads.setdefault((doc["grain"], doc["period"], doc["entity_type"]), []).append(doc)
    for docs in sorted(
        heads.values(), key=lambda d: (*_order(d[0]), ENTITY_ORDER.get(d[0]["entity_type"], 99))
    ):
        keys = {k: docs[0][k] for k in ("user_id", "grain", "period", "entity_type")}
        for row in gold.entity_rows(docs):
            yield keys | row


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def flatten(doc: dict[str, Any]) -> dict[str, Any]:
    """Nested lists and dicts as JSON text, so every column is a scalar."""
    return {
        k: json.dumps(v, default=_jsonable, ensure_ascii=False) if isinstance(v, list | dict) else v
        for k, v in doc.items()
    }


def write(docs: list[dict[str, Any]], fmt: Format, path: Path) -> None:
    if fmt == "json":
        path.write_text(json.dumps(docs, default=_jsonable, ensure_ascii=False, indent=1), encoding="utf-8")
        return
    import pandas as pd

    frame = pd.DataFrame([flatten(d) for d in docs])
    if fmt == "csv":
        frame.to_csv(path, index=False, date_format="%Y-%m-%dT%H:%M:%S.%fZ")
    else:
        frame.to_parquet(path, index=False)


def export_user(
    db: Database[dict[str, Any]],
    user_id: str,
    fmt: Format,
    out_dir: Path,
    on_progress: Callable[[str, int], None] | None = None,
) -> dict[str, int]:
    """Write the user's datasets into `out_dir`; returns rows written per dataset."""
    if fmt not in FORMATS:
        raise EarshotError(f"unknown export format {fmt!r}; choose from {', '.join(FORMATS)}")
    if out_dir.exists() and not out_dir.is_dir():
        raise EarshotError(f"{out_dir} exists and is not a directory")
    totals = _totals(db, user_id)
    sources: dict[str, Iterable[dict[str, Any]]] = {
        "plays": _plays(db, user_id),
        "user_stats": _user_stats(db, user_id),
        "rollup_totals": totals,
        "rollup_entities": _entities(db, user_id, totals),
    }
    found: dict[str, list[dict[str, Any]]] = {}
    for name in DATASETS:
        docs = []
        for doc in sources[name]:
            docs.append(doc)
            if on_progress and len(docs) % 5000 == 0:
                on_progress(name, len(docs))
        found[name] = docs
    counts = {name: len(docs) for name, docs in found.items()}
    if not any(counts.values()):
        raise EarshotError(f"no plays or statistics for user {user_id!r} in database {db.name!r}")
    out_dir.mkdir(parents=True, exist_ok=True)
    for name, docs in found.items():
        if docs:
            write(docs, fmt, out_dir / f"{name}.{fmt}")
        if on_progress:
            on_progress(name, len(docs))
    return counts
