"""Reading the gold layer, for the dashboard, the consumers, the batch jobs and the export alike.

Every read is by `_id` (`core.mongo.find_ids`): FerretDB v1 serves only `_id` lookups from an
index, and the shapes (core.gold.shapes) are laid out so every read is one `_id $in`.

    docs = totals_tree(db, "alice")                       # all → years → months → days
    docs = entity_row_docs(db, [head_id("alice", "year", "2024", "track")])
    rows = entity_rows(docs)                              # the rows, rank 1 first
    played_keys(db, [head_id("alice", "all", "all", "track")])  # {head: {keys, track ids}}
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pymongo.database import Database

from core.collections import Coll
from core.gold import codec, ids
from core.gold.grains import CHILD
from core.gold.names import NAME_BUCKETS, names_id, unpack_names
from core.mongo import find_ids

Doc = dict[str, Any]


def totals_tree(db: Database[Doc], user_id: str, projection: Doc | None = None) -> list[Doc]:
    """Every rollup_totals document of the user, found through the `series` of the level above
    (all-time lists its years, a year its months, a month its days)."""
    top = db[Coll.ROLLUP_TOTALS.value].find_one({"_id": ids.period_id(user_id, "all", "all")}, projection)
    if top is None:
        return []
    out, level = [top], [top]
    while level and (grain := CHILD.get(level[0]["grain"])):
        wanted = [ids.period_id(user_id, grain, p) for doc in level for p in doc.get("series") or {}]
        level = sorted(find_ids(db, Coll.ROLLUP_TOTALS, wanted, projection), key=lambda d: d["period"])
        out += level
    return out


def entity_row_docs(
    db: Database[Doc],
    head_ids: Iterable[str],
    key: str | None = None,
    projection: Doc | None = None,
    coll: Coll = Coll.ROLLUP_ENTITY_ROWS,
) -> list[Doc]:
    """The rollup_entity_rows documents of entity heads (`ids.head_id`, any users and periods):
    all buckets, or only the one `key` is in; `coll=Coll.ROLLUP_ENTITY_KEYS` for their key lists.
    The bucket counts come from the periods' totals, which are written after the buckets they
    count and before the old ones are deleted; a read that falls between a writer's totals and
    its delete is read again from the new totals."""
    heads = list(head_ids)
    for _ in range(3):
        wanted = _bucket_ids(db, heads, key, coll)
        found = find_ids(db, coll, wanted, projection)
        if len(found) == len(wanted):
            break
    return found


def _bucket_ids(db: Database[Doc], head_ids: list[str], key: str | None, coll: Coll) -> list[str]:
    bucket_id = ids.keys_id if coll == Coll.ROLLUP_ENTITY_KEYS else ids.rows_id
    wanted: dict[str, list[tuple[str, str]]] = {}
    for head in head_ids:
        user_id, grain, period, entity_type = ids.split(head)
        wanted.setdefault(ids.period_id(user_id, grain, period), []).append((head, entity_type))
    found = []
    for total in find_ids(db, Coll.ROLLUP_TOTALS, list(wanted), {"buckets": 1}):
        for head, entity_type in wanted[total["_id"]]:
            n = (total.get("buckets") or {}).get(entity_type, 0)
            chosen = range(n) if key is None else [ids.bucket_of(key, n)] if n else []
            found += [bucket_id(head, b, n) for b in chosen]
    return found


def entity_rows(docs: Doc | Iterable[Doc] | None) -> list[Doc]:
    """The rows of rollup_entity_rows documents (one or several) as dicts, ranked (each row
    carries its `rank`: 1 = most streams)."""
    if not docs:
        return []
    listed = [docs] if isinstance(docs, dict) else list(docs)
    rows = [row for doc in listed for row in codec.unpack_rows(doc.get("rows"))]
    return sorted(rows, key=lambda r: (r.get("rank") or 0, str(r.get("key"))))


def top_rows(head: Doc | None, by: str = "streams") -> list[Doc]:
    """A head's first rows by streams (`top`) or minutes (`top_minutes`), as dicts."""
    return codec.unpack_rows((head or {}).get("top" if by == "streams" else "top_minutes"))


def played_keys(db: Database[Doc], head_ids: Iterable[str]) -> dict[str, set[str]]:
    """{head: every entity key and track id it lists} for heads of KEYED_TYPES (rollup_entity_keys;
    a head without plays maps to an empty set)."""
    heads = list(head_ids)
    out: dict[str, set[str]] = {h: set() for h in heads}
    fields = {"user_id": 1, "grain": 1, "period": 1, "entity_type": 1, "keys": 1}
    for doc in entity_row_docs(db, heads, projection=fields, coll=Coll.ROLLUP_ENTITY_KEYS):
        head = ids.head_id(doc["user_id"], doc["grain"], doc["period"], doc["entity_type"])
        out[head].update(codec.unpack_keys(doc.get("keys")))
    return out


def tracks_by_name(db: Database[Doc], keys: Iterable[str]) -> dict[str, str]:
    """{name key: catalog track id} for the keys the catalog has (`catalog_names`: one small
    document per bucket of keys, read by `_id`)."""
    wanted = {k for k in keys if k and k != "|"}
    if not wanted:
        return {}
    buckets = sorted({ids.bucket_of(k, NAME_BUCKETS) for k in wanted})
    out: dict[str, str] = {}
    for doc in find_ids(db, Coll.CATALOG_NAMES, [names_id(b) for b in buckets], {"entries": 1}):
        for name_key, (track_id, _) in unpack_names(doc.get("entries")).items():
            if name_key in wanted:
                out[name_key] = track_id
    return out
