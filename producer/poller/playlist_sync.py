"""Connect, refresh, disconnect and list a user's playlists through the API.

Connecting pages through `/playlists/{id}/items` (spotipy ≥ 2.26's `playlist_items`, 50 per
page) and publishes one `PlaylistTrackEvent` per track with the snapshot id; an unchanged
snapshot publishes nothing. The `playlists` document carries the status the app shows:
'pending' → 'ready', or 'forbidden' (Spotify answers 403 for playlists the user neither owns nor
collaborates on), 'not_found', 'error'.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import spotipy

from core import gold
from core.collections import Coll
from core.events import PlaylistTrackEvent, stable_id, utc_now
from core.topics import Topic
from producer.playlists import parse_playlist_ref
from producer.poller.spotify import ApiError, call
from producer.publish import Publisher

MESSAGES = {
    "forbidden": "Spotify shares the tracks only of playlists you own or collaborate on",
    "not_found": "no such playlist (or it is an editorial/algorithmic one, which the API no longer serves)",
}


def _set(db: Any, user: str, playlist_id: str, **fields: Any) -> None:
    db[Coll.PLAYLISTS.value].update_one(
        {"_id": gold.playlist_id(user, playlist_id)},
        {
            "$set": {"user_id": user, "playlist_id": playlist_id, "updated_at": utc_now(), **fields},
            "$setOnInsert": {"source": "api"},
        },
        upsert=True,
    )


def connect(sp: spotipy.Spotify, db: Any, pub: Publisher, user: str, ref: str) -> str:
    """Sync one playlist; returns its final status."""
    playlist_id = parse_playlist_ref(ref)
    before = db[Coll.PLAYLISTS.value].find_one({"_id": gold.playlist_id(user, playlist_id)}) or {}
    _set(db, user, playlist_id, connected=True, status="pending", message="")
    try:
        meta = call(sp.playlist, playlist_id, fields="id,name,snapshot_id,owner(id,display_name)")
        snapshot = meta["snapshot_id"]
        if before.get("snapshot_id") == snapshot and before.get("status") == "ready":
            _set(db, user, playlist_id, status="ready")
            return "ready"
        items: list[dict[str, Any]] = []
        offset = 0
        while True:
            page = call(sp.playlist_items, playlist_id, limit=50, offset=offset)
            items += page.get("items") or []
            offset += 50
            if not page.get("next"):
                break
    except ApiError as exc:
        status = exc.kind if exc.kind in MESSAGES else "error"
        _set(db, user, playlist_id, status=status, message=MESSAGES.get(exc.kind, str(exc)))
        return status
    tracks = [(it.get("item") or it.get("track"), it.get("added_at")) for it in items]
    tracks = [(t, added) for t, added in tracks if t and t.get("id")]  # local files / unavailable
    for position, (t, added) in enumerate(tracks):
        pub.send(
            Topic.PLAYLIST_TRACKS,
            PlaylistTrackEvent(
                event_id=stable_id("api-playlist", user, playlist_id, snapshot, position),
                user_id=user,
                source="api",
                playlist_id=playlist_id,
                playlist_name=meta.get("name"),
                snapshot_id=snapshot,
                position=position,
                total_tracks=len(tracks),
                track_id=t["id"],
                track_uri=t.get("uri"),
                track_name=t.get("name"),
                artist_names=[a["name"] for a in t.get("artists", [])],
                album_name=(t.get("album") or {}).get("name"),
                duration_ms=t.get("duration_ms"),
                added_at=datetime.fromisoformat(added.replace("Z", "+00:00")) if added else None,
            ),
        )
    pub.flush()
    _set(
        db,
        user,
        playlist_id,
        status="ready",
        snapshot_id=snapshot,
        name=meta.get("name"),
        owner=(meta.get("owner") or {}).get("id"),
        tracks=len(tracks),
        message="",
    )
    return "ready"


def disconnect(db: Any, user: str, ref: str) -> None:
    _set(db, user, parse_playlist_ref(ref), connected=False)


def list_playlists(sp: spotipy.Spotify, db: Any, user: str) -> int:
    """Record the user's own and followed playlists so the app can offer them (not connected)."""
    offset, count = 0, 0
    while True:
        page = call(sp.current_user_playlists, limit=50, offset=offset)
        for p in page.get("items") or []:
            db[Coll.PLAYLISTS.value].update_one(
                {"_id": gold.playlist_id(user, p["id"])},
                {
                    "$set": {
                        "user_id": user,
                        "playlist_id": p["id"],
                        "name": p.get("name"),
                        "owner": (p.get("owner") or {}).get("id"),
                        "tracks": ((p.get("items") or p.get("tracks")) or {}).get("total"),
                        "updated_at": utc_now(),
                    },
                    "$setOnInsert": {"source": "api", "connected": False},
                },
                upsert=True,
            )
            count += 1
        offset += 50
        if not page.get("next"):
            return count
