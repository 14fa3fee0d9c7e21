"""Discover's catalog index: the catalog's tracks with audio features, grouped by grid cell.

    from batch.discover import by_cell, merge_cells, rebuild_cells
    merge_cells(db, by_cell(tracks).items())   # the Kaggle backfill, after loading `tracks`
    rebuild_cells(db)                          # from the whole `tracks` collection (a scan)

A cell (`core.collections.cell_of`) holds compact rows of its tracks, so the Discover page reads
the few cells around a taste profile by `_id` (shape: core/collections.py, catalog_cells).
Merging keeps one row per track id in a cell, the newest; the summary document counts the rows.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from core.collections import (
    CELL_BINS,
    CELL_FEATURES,
    CELLS_SUMMARY,
    RADAR_FEATURES,
    Coll,
    cell_id,
    cell_of,
    pack_list,
    unpack_list,
)
from core.events import utc_now
from core.mongo import find_ids

Doc = dict[str, Any]
CHUNK = 200  # cells per read / write round trip


def cell_row(track: Doc) -> list[Any] | None:
    """A track's catalog_cells row, or None without features."""
    features = track.get("features")
    if not features:
        return None
    values = [features.get(f) for f in RADAR_FEATURES]
    return [
        track["_id"],
        track.get("name"),
        list(track.get("artist_names") or []),
        track.get("release_year"),
        *(None if v is None else round(float(v), 4) for v in values),
    ]


def by_cell(tracks: Iterable[Doc]) -> dict[str, list[list[Any]]]:
    out: dict[str, list[list[Any]]] = {}
    for track in tracks:
        row = cell_row(track)
        if row is not None:
            out.setdefault(cell_id(cell_of(track["features"])), []).append(row)
    return out


def _cell_doc(_id: str, rows: list[list[Any]], now: Any) -> Doc:
    rows.sort(key=lambda r: str(r[0]))
    cell = [int(i) for i in _id.split("|")[1:]]
    return {"_id": _id, "cell": cell, "count": len(rows), "rows": pack_list(rows), "updated_at": now}


def merge_cells(db: Any, cells: Iterable[tuple[str, list[list[Any]]]]) -> Doc:
    """Merge new rows into their cells (a row replaces the one with its track id) and update the
    summary. `cells` may be a generator: one chunk of cells is in memory at a time."""
    coll = db[Coll.CATALOG_CELLS.value]
    now = utc_now()
    summary = coll.find_one({"_id": CELLS_SUMMARY}) or {"tracks": 0, "cells": 0}
    chunk: list[tuple[str, list[list[Any]]]] = []

    def flush() -> None:
        ids = [c for c, _ in chunk]
        stored = {d["_id"]: d for d in find_ids(db, Coll.CATALOG_CELLS, ids, {"rows": 1, "count": 1})}
        docs = []
        for _id, rows in chunk:
            old = stored.get(_id, {})
            merged = {r[0]: r for r in unpack_list(old.get("rows"))}
            merged.update((r[0], r) for r in rows)
            docs.append(_cell_doc(_id, list(merged.values()), now))
            summary["tracks"] += len(merged) - old.get("count", 0)
            summary["cells"] += 0 if old else 1
        coll.delete_many({"_id": {"$in": ids}})
        coll.insert_many(docs, ordered=False)
        chunk.clear()

    for item in cells:
        chunk.append(item)
        if len(chunk) >= CHUNK:
            flush()
    if chunk:
        flush()
    summary |= {"features": list(CELL_FEATURES), "bins": CELL_BINS, "updated_at": now}
    coll.replace_one({"_id": CELLS_SUMMARY}, summary, upsert=True)
    return summary


def rebuild_cells(db: Any) -> Doc:
    """Every cell anew from the `tracks` collection (a scan: for small catalogs, tests, repair)."""
    projection = {"name": 1, "artist_names": 1, "release_year": 1, "features": 1}
    cells = by_cell(db[Coll.TRACKS.value].find({"features": {"$ne": None}}, projection))
    db[Coll.CATALOG_CELLS.value].delete_many({})
    return merge_cells(db, cells.items())
