"""Catalogue metadata from the API: single-item lookups only (batch endpoints are gone), each
cached in the `api_cache` collection and published once to the catalog topic.

Track objects come embedded in recently-played responses (no request needed); artists are
looked up one by one (at most `per_poll` per poll, to respect rate limits). Audio features are
never requested (403 for new apps): they come from the Kaggle catalogue.
"""

from __future__ import annotations

import logging
from typing import Any

import spotipy

from core.collections import Coll
from core.events import utc_now
from core.topics import Topic
from producer.poller.recent import artist_catalog_event, track_catalog_event
from producer.poller.spotify import call
from producer.publish import Publisher

log = logging.getLogger(__name__)


class Metadata:
    def __init__(self, db: Any, pub: Publisher, per_poll: int = 5):
        self.cache = db[Coll.API_CACHE.value]
        self.pub, self.per_poll = pub, per_poll
        self.pending_artists: list[str] = []

    def _cached(self, key: str) -> bool:
        return self.cache.find_one({"_id": key}, {"_id": 1}) is not None

    def track(self, track: dict[str, Any]) -> None:
        if not track.get("id") or self._cached(f"track:{track['id']}"):
            return
        self.pub.send(Topic.CATALOG, track_catalog_event(track))
        self.cache.replace_one(
            {"_id": f"track:{track['id']}"},
            {"data": {"name": track.get("name")}, "status": 200, "fetched_at": utc_now()},
            upsert=True,
        )
        self.pending_artists += [a["id"] for a in track.get("artists", []) if a.get("id")]

    def lookup_artists(self, sp: spotipy.Spotify) -> int:
        done = 0
        while self.pending_artists and done < self.per_poll:
            artist_id = self.pending_artists.pop(0)
            if self._cached(f"artist:{artist_id}"):
                continue
            body = call(sp.artist, artist_id)  # ApiError propagates to the loop's backoff
            done += 1
            self.pub.send(Topic.CATALOG, artist_catalog_event(body))
            self.cache.replace_one(
                {"_id": f"artist:{artist_id}"},
                {
                    "data": {"name": body.get("name"), "genres": body.get("genres", [])},
                    "status": 200,
                    "fetched_at": utc_now(),
                },
                upsert=True,
            )
        return done
