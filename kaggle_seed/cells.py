"""Discover's catalog index: the catalog's tracks with audio features, grouped by grid cell.

    from kaggle_seed.cells import by_cell, merge_cells, packed, rebuild_cells
    parts = {cell: [packed(entries)] for cell, entries in by_cell(tracks).items()}
    merge_cells(db, parts.items())   # the Kaggle backfill: parts made by each partition
    rebuild_cells(db)                # from the whole `tracks` collection (a scan)

A cell (`core.collections.cell_of`) has two documents: its tracks' radar features as one byte
per value (`vectors`, what the search reads) and their names (`rows`, read only for the tracks
shown). Shapes: core/collections.py, catalog_cells. Merging keeps one entry per track id in a
cell, the newest; the summary document counts them.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from core import gold
from core.collections import Coll, track_features
from core.events import utc_now
from core.mongo import find_ids

Doc = dict[str, Any]
Entry = tuple[list[Any], list[float]]  # (row: [id, name, [artists], year], radar features)
CHUNK = 200  # cells per read / write round trip


def cell_entry(track: Doc) -> tuple[str, Entry] | None:
    """A track's cell and catalog_cells entry, or None without features."""
    features = track_features(track)
    if not features:
        return None
    row = [track["_id"], track.get("name"), list(track.get("artist_names") or []), track.get("release_year")]
    return gold.cell_id(gold.cell_of(features)), (
        row,
        [float(features.get(f) or 0.0) for f in gold.RADAR_FEATURES],
    )


def by_cell(tracks: Iterable[Doc]) -> dict[str, list[Entry]]:
    out: dict[str, list[Entry]] = {}
    for track in tracks:
        if (found := cell_entry(track)) is not None:
            out.setdefault(found[0], []).append(found[1])
    return out


Part = tuple[str, bytes]  # (JSON lines of rows, gold.pack_vectors bytes) of some tracks of one cell


def packed(entries: list[Entry]) -> Part:
    """A cell's entries as the writer takes them (made where the tracks are, e.g. on executors)."""
    return "\n".join(json.dumps(r) for r, _ in entries), gold.pack_vectors([v for _, v in entries])


def _docs(_id: str, lines: str, vectors: bytes, now: Any) -> list[Doc]:
    cell = [int(i) for i in _id.split("|")[1:]]
    count = len(vectors) // len(gold.RADAR_FEATURES)
    return [
        {"_id": _id, "cell": cell, "count": count, "vectors": vectors},
        {"_id": gold.rows_of_cell(_id), "rows": gold.pack_lines([lines] if lines else []), "updated_at": now},
    ]


def _joined(parts: list[Part]) -> Part:
    """Parts of one cell as one (lines and vectors concatenated: nothing decoded)."""
    return "\n".join(t for t, _ in parts if t), b"".join(v for _, v in parts)


def _merged(stored: dict[str, Doc], _id: str, parts: list[Part]) -> Part:
    """Parts merged onto a stored cell: one entry per track id, a new one replacing the old."""
    entries: dict[str, Entry] = {}
    docs = [(list(gold.CellRows(stored[gold.rows_of_cell(_id)]["rows"])), stored[_id]["vectors"])]
    docs += [([json.loads(line) for line in t.split("\n")] if t else [], v) for t, v in parts]
    for rows, vectors in docs:
        for row, vec in zip(rows, gold.unpack_vectors(vectors).tolist(), strict=True):
            entries[row[0]] = (row, vec)
    return packed(list(entries.values()))


def merge_cells(db: Any, cells: Iterable[tuple[str, list[Part]]]) -> Doc:
    """Write cells from their parts, merged onto what is stored (an entry replaces the one with
    its track id; a cell not stored yet is spliced without decoding), and update the summary.
    `cells` may be a generator: one chunk of cells is in memory at a time."""
    coll = db[Coll.CATALOG_CELLS.value]
    now = utc_now()
    summary = coll.find_one({"_id": gold.CELLS_SUMMARY}) or {"tracks": 0, "cells": 0}
    chunk: list[tuple[str, list[Part]]] = []

    def flush() -> None:
        ids = [c for c, _ in chunk]
        stored = {d["_id"]: d for d in find_ids(db, Coll.CATALOG_CELLS, [*ids, *map(gold.rows_of_cell, ids)])}
        docs = []
        for _id, parts in chunk:
            old = stored.get(_id)
            lines, vectors = _merged(stored, _id, parts) if old else _joined(parts)
            docs += _docs(_id, lines, vectors, now)
            summary["tracks"] += docs[-2]["count"] - (old or {}).get("count", 0)
            summary["cells"] += 0 if old else 1
        coll.delete_many({"_id": {"$in": [d["_id"] for d in docs]}})
        coll.insert_many(docs, ordered=False)
        chunk.clear()

    for item in cells:
        chunk.append(item)
        if len(chunk) >= CHUNK:
            flush()
    if chunk:
        flush()
    summary |= {"features": list(gold.CELL_FEATURES), "bins": gold.CELL_BINS, "updated_at": now}
    coll.replace_one({"_id": gold.CELLS_SUMMARY}, summary, upsert=True)
    return summary


def rebuild_cells(db: Any) -> Doc:
    """Every cell anew from the `tracks` collection (a scan: for small catalogs, tests, repair)."""
    projection = {"name": 1, "artist_names": 1, "release_year": 1, "features": 1}
    cells = by_cell(db[Coll.TRACKS.value].find({"features": {"$ne": None}}, projection))
    db[Coll.CATALOG_CELLS.value].delete_many({})
    return merge_cells(db, ((c, [packed(e)]) for c, e in cells.items()))
