"""Pure computations behind the pages (no Streamlit, no MongoDB): unit-tested.

rank(rows, by="streams")          # merge rollup rows of several periods, rank entities
change(120, 100)                  # +20.0 (%), None when there is nothing to compare with
taste_label({"energy": .8, ...})  # 'High-energy dancer'
nearest(profile, catalog, played) # content-based recommendations with the closest features
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

Doc = dict[str, Any]
RADAR_FEATURES = (
    "danceability",
    "energy",
    "valence",
    "acousticness",
    "instrumentalness",
    "liveness",
    "speechiness",
)


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
    streams: int = 0
    plays: int = 0
    minutes: float = 0.0
    first_played: Any = None
    last_played: Any = None
    periods: set[str] = field(default_factory=set)


def rank(rows: Iterable[Doc], by: str = "streams") -> list[Ranked]:
    """Merge rollup rows of the same entity across periods; order by `by`, then name."""
    merged: dict[str, Ranked] = {}
    for r in rows:
        e = merged.setdefault(
            r["entity_key"], Ranked(r["entity_key"], r.get("name") or r["entity_key"], r.get("artist_name"))
        )
        e.streams += r.get("streams") or 0
        e.plays += r.get("plays") or 0
        e.minutes += r.get("minutes") or 0.0
        fp, lp = r.get("first_played"), r.get("last_played")
        if fp is not None and (e.first_played is None or fp < e.first_played):
            e.first_played = fp
        if lp is not None and (e.last_played is None or lp > e.last_played):
            e.last_played = lp
        e.periods.add(r.get("period", ""))
    return sorted(merged.values(), key=lambda e: (-getattr(e, by), e.name))


def best_period(rows: Iterable[Doc], grain: str = "month") -> tuple[str, int] | None:
    best = max(
        (r for r in rows if r.get("grain") == grain), key=lambda r: r.get("streams") or 0, default=None
    )
    return (best["period"], best.get("streams") or 0) if best else None


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

    Each result carries `distance` and `why`: the three features closest to the profile.
    """
    target = _vector(means)
    scored = []
    for t in catalog:
        if t["_id"] in played or not t.get("features"):
            continue
        vec = _vector(t["features"])
        scored.append((math.dist(target, vec), t, vec))
    scored.sort(key=lambda s: (s[0], str(s[1]["_id"])))
    out = []
    for dist, t, vec in scored[:n]:
        gaps = sorted(zip(RADAR_FEATURES, vec, target, strict=True), key=lambda g: abs(g[1] - g[2]))
        why = ", ".join(f"{f} {v:.2f} (you {m:.2f})" for f, v, m in gaps[:3])
        out.append({**t, "distance": round(dist, 3), "why": why})
    return out


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
