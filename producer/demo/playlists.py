"""A few demo playlists per demo listener (source 'demo'): favourites and a genre mix.

Deterministic ids and snapshots, so publishing them again on every start changes nothing.
"""

from __future__ import annotations

import random
from typing import Any

from core import gold
from core.collections import Coll
from core.events import PlaylistTrackEvent, stable_id, utc_now
from core.topics import Topic
from producer.demo.sim import Listener, Picker
from producer.publish import Publisher


def demo_playlists(listener: Listener, picker: Picker) -> list[tuple[str, str, list[Any]]]:
    """(playlist_id, name, tracks) for the listener."""
    rng = random.Random(f"playlists:{listener.user_id}")
    name = listener.display_name.split(" ")[0]
    favourites = rng.sample(picker.by_artist, k=min(20, len(picker.by_artist)))
    genre = listener.genres[0]
    mix = [t for t in picker.by_genre if genre in t.genres] or picker.by_genre
    lists = [
        (f"{name}'s favourites", favourites),
        (f"{genre.title()} mix", rng.sample(mix, k=min(25, len(mix)))),
    ]
    return [("demo" + stable_id(listener.user_id, title)[:18], title, tracks) for title, tracks in lists]


def publish_playlists(pub: Publisher, db: Any, listener: Listener, picker: Picker) -> int:
    sent = 0
    for playlist_id, name, tracks in demo_playlists(listener, picker):
        snapshot = stable_id(*(t.track_id for t in tracks))
        for position, t in enumerate(tracks):
            pub.send(
                Topic.PLAYLIST_TRACKS,
                PlaylistTrackEvent(
                    event_id=stable_id("demo-playlist", listener.user_id, playlist_id, snapshot, position),
                    user_id=listener.user_id,
                    source="demo",
                    playlist_id=playlist_id,
                    playlist_name=name,
                    snapshot_id=snapshot,
                    position=position,
                    total_tracks=len(tracks),
                    track_id=t.track_id,
                    track_uri=t.uri,
                    track_name=t.name,
                    artist_names=t.artists,
                    album_name=t.album,
                    duration_ms=t.duration_ms,
                ),
            )
            sent += 1
        db[Coll.PLAYLISTS.value].update_one(
            {"_id": gold.playlist_id(listener.user_id, playlist_id)},
            {
                "$set": {
                    "user_id": listener.user_id,
                    "playlist_id": playlist_id,
                    "name": name,
                    "owner": listener.user_id,
                    "source": "demo",
                    "snapshot_id": snapshot,
                    "tracks": len(tracks),
                    "connected": True,
                    "status": "ready",
                    "message": "",
                    "updated_at": utc_now(),
                }
            },
            upsert=True,
        )
    return sent
