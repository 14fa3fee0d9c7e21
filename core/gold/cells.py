"""Discover's index (catalog_cells): the grid, its ids and its packed fields.

The catalog's tracks with audio features sit on a grid of CELL_BINS³ cells over CELL_FEATURES, so
"the tracks nearest to my taste" reads a few small documents by `_id` instead of scanning 1.2 M
tracks. Per cell two documents: `cell_id(cell)` with `vectors` (`pack_vectors`) and
`rows_of_cell(cell_id)` with `rows` (`pack_lines`, read with `CellRows`).
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Sequence
from typing import Any

from core.gold.ids import SEP, key

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
    """The cell of a feature vector (values outside 0–1 clamp to the edge)."""
    i, j, k = (int(float(features.get(f) or 0.0) * CELL_BINS) for f in CELL_FEATURES)
    top = CELL_BINS - 1
    return min(top, max(0, i)), min(top, max(0, j)), min(top, max(0, k))


def cell_id(cell: tuple[int, ...]) -> str:
    return key("cell", *cell)


def rows_of_cell(cell_doc_id: str) -> str:
    """`_id` of the names document of a catalog cell."""
    return f"{cell_doc_id}{SEP}rows"


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
    """catalog_cells `rows` from JSON lines (`json.dumps` of each [track id, name, [artists], year])."""
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
