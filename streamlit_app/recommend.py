"""Discover's search: catalog tracks nearest to a taste profile that the user has not played.

    from streamlit_app.recommend import nearest, nearest_in_cells
    nearest(means, tracks, played, n=20)                       # over given tracks (the definition)
    nearest_in_cells(means, read_vectors, read_rows, played)   # over Discover's index (catalog_cells)

Distance is Euclidean over gold.RADAR_FEATURES; `played` holds track ids and normalised
'artist|track' keys (plays without a track id count). Pure logic: the reads are passed in.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np

from core import gold
from pipeline.dedupe import name_key

Doc = dict[str, Any]


def _vector(features: dict[str, float]) -> list[float]:
    return [float(features.get(f) or 0.0) for f in gold.RADAR_FEATURES]


def nearest(means: dict[str, float], catalog: Iterable[Doc], played: set[str], n: int = 20) -> list[Doc]:
    """Catalog tracks closest (Euclidean over gold.RADAR_FEATURES) to `means`, minus played ones.

    `played` holds track ids and normalised 'artist|track' keys (plays without a track id count).
    Each result carries `distance` and `why`: the three features closest to the profile.
    """
    target = _vector(means)
    scored = []
    for t in catalog:
        if not t.get("features") or _played(played, t["_id"], t.get("artist_names"), t.get("name")):
            continue
        vec = _vector(t["features"])
        scored.append((math.dist(target, vec), t, vec))
    scored.sort(key=lambda s: (s[0], str(s[1]["_id"])))
    return [_described(dist, t, vec, target) for dist, t, vec in scored[:n]]


def _played(played: set[str], track_id: Any, artists: Any, name: Any) -> bool:
    return track_id in played or name_key(artists, name) in played


def _described(dist: float, track: Doc, vec: Sequence[float], target: Sequence[float]) -> Doc:
    gaps = sorted(zip(gold.RADAR_FEATURES, vec, target, strict=True), key=lambda g: abs(g[1] - g[2]))
    why = ", ".join(f"{f} {v:.2f} (you {m:.2f})" for f, v, m in gaps[:3])
    return {**track, "distance": round(dist, 3), "why": why}


QUANTUM = math.sqrt(len(gold.RADAR_FEATURES)) * 0.5 / 255  # the most a byte-packed vector moves a distance
READ_BUDGET = 40_000  # tracks' vectors Discover reads at most (a ring more would pass it: stop there)


def nearest_in_cells(
    means: dict[str, float],
    read_vectors: Callable[[list[str]], dict[str, Any]],
    read_rows: Callable[[list[str]], dict[str, Sequence[Any]]],
    played: set[str],
    n: int = 20,
    budget: int = READ_BUDGET,
) -> list[Doc]:
    """`nearest` over Discover's index (catalog_cells). Reads rings of cells around the
    profile's cell (their byte-packed feature vectors, `read_vectors(ids)` → {id: (k, 7) array})
    until the n-th nearest unplayed track is closer than any track outside the rings can be (the
    grid's axes are three of the measured features, so a track in an unread cell is at least as
    far as that cell's edge): exact, to the vectors' 1/255 steps. Names (`read_rows(ids)` →
    {id: rows}) are read only for the cells of the tracks it walks past. In a dense part of a
    large catalog the exact answer can need 100,000+ tracks' vectors; the search then stops
    before a ring would take it past `budget` and answers with the nearest of what it read (the
    27 cells around the profile hold the nearest tracks along the grid's axes)."""
    target = np.asarray(_vector(means))
    point = [min(1.0, max(0.0, float(means.get(f) or 0.0))) for f in gold.CELL_FEATURES]
    center = gold.cell_of(means)
    cells: list[str] = []
    blocks: list[Any] = []
    dists: list[Any] = []
    rows: dict[str, Sequence[Any]] = {}
    best: list[tuple[float, Doc, Any]] = []
    total = 0
    for r in range(gold.CELL_BINS):
        for cid, vectors in read_vectors([gold.cell_id(c) for c in ring(center, r)]).items():
            cells.append(cid)
            blocks.append(vectors)
            dists.append(np.sqrt(((vectors - target) ** 2).sum(axis=1)))
            total += len(vectors)
        reach = searched_radius(point, center, r)
        growth = ((2 * r + 3) ** 3 - (2 * r + 1) ** 3) / (2 * r + 1) ** 3  # next ring's share, if as dense
        last = reach == math.inf or total * (1 + growth) > budget  # all read, or over the budget
        if not total or (total < n and not last):
            continue
        dist = np.concatenate(dists)
        if not last and np.partition(dist, n - 1)[n - 1] + QUANTUM > reach:
            continue  # even ignoring what was played, tracks outside may be nearer: read on
        best = _walk(dist, np.concatenate(blocks), cells, blocks, rows, read_rows, played, n)
        if last or (len(best) == n and best[-1][0] + QUANTUM <= reach):
            break
    return [_described(dist, t, vec.tolist(), target.tolist()) for dist, t, vec in best]


def _walk(
    dist: Any,
    vectors: Any,
    cells: list[str],
    blocks: list[Any],
    rows: dict[str, Sequence[Any]],
    read_rows: Callable[[list[str]], dict[str, Sequence[Any]]],
    played: set[str],
    n: int,
) -> list[tuple[float, Doc, Any]]:
    """The n nearest unplayed tracks of the cells read so far, fetching names as it goes."""
    owner = np.repeat(np.arange(len(blocks)), [len(b) for b in blocks])
    index = np.concatenate([np.arange(len(b)) for b in blocks])
    order = np.argsort(dist, kind="stable")
    picked: list[tuple[float, Doc, Any]] = []
    seen: set[str] = set()
    for pos, k in enumerate(order):
        cid = cells[owner[k]]
        if cid not in rows:  # names for the cells of the next few candidates, in one read
            ahead = order[pos : pos + max(8, n - len(picked))]
            rows |= read_rows(list(dict.fromkeys(cells[owner[j]] for j in ahead).keys() - rows.keys()))
        _id, name, artists, year = rows[cid][index[k]]
        if _id in seen or _played(played, _id, artists, name):
            continue
        seen.add(_id)
        features = dict(zip(gold.RADAR_FEATURES, vectors[k].tolist(), strict=True))
        track = {"_id": _id, "name": name, "artist_names": artists, "release_year": year}
        track["features"] = features
        picked.append((float(dist[k]), track, vectors[k]))
        if len(picked) == n:
            break
    return picked


def ring(center: tuple[int, int, int], r: int) -> list[tuple[int, int, int]]:
    """The grid cells at Chebyshev distance exactly `r` from `center`."""
    axes = [range(max(0, c - r), min(gold.CELL_BINS, c + r + 1)) for c in center]
    return [
        (i, j, k)
        for i in axes[0]
        for j in axes[1]
        for k in axes[2]
        if max(abs(i - center[0]), abs(j - center[1]), abs(k - center[2])) == r
    ]


def searched_radius(point: Sequence[float], center: tuple[int, int, int], r: int) -> float:
    """How far from `point` every cell within `r` of `center` reaches: a track outside them is
    at least this far away (inf once they cover the grid)."""
    reach = math.inf
    for x, c in zip(point, center, strict=True):
        if c - r > 0:
            reach = min(reach, x - (c - r) / gold.CELL_BINS)
        if c + r < gold.CELL_BINS - 1:
            reach = min(reach, (c + r + 1) / gold.CELL_BINS - x)
    return reach
