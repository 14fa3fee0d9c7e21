"""Catalog coverage of plays: how many music plays the catalog enriched, by track id or by name.

from pipeline.coverage import catalog_coverage
catalog_coverage(settings, user_id=None)
# {'plays': n, 'plays_matched': m, 'by_id': i, 'by_name': k, 'match_share': m/n,
#  'tracks': ids, 'tracks_with_features': f, 'plays_with_features': p, 'share': p/n}

A play is matched when enrichment found its catalog track (`plays.matched_by`: 'id', or 'name'
for a play without a track id, e.g. from the account-data export); `share` is the share of music
plays with audio features. Podcast episodes, audiobooks and videos are not counted.
"""

from __future__ import annotations

from typing import Any

from core import mongo
from core.settings import Settings


def coverage_of(db: Any, user_id: str | None = None) -> dict[str, Any]:
    match: dict[str, Any] = {"kind": {"$nin": ["episode", "audiobook", "video"]}}
    if user_id:
        match["user_id"] = user_id

    def groups(cond: dict[str, Any]) -> list[dict[str, Any]]:  # FerretDB v1: no $cond in $group
        group = {"_id": {"t": "$track_id", "m": "$matched_by"}, "n": {"$sum": 1}}
        return list(db.plays.aggregate([{"$match": match | cond}, {"$group": group}]))

    counts, featured_groups = groups({}), groups({"features": {"$ne": None}})
    plays = sum(g["n"] for g in counts)
    by = {how: sum(g["n"] for g in counts if g["_id"].get("m") == how) for how in ("id", "name")}
    featured = sum(g["n"] for g in featured_groups)
    ids = {g["_id"]["t"] for g in counts if g["_id"].get("t")}
    ids_with_features = {g["_id"]["t"] for g in featured_groups if g["_id"].get("t")}
    return {
        "plays": plays,
        "plays_matched": by["id"] + by["name"],
        "by_id": by["id"],
        "by_name": by["name"],
        "match_share": round((by["id"] + by["name"]) / plays, 4) if plays else None,
        "tracks": len(ids),
        "tracks_with_features": len(ids_with_features),
        "plays_with_features": featured,
        "share": round(featured / plays, 4) if plays else None,
    }


def catalog_coverage(settings: Settings, user_id: str | None = None) -> dict[str, Any]:
    with mongo.client(settings) as client:
        return coverage_of(client[settings.mongo_db], user_id)
