"""Audio-feature profiles (pure Python): of a playlist (each track weight 1) and of what a user
listened to (weighted by minutes) — mean, p10/p50/p90, a 10-bin histogram, key/mode, decades,
genre mix and coverage (share of weight with known features).

Listening profiles roll up day → month → year → all, so they keep mergeable accumulators
(`acc`: weighted sums and 50-bin histograms); percentiles come from those histograms (bin
resolution: 1/50 of each feature's range).

    acc = new_acc(); add(acc, features, weight, year, genres); profile = finish(acc, hist_bins=10)
"""

from __future__ import annotations

from typing import Any

RANGES: dict[str, tuple[float, float]] = {
    "danceability": (0, 1),
    "energy": (0, 1),
    "valence": (0, 1),
    "acousticness": (0, 1),
    "instrumentalness": (0, 1),
    "liveness": (0, 1),
    "speechiness": (0, 1),
    "tempo": (0, 250),
    "loudness": (-60, 5),
}
FINE_BINS = 50
KEYS = ("C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B")


def new_acc() -> dict[str, Any]:
    return {"weight": 0.0, "known": 0.0, "sums": {}, "hists": {}, "decades": {}, "genres": {}, "key_mode": {}}


def _bin(name: str, value: float, bins: int) -> int:
    low, high = RANGES[name]
    pos = int((min(max(value, low), high) - low) / (high - low) * bins)
    return min(pos, bins - 1)


def _bump(table: dict[str, float], key: str, weight: float) -> None:
    table[key] = table.get(key, 0.0) + weight


def add(
    acc: dict[str, Any],
    features: dict[str, Any] | None,
    weight: float,
    year: int | None,
    genres: list[str] | None,
) -> None:
    acc["weight"] += weight
    if year:
        _bump(acc["decades"], f"{year // 10 * 10}s", weight)
    for genre in genres or []:
        _bump(acc["genres"], genre, weight / len(genres or [1]))
    if not features:
        return
    acc["known"] += weight
    for name in RANGES:
        value = features.get(name)
        if value is None:
            continue
        sums = acc["sums"].setdefault(name, [0.0, 0.0])
        sums[0] += weight
        sums[1] += weight * float(value)
        hist = acc["hists"].setdefault(name, [0.0] * FINE_BINS)
        hist[_bin(name, float(value), FINE_BINS)] += weight
    key, mode = features.get("key"), features.get("mode")
    if key is not None and 0 <= key < 12 and mode is not None:
        _bump(acc["key_mode"], f"{KEYS[key]} {'major' if mode else 'minor'}", weight)


def merge_acc(accs: list[dict[str, Any]]) -> dict[str, Any]:
    out = new_acc()
    for acc in accs:
        out["weight"] += acc["weight"]
        out["known"] += acc["known"]
        for name, (w, wx) in acc["sums"].items():
            sums = out["sums"].setdefault(name, [0.0, 0.0])
            sums[0] += w
            sums[1] += wx
        for name, hist in acc["hists"].items():
            target = out["hists"].setdefault(name, [0.0] * FINE_BINS)
            for i, value in enumerate(hist):
                target[i] += value
        for table in ("decades", "genres", "key_mode"):
            for key, value in acc[table].items():
                _bump(out[table], key, value)
    return out


def _percentile(name: str, hist: list[float], q: float) -> float:
    low, high = RANGES[name]
    total = sum(hist)
    target, seen = q * total, 0.0
    width = (high - low) / len(hist)
    for i, weight in enumerate(hist):
        if weight and seen + weight >= target:
            return low + width * (i + (target - seen) / weight)
        seen += weight
    return high


def _shares(table: dict[str, float], top: int = 25) -> dict[str, float]:
    total = sum(table.values())
    best = sorted(table.items(), key=lambda kv: -kv[1])[:top]
    return {k: v / total for k, v in best} if total else {}


def finish(acc: dict[str, Any], hist_bins: int = 0) -> dict[str, Any]:
    """Readable profile: coverage, features {name: {mean, p10, p50, p90[, hist]}}, shares."""
    features: dict[str, Any] = {}
    for name, (w, wx) in acc["sums"].items():
        if not w:
            continue
        hist = acc["hists"][name]
        stats: dict[str, Any] = {"mean": wx / w}
        stats.update({f"p{int(q * 100)}": _percentile(name, hist, q) for q in (0.1, 0.5, 0.9)})
        if hist_bins:
            step = FINE_BINS // hist_bins
            stats["hist"] = [sum(hist[i : i + step]) / w for i in range(0, FINE_BINS, step)]
        features[name] = stats
    return {
        "coverage": acc["known"] / acc["weight"] if acc["weight"] else 0.0,
        "features": features,
        "decades": _shares(acc["decades"]),
        "genres": _shares(acc["genres"]),
        "key_mode": _shares(acc["key_mode"]),
    }
