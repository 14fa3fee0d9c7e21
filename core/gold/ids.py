"""Every `_id` of the gold layer, built in one place.

Ids join their parts with `|`. User ids are free text, so a part's own `\\` and `|` are escaped
(`\\\\`, `\\|`) and `split` recovers the parts of any id `key` built:

    >>> key("al|ce", "day", "2024-05-01")
    'al\\\\|ce|day|2024-05-01'
    >>> split(key("al|ce", "day", "2024-05-01"))
    ['al|ce', 'day', '2024-05-01']
"""

from __future__ import annotations

import zlib
from typing import Any

SEP = "|"


def _escape(part: Any) -> str:
    return str(part).replace("\\", "\\\\").replace(SEP, "\\" + SEP)


def key(*parts: Any) -> str:
    """Parts joined with `|`, each escaped."""
    return SEP.join(_escape(p) for p in parts)


def split(doc_id: str) -> list[str]:
    """The parts of an id `key` built."""
    parts, current, i = [], [], 0
    while i < len(doc_id):
        ch = doc_id[i]
        if ch == "\\" and i + 1 < len(doc_id):
            current.append(doc_id[i + 1])
            i += 2
            continue
        if ch == SEP:
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
        i += 1
    return [*parts, "".join(current)]


def period_id(user_id: str, grain: str, period: str) -> str:
    """rollup_totals, rollup_heatmap, taste_profiles: one document per (user, grain, period)."""
    return key(user_id, grain, period)


def head_id(user_id: str, grain: str, period: str, entity_type: str) -> str:
    """rollup_entities: the head of one entity type in one period."""
    return key(user_id, grain, period, entity_type)


def rows_id(head: str, bucket: int, buckets: int) -> str:
    """rollup_entity_rows: bucket `bucket` of a head's rows split into `buckets`. The count is
    part of the id, so a head that grows into more buckets writes new documents beside the old
    ones (readers follow the totals' `buckets` to one complete set or the other, never a mix)."""
    return f"{head}{SEP}b{bucket}of{buckets}"


def packed_rows_id(head: str, bucket: int) -> str:
    """The rows `_id` earshot wrote before the gold layer was plain BSON (zlib-packed rows,
    no count in the id): how `pipeline.reprocess.migrate_packed` recognises an old database."""
    return f"{head}{SEP}b{bucket}"


def keys_id(head: str, bucket: int, buckets: int) -> str:
    """rollup_entity_keys: the keys of the rows in bucket `bucket` of `buckets`."""
    return f"{head}{SEP}k{bucket}of{buckets}"


def bucket_of(entity_key: str, buckets: int) -> int:
    """The rollup_entity_rows bucket an entity key lives in (stable across runs and machines)."""
    return zlib.crc32(entity_key.encode()) % buckets


def play_id(event_id: str) -> str:
    """plays: a play's `_id` is the id of its first event (event ids hash the user and the listen,
    see core.events.stable_id), so a replay finds the same play and users never collide."""
    return event_id


def playlist_id(user_id: str, playlist: str) -> str:
    """playlists, playlist_profiles: one document per (user, Spotify playlist id)."""
    return key(user_id, playlist)
