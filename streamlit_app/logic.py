"""Pure computations behind the pages (no Streamlit, no MongoDB): unit-tested.

rank_rows(fields, [rows, ...], by="streams")  # merge entity rows of several periods, rank them
change(120, 100)                  # +20.0 (%), None when there is nothing to compare with
taste_label({"energy": .8, ...})  # 'High-energy dancer'
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any

from core import gold

Doc = dict[str, Any]


COUNT_FIELDS = ("streams", "plays", "minutes", "skips")
# how a non-music kind (a totals document's `other`) is named on the pages, in their order
OTHER_KINDS = {"episode": "Podcasts", "audiobook": "Audiobooks", "video": "Videos"}


def _counts(d: Doc, out: Doc | None = None) -> Doc:
    out = out or {"streams": 0, "plays": 0, "minutes": 0.0, "skips": 0}
    for k in COUNT_FIELDS:
        out[k] += d.get(k) or 0
    return out


def sum_totals(docs: Iterable[Doc]) -> Doc:
    """Music counts of several totals (`streams`, `plays`, `minutes`, `skips`) and, in `other`,
    the counts of each non-music kind (podcast episodes, audiobooks, videos)."""
    out: Doc = _counts({}) | {"other": {}}
    for d in docs:
        _counts(d, out)
        for kind, counts in (d.get("other") or {}).items():
            out["other"][kind] = _counts(counts, out["other"].get(kind))
    return out


def other_figures(totals: Doc) -> list[tuple[str, str, Doc]]:
    """(kind, label, counts) of the non-music kinds that have plays: [('episode', 'Podcasts', ..)]."""
    other = totals.get("other") or {}
    return [(k, label, other[k]) for k, label in OTHER_KINDS.items() if (other.get(k) or {}).get("plays")]


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


def similarity(a: dict[str, float], b: dict[str, float]) -> float | None:
    """0–100 % closeness of two profiles over the shared radar features."""
    shared = [f for f in gold.RADAR_FEATURES if f in a and f in b]
    if not shared:
        return None
    d = math.dist([a[f] for f in shared], [b[f] for f in shared]) / math.sqrt(len(shared))
    return round((1 - d) * 100, 1)


def first_heard_in(
    months: dict[str, int], start: datetime, end: datetime, first: datetime | None, last: datetime | None
) -> int | None:
    """How many entities were first heard in start ≤ t < end, from {local month: count} (an
    all-time head's `first_heard`; `first`/`last`: the user's first and last play). None when
    the range cuts into a month (not midnight of a month's first day) that has plays: such a
    month's count cannot be split."""
    lo = _month_edge(start, first is None or start <= first, "")
    hi = _month_edge(end, last is None or end > last, "9999-12")
    if lo is None or hi is None:
        return None
    return sum(n for month, n in months.items() if lo <= month < hi)


def _month_edge(t: datetime, outside: bool, open_edge: str) -> str | None:
    if t.day == 1 and t.time() == time(0):
        return t.strftime("%Y-%m")
    return open_edge if outside else None


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
