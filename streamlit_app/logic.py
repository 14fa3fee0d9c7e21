"""Pure computations behind the pages (no Streamlit, no MongoDB): unit-tested.

rank_rows(fields, [rows, ...], by="streams")  # merge entity rows of several periods, rank them
change(120, 100)                  # +20.0 (%), None when there is nothing to compare with
taste_label({"energy": .8, ...})  # 'High-energy dancer'
nearest(profile, catalog, played) # content-based recommendations with the closest features
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from core.collections import CELL_BINS, CELL_FEATURES, RADAR_FEATURES, cell_id, cell_of
from spark_jobs.dedupe import name_key

Doc = dict[str, Any]


def sum_totals(docs: Iterable[Doc]) -> Doc:
    out = {"streams": 0, "plays": 0, "minutes": 0.0, "skips": 0}
    for d in docs:
        for k in out:
            out[k] += d.get(k) or 0
    return out


def change(current: float, previous: float) -> float | None:
    """Percent change against the previous period; None when the previous one is empty."""
    if not previous:
        return None
    return round((current - previous) / previous * 100, 1)


@dataclass
class Ranked:
    key: str
    name: str
    artist_name: str | None = None
    track_id: str | None = None
    streams: int = 0
    plays: int = 0
    minutes: float = 0.0
    first_played: datetime | None = None
    last_played: datetime | None = None


# Entity rows as stored (core.collections.pack_rows): lists in the order of `fields`, times in
# epoch milliseconds. Ranking works on these lists: a year holds tens of thousands of tracks and
# a page shows 25, so only the rows shown become objects.
Row = list[Any]


def merge_rows(fields: Sequence[str], tables: Iterable[list[Row]]) -> list[Row]:
    """One row per entity key from the rows of several periods: counts added, first/last kept."""
    tables = list(tables)
    if len(tables) == 1:
        return tables[0]
    f = {name: i for i, name in enumerate(fields)}
    key, first, last, tid = f["key"], f["first_played"], f["last_played"], f["track_id"]
    counts = [f["streams"], f["plays"], f["minutes"]]
    merged: dict[str, Row] = {}
    for rows in tables:
        for r in rows:
            m = merged.get(r[key])
            if m is None:
                merged[r[key]] = list(r)
                continue
            for i in counts:
                m[i] += r[i]
            a, b = m[first], r[first]
            m[first] = b if a is None else a if b is None else min(a, b)
            a, b = m[last], r[last]
            m[last] = b if a is None else a if b is None else max(a, b)
            if r[tid] and not m[tid]:
                m[tid], m[f["name"]] = r[tid], r[f["name"]]  # names of the richer sources
    return list(merged.values())


def rank_rows(fields: Sequence[str], tables: Iterable[list[Row]], by: str = "streams") -> list[Row]:
    """Merged rows ordered by `by` ('streams' or 'minutes'), then the other measure, then key
    (the writer's order for streams, so a document's `top` and its decoded rows agree)."""
    f = {name: i for i, name in enumerate(fields)}
    first, second = (f["streams"], f["minutes"]) if by == "streams" else (f["minutes"], f["streams"])
    key = f["key"]
    rows = merge_rows(fields, tables)
    return sorted(rows, key=lambda r: (-r[first], -r[second], str(r[key])))


def ranked(fields: Sequence[str], row: Row) -> Ranked:
    """A packed row as a `Ranked` entity (times as UTC datetimes)."""
    d = dict(zip(fields, row, strict=True))
    for t in ("first_played", "last_played"):
        d[t] = datetime.fromtimestamp(d[t] / 1000, UTC) if d.get(t) is not None else None
    return ranked_doc(d)


def ranked_doc(d: Doc) -> Ranked:
    """A readable row (a document's `top`, or a decoded one) as a `Ranked` entity."""
    return Ranked(
        d["key"],
        d.get("name") or d["key"],
        d.get("artist_name"),
        d.get("track_id"),
        d.get("streams") or 0,
        d.get("plays") or 0,
        d.get("minutes") or 0.0,
        d.get("first_played"),
        d.get("last_played"),
    )


def current_streak(stored: int, last_day: date | None, today: date) -> int:
    """The current streak today from the one stored at the last write (user_stats): it still
    runs while the last day with plays is today or yesterday."""
    return stored if last_day is not None and (today - last_day).days <= 1 else 0


def best_period(series: dict[str, int]) -> tuple[str, int] | None:
    """The period with the most streams in a row's `series` {period: streams} (earliest on ties)."""
    if not series:
        return None
    best = min(series, key=lambda p: (-series[p], p))
    return best, series[best]


def feature_means(profile: Doc | None) -> dict[str, float]:
    feats = (profile or {}).get("features") or {}
    return {
        k: float(v["mean"]) for k, v in feats.items() if isinstance(v, dict) and v.get("mean") is not None
    }


def taste_label(means: dict[str, float]) -> str:
    """A short, deterministic label from mean audio features."""
    if not means:
        return "Still learning your taste"
    energy, dance = means.get("energy", 0.5), means.get("danceability", 0.5)
    valence, acoustic = means.get("valence", 0.5), means.get("acousticness", 0.5)
    if means.get("instrumentalness", 0) > 0.5:
        return "Instrumental explorer"
    if energy >= 0.65 and dance >= 0.6:
        return "High-energy dancer"
    if energy >= 0.65:
        return "Loud and proud"
    if acoustic >= 0.6:
        return "Acoustic soul"
    if valence <= 0.35:
        return "Melancholy mood"
    if valence >= 0.65:
        return "Sunny side up"
    return "Balanced listener"


def listening_age(decades: dict[str, float]) -> str | None:
    """The decade with the largest share ('1990s'), or None."""
    return max(decades, key=lambda d: decades[d]) if decades else None


def _vector(features: dict[str, float]) -> list[float]:
    return [float(features.get(f) or 0.0) for f in RADAR_FEATURES]


def nearest(means: dict[str, float], catalog: Iterable[Doc], played: set[str], n: int = 20) -> list[Doc]:
    """Catalog tracks closest (Euclidean over RADAR_FEATURES) to `means`, minus played ones.

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
    gaps = sorted(zip(RADAR_FEATURES, vec, target, strict=True), key=lambda g: abs(g[1] - g[2]))
    why = ", ".join(f"{f} {v:.2f} (you {m:.2f})" for f, v, m in gaps[:3])
    return {**track, "distance": round(dist, 3), "why": why}


QUANTUM = math.sqrt(len(RADAR_FEATURES)) * 0.5 / 255  # the most a byte-packed vector moves a distance
READ_BUDGET = 40_000  # tracks' vectors Discover reads at most (a ring more would pass it: stop there)


def nearest_in_cells(
    means: dict[str, float],
    read_vectors: Callable[[list[str]], dict[str, Any]],
    read_rows: Callable[[list[str]], dict[str, list[Any]]],
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
    import numpy as np

    target = np.asarray(_vector(means))
    point = [min(1.0, max(0.0, float(means.get(f) or 0.0))) for f in CELL_FEATURES]
    center = cell_of(means)
    cells: list[str] = []
    blocks: list[Any] = []
    rows: dict[str, list[Any]] = {}
    best: list[tuple[float, Doc, Any]] = []
    total = 0
    for r in range(CELL_BINS):
        for cid, vectors in read_vectors([cell_id(c) for c in ring(center, r)]).items():
            cells.append(cid)
            blocks.append(vectors)
            total += len(vectors)
        if total < n:
            continue
        reach = searched_radius(point, center, r)
        growth = ((2 * r + 3) ** 3 - (2 * r + 1) ** 3) / (2 * r + 1) ** 3  # next ring's share, if as dense
        over_budget = total * (1 + growth) > budget
        vectors_all = np.concatenate(blocks)
        dist = np.sqrt(((vectors_all - target) ** 2).sum(axis=1))
        if not over_budget and np.partition(dist, n - 1)[n - 1] + QUANTUM > reach:
            continue  # even ignoring what was played, tracks outside may be nearer: read on
        best = _walk(dist, vectors_all, cells, blocks, rows, read_rows, played, n)
        if over_budget or (len(best) == n and best[-1][0] + QUANTUM <= reach):
            break
    else:
        if blocks:  # the whole grid is read
            vectors_all = np.concatenate(blocks)
            dist = np.sqrt(((vectors_all - target) ** 2).sum(axis=1))
            best = _walk(dist, vectors_all, cells, blocks, rows, read_rows, played, n)
    return [_described(dist, t, vec.tolist(), target.tolist()) for dist, t, vec in best]


def _walk(
    dist: Any,
    vectors: Any,
    cells: list[str],
    blocks: list[Any],
    rows: dict[str, list[Any]],
    read_rows: Callable[[list[str]], dict[str, list[Any]]],
    played: set[str],
    n: int,
) -> list[tuple[float, Doc, Any]]:
    """The n nearest unplayed tracks of the cells read so far, fetching names as it goes."""
    import numpy as np

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
        features = dict(zip(RADAR_FEATURES, vectors[k].tolist(), strict=True))
        track = {"_id": _id, "name": name, "artist_names": artists, "release_year": year}
        track["features"] = features
        picked.append((float(dist[k]), track, vectors[k]))
        if len(picked) == n:
            break
    return picked


def ring(center: tuple[int, int, int], r: int) -> list[tuple[int, int, int]]:
    """The grid cells at Chebyshev distance exactly `r` from `center`."""
    axes = [range(max(0, c - r), min(CELL_BINS, c + r + 1)) for c in center]
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
            reach = min(reach, x - (c - r) / CELL_BINS)
        if c + r < CELL_BINS - 1:
            reach = min(reach, (c + r + 1) / CELL_BINS - x)
    return reach


def similarity(a: dict[str, float], b: dict[str, float]) -> float | None:
    """0–100 % closeness of two profiles over the shared radar features."""
    shared = [f for f in RADAR_FEATURES if f in a and f in b]
    if not shared:
        return None
    d = math.dist([a[f] for f in shared], [b[f] for f in shared]) / math.sqrt(len(shared))
    return round((1 - d) * 100, 1)


def wrapped(
    totals: Doc,
    tops: dict[str, list[Ranked]],
    new_artists: int,
    decades: dict[str, float],
    means: dict[str, float],
) -> Doc:
    """The summary a Wrapped card shows."""
    return {
        "minutes": round(totals.get("minutes") or 0),
        "streams": totals.get("streams") or 0,
        "top": {k: [e.name for e in v[:5]] for k, v in tops.items()},
        "new_artists": new_artists,
        "listening_age": listening_age(decades),
        "taste": taste_label(means),
    }
