"""Catalog coverage of plays: the share of played tracks (and of plays) that have audio features.

from pipeline.coverage import catalog_coverage
catalog_coverage(settings, user_id=None)  # {'tracks': n, 'tracks_with_features': k, 'share': ..}
"""

from __future__ import annotations

from typing import Any

from core import mongo
from core.collections import Coll
from core.mongo import find_ids
from core.settings import Settings


def coverage_of(db: Any, user_id: str | None = None) -> dict[str, Any]:
    match: dict[str, Any] = {"track_id": {"$ne": None}}
    if user_id:
        match["user_id"] = user_id
    counts = {
        g["_id"]: g["n"]
        for g in db.plays.aggregate([{"$match": match}, {"$group": {"_id": "$track_id", "n": {"$sum": 1}}}])
    }
    ids = sorted(counts)
    # a pure `_id $in` is served from the index; a second condition would scan the catalog
    known = {
        d["_id"] for d in find_ids(db, Coll.TRACKS, ids, {"features": 1}) if d.get("features") is not None
    }
    plays = sum(counts.values())
    covered = sum(n for t, n in counts.items() if t in known)
    return {
        "tracks": len(ids),
        "tracks_with_features": len(known),
        "plays": plays,
        "plays_with_features": covered,
        "share": round(covered / plays, 4) if plays else None,
    }


def catalog_coverage(settings: Settings, user_id: str | None = None) -> dict[str, Any]:
    with mongo.client(settings) as client:
        return coverage_of(client[settings.mongo_db], user_id)
