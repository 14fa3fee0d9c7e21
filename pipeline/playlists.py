"""Playlist profiles (pure Python): a connected playlist's snapshot items merged across batches,
and its audio-feature profile from the catalog — written by the Spark playlists job
(`spark_jobs.playlists`) and refreshed after a catalog load (`refresh_profiles`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from core.collections import Coll
from core.events import utc_now
from pipeline import profiles
from pipeline.catalog import changed_tracks, load_catalog

ITEM_FIELDS = ("position", "track_id", "track_name", "artist_names", "album_name")


def merge_items(
    doc: dict[str, Any] | None, snapshot: str, seen_at: datetime, events: list[dict[str, Any]]
) -> tuple[list[dict[str, Any]], datetime] | None:
    """The snapshot's items after this batch, or None when the batch's snapshot is older."""
    if doc and doc.get("snapshot_id") != snapshot and doc["snapshot_seen_at"] > seen_at:
        return None
    same = doc is not None and doc.get("snapshot_id") == snapshot
    items = {i["position"]: i for i in (doc["items"] if same and doc else [])}
    for event in events:
        items[event["position"]] = {f: event.get(f) for f in ITEM_FIELDS}
    return sorted(items.values(), key=lambda i: i["position"]), max(
        seen_at, doc["snapshot_seen_at"]
    ) if same and doc else seen_at


def playlist_profile(
    items: list[dict[str, Any]], tracks: dict[str, dict[str, Any]], artists: dict[str, dict[str, Any]]
) -> dict[str, Any]:
    from pipeline.enrich import catalog_fields

    acc = profiles.new_acc()
    for item in items:
        extra = catalog_fields(tracks.get(item.get("track_id") or ""), artists)
        profiles.add(acc, extra["features"], 1.0, extra["release_year"], extra["genres"])
    return profiles.finish(acc, hist_bins=10)


def refresh_profiles(db: Any, since: datetime | None) -> int:
    """Recompute the stored playlist profiles that hold a catalog track written at or after
    `since` (after a catalog load; all of them when None); returns how many changed."""
    coll = db[Coll.PLAYLIST_PROFILES.value]
    docs = list(coll.find({}, {"items": 1}))  # one document per connected playlist: a small scan
    ids = {i["track_id"] for d in docs for i in d.get("items") or [] if i.get("track_id")}
    changed = changed_tracks(db, ids, since)
    n = 0
    for doc in docs:
        items = doc.get("items") or []
        if not any(i.get("track_id") in changed for i in items):
            continue
        tracks, artists = load_catalog(db, {i["track_id"] for i in items if i.get("track_id")})
        coll.update_one(
            {"_id": doc["_id"]},
            {"$set": {**playlist_profile(items, tracks, artists), "updated_at": utc_now()}},
        )
        n += 1
    return n
