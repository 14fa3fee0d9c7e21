"""The catalog's name index (catalog_names): a track id for each normalised `artist|track` name,
so plays without a track id (account-data exports) are enriched by name.

NAME_BUCKETS documents `names_id(bucket)`, each `entries` packed (`pack_names`: one line per key,
`key \t track id \t rank`); a key lives in bucket `bucket_of(key, NAME_BUCKETS)`. Written by the
Kaggle backfill (`kaggle_seed.names`), read with `core.gold.readers.tracks_by_name`.
"""

from __future__ import annotations

import zlib
from typing import Any

from core.gold.ids import key

NAME_BUCKETS = 2048  # catalog_names documents: ~600 keys each for 1.2 M tracks
NameEntry = tuple[str, int]  # (track id, name_rank)


def names_id(bucket: int) -> str:
    return key("names", bucket)


def name_rank(track: dict[str, Any]) -> int:
    """How much a name match to this track gives a play: 2 for features, 1 for genres."""
    return 2 * (track.get("features") is not None) + bool(track.get("genres"))


def better_name(a: NameEntry | None, b: NameEntry) -> NameEntry:
    """The entry a name key keeps: the higher rank, then the smaller track id."""
    return b if a is None or (-b[1], b[0]) < (-a[1], a[0]) else a


def pack_names(entries: dict[str, NameEntry]) -> bytes:
    lines = (f"{k}\t{tid}\t{rank}" for k, (tid, rank) in sorted(entries.items()))
    return zlib.compress("\n".join(lines).encode(), 1)


def unpack_names(blob: bytes | None) -> dict[str, NameEntry]:
    out: dict[str, NameEntry] = {}
    for line in zlib.decompress(blob).decode().split("\n") if blob else ():
        k, tid, rank = line.split("\t")
        out[k] = (tid, int(rank))
    return out
