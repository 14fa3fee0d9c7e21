"""Reading the gold layer by `_id`: FerretDB v1 serves only `_id` lookups from an index (any other
filter scans the whole collection), and the gold shapes (core/collections.py, "Gold") are laid out
so every read is one (`core.mongo.find_ids` for `_id $in`).

    docs = totals_tree(db, "alice")                # every totals document: all → years → months → days
    rows = entity_rows(doc)                        # an entity document's ranked rows, rank 1 first
"""

from __future__ import annotations

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


def entity_rows(doc: Doc | None) -> list[Doc]:
    """The rows of a rollup_entities document (all of them, ranked by streams), each with `rank`."""
    if not doc:
        return []
    return [{"rank": i, **row} for i, row in enumerate(unpack_rows(doc.get("rows")), start=1)]
