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


def listeners(every: Iterable[Account]) -> list[str]:
    """The listeners whose accounts agreed to the household view, each once."""
    return sorted({uid for a in every if a.household for uid in a.owns})


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
