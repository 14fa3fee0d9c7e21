"""The household comparison (opt-in per account): shared artists and taste similarity between
the listeners of accounts that agreed to it — the your_spotify "affinity" idea, with consent.

Artist affinity is the cosine similarity of two listeners' all-time streams per artist, 0–100 %;
sound similarity compares their audio-feature profiles (`logic.similarity`).

    household.affinity({"a": 10, "b": 5}, {"a": 4})       # 89.4
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from core.accounts import Account

Artists = dict[str, tuple[str, int]]  # artist key → (name, streams)


def listeners(every: Iterable[Account]) -> dict[str, str]:
    """The listeners whose accounts agreed to the household view: {listener: its account}."""
    return {uid: a.name for a in sorted(every, key=lambda a: a.name) if a.household for uid in a.owns}


def pairs(owner: dict[str, str]) -> list[tuple[str, str]]:
    """Every two listeners of different accounts (one person's own listeners are not compared)."""
    ids = sorted(owner)
    return [(a, b) for i, a in enumerate(ids) for b in ids[i + 1 :] if owner[a] != owner[b]]


def affinity(a: dict[str, int], b: dict[str, int]) -> float:
    """Cosine similarity of two stream counts per artist, in percent (0: nothing shared)."""
    dot = sum(n * b[k] for k, n in a.items() if k in b)
    norm = math.sqrt(sum(n * n for n in a.values())) * math.sqrt(sum(n * n for n in b.values()))
    return round(dot / norm * 100, 1) if norm else 0.0


def artist_affinity(a: Artists, b: Artists) -> float:
    return affinity({k: n for k, (_, n) in a.items()}, {k: n for k, (_, n) in b.items()})


def shared(a: Artists, b: Artists, n: int | None = 15) -> list[tuple[str, int, int]]:
    """The artists both play, most shared first (by the smaller of the two stream counts)."""
    both = [(a[k][0], a[k][1], b[k][1]) for k in a.keys() & b.keys() if a[k][1] and b[k][1]]
    return sorted(both, key=lambda r: (-min(r[1], r[2]), -(r[1] + r[2]), r[0]))[:n]
