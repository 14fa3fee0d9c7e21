"""Reading the gold layer by `_id`: FerretDB v1 serves only `_id` lookups from an index (any other
filter scans the whole collection), and the gold shapes (core/collections.py, "Gold") are laid out
so every read is one (`core.mongo.find_ids` for `_id $in`).

    docs = totals_tree(db, "alice")                # every totals document: all → years → months → days
    rows = entity_rows(docs)                       # an entity's rows from its buckets, rank 1 first
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pymongo.database import Database

from core.collections import Coll, rollup_id, unpack_rows
from core.mongo import find_ids

Doc = dict[str, Any]
CHILD_GRAIN = {"all": "year", "year": "month", "month": "day"}


def totals_tree(db: Database[Doc], user_id: str, projection: Doc | None = None) -> list[Doc]:
    """Every rollup_totals document of the user, found through the `series` of the level above
    (all-time lists its years, a year its months, a month its days)."""
    top = db[Coll.ROLLUP_TOTALS.value].find_one({"_id": rollup_id(user_id, "all", "all")}, projection)
    if top is None:
        return []
    out, level = [top], [top]
    while level and (grain := CHILD_GRAIN.get(level[0]["grain"])):
        ids = [rollup_id(user_id, grain, p) for doc in level for p in doc.get("series") or {}]
        level = sorted(find_ids(db, Coll.ROLLUP_TOTALS, ids, projection), key=lambda d: d["period"])
        out += level
    return out


def entity_rows(docs: Doc | Iterable[Doc] | None) -> list[Doc]:
    """The rows of one entity head's rollup_entity_rows documents (a document or several), ranked
    (each row carries its `rank`: 1 = most streams)."""
    if not docs:
        return []
    listed = [docs] if isinstance(docs, dict) else list(docs)
    rows = [row for doc in listed for row in unpack_rows(doc.get("rows"))]
    return sorted(rows, key=lambda r: (r.get("rank") or 0, str(r.get("key"))))
