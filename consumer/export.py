"""Export one user's plays and statistics as CSV, JSON or Parquet ("your data, on your end").

    earshot export --user alice --format parquet --out ~/earshot-export

writes one file per dataset into the output directory: `plays`, `user_stats`, `rollup_totals`,
`rollup_entities` (`.csv`, `.json` — a JSON array — or `.parquet`). Nested values (artist
lists, audio features) become JSON text in CSV and Parquet; times are UTC ISO-8601.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from datetime import date, datetime
from pathlib import Path
from typing import Any, Literal

from pymongo.database import Database

from core.collections import Coll
from core.errors import EarshotError

Format = Literal["csv", "json", "parquet"]
FORMATS: tuple[Format, ...] = ("csv", "json", "parquet")
DATASETS: dict[str, tuple[Coll, str, list[tuple[str, int]]]] = {
    "plays": (Coll.PLAYS, "user_id", [("ended_at", 1)]),
    "user_stats": (Coll.USER_STATS, "_id", []),
    "rollup_totals": (Coll.ROLLUP_TOTALS, "user_id", [("grain", 1), ("period", 1)]),
    "rollup_entities": (Coll.ROLLUP_ENTITIES, "user_id", [("grain", 1), ("period", 1), ("entity_type", 1)]),
}


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
    counts: dict[str, int] = {}
    found: dict[str, list[dict[str, Any]]] = {}
    for name, (coll, field, order) in DATASETS.items():
        cursor: Iterable[dict[str, Any]] = db[coll.value].find({field: user_id})
        if order:
            cursor = db[coll.value].find({field: user_id}).sort(order)
        docs = []
        for doc in cursor:
            docs.append(doc)
            if on_progress and len(docs) % 5000 == 0:
                on_progress(name, len(docs))
        found[name] = docs
        counts[name] = len(docs)
    if not any(counts.values()):
        raise EarshotError(f"no plays or statistics for user {user_id!r} in database {db.name!r}")
    out_dir.mkdir(parents=True, exist_ok=True)
    for name, docs in found.items():
        if docs:
            write(docs, fmt, out_dir / f"{name}.{fmt}")
        if on_progress:
            on_progress(name, len(docs))
    return counts
