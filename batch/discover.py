"""Discover's catalog index: the catalog's tracks with audio features, grouped by grid cell.

    from batch.discover import by_cell, merge_cells, rebuild_cells
    merge_cells(db, by_cell(tracks).items())   # the Kaggle backfill, after loading `tracks`
    rebuild_cells(db)                          # from the whole `tracks` collection (a scan)

A cell (`core.collections.cell_of`) has two documents: its tracks' radar features as one byte
per value (`vectors`, what the search reads) and their names (`rows`, read only for the tracks
shown). Shapes: core/collections.py, catalog_cells. Merging keeps one entry per track id in a
cell, the newest; the summary document counts them.
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
    pack_vectors,
    rows_of_cell,
    unpack_list,
    unpack_vectors,
)
from core.events import utc_now
from core.mongo import find_ids

Doc = dict[str, Any]
Entry = tuple[list[Any], list[float]]  # (row: [id, name, [artists], year], radar features)
CHUNK = 200  # cells per read / write round trip


def cell_entry(track: Doc) -> Entry | None:
    """A track's catalog_cells entry, or None without features."""
    features = track.get("features")
    if not features:
        return None
    row = [track["_id"], track.get("name"), list(track.get("artist_names") or []), track.get("release_year")]
    return row, [float(features.get(f) or 0.0) for f in RADAR_FEATURES]


def by_cell(tracks: Iterable[Doc]) -> dict[str, list[Entry]]:
    out: dict[str, list[Entry]] = {}
    for track in tracks:
        entry = cell_entry(track)
        if entry is not None:
            out.setdefault(cell_id(cell_of(track["features"])), []).append(entry)
    return out


def _docs(_id: str, entries: list[Entry], now: Any) -> list[Doc]:
    entries.sort(key=lambda e: str(e[0][0]))
    cell = [int(i) for i in _id.split("|")[1:]]
    return [
        {"_id": _id, "cell": cell, "count": len(entries), "vectors": pack_vectors([v for _, v in entries])},
        {"_id": rows_of_cell(_id), "rows": pack_list([r for r, _ in entries]), "updated_at": now},
    ]


def _stored(db: Any, ids: list[str]) -> dict[str, dict[str, Entry]]:
    docs = {d["_id"]: d for d in find_ids(db, Coll.CATALOG_CELLS, [*ids, *map(rows_of_cell, ids)])}
    out: dict[str, dict[str, Entry]] = {}
    for _id in ids:
        if _id in docs:
            rows = unpack_list(docs[rows_of_cell(_id)]["rows"])
            vectors = unpack_vectors(docs[_id]["vectors"]).tolist()
            out[_id] = {r[0]: (r, v) for r, v in zip(rows, vectors, strict=True)}
    return out


def merge_cells(db: Any, cells: Iterable[tuple[str, list[Entry]]]) -> Doc:
    """Merge new entries into their cells (an entry replaces the one with its track id) and
    update the summary. `cells` may be a generator: one chunk of cells is in memory at a time."""
    coll = db[Coll.CATALOG_CELLS.value]
    now = utc_now()
    summary = coll.find_one({"_id": CELLS_SUMMARY}) or {"tracks": 0, "cells": 0}
    chunk: list[tuple[str, list[Entry]]] = []

    def flush() -> None:
        ids = [c for c, _ in chunk]
        stored = _stored(db, ids)
        docs = []
        for _id, entries in chunk:
            merged = dict(stored.get(_id, {}))
            merged.update((e[0][0], e) for e in entries)
            docs += _docs(_id, list(merged.values()), now)
            summary["tracks"] += len(merged) - len(stored.get(_id, {}))
            summary["cells"] += 0 if _id in stored else 1
        coll.delete_many({"_id": {"$in": [d["_id"] for d in docs]}})
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
