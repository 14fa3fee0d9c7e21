"""One connected user's two loops — recently-played (completed plays, persisted cursor) and
currently-playing (now-playing, every few seconds while something plays) — each a single
non-blocking API call per run, rescheduled by the rules in `producer.poller.backoff`.

Cursor protocol: ask for plays `after` (cursor − overlap); publish those not already in the
persisted `recent_seen` set; flush to Kafka; only then advance `recent_cursor_ms` and
`recent_seen` in `users.spotify`. A restart re-reads the overlap and publishes nothing twice;
a crash between flush and save re-publishes identical event ids (harmless downstream).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import spotipy

from core.collections import Coll
from core.events import utc_now
from core.topics import Topic
from producer.poller import backoff
from producer.poller.metadata import Metadata
from producer.poller.recent import Tracker, now_playing_event, play_event, played_ms
from producer.poller.spotify import call
from producer.poller.tokens import TokenStore
from producer.publish import Publisher

log = logging.getLogger(__name__)
OVERLAP_MS = 30 * 60 * 1000


@dataclass
class Loop:
    kind: str  # 'recent' | 'now'
    due: float
    interval: float
    failures: int = 0


@dataclass
class UserLoops:
    user_id: str
    sp: spotipy.Spotify
    store: TokenStore
    loops: dict[str, Loop]
    tracker: Tracker = field(default_factory=Tracker)
    playing: bool = False

    @classmethod
    def start(cls, user_id: str, sp: spotipy.Spotify, store: TokenStore, now: float) -> UserLoops:
        return cls(
            user_id,
            sp,
            store,
            {
                "recent": Loop("recent", now, backoff.ACTIVE_RECENT_S),
                "now": Loop("now", now, backoff.NOW_PLAYING_IDLE_S),
            },
        )

    def poll_recent(self, db: Any, pub: Publisher, meta: Metadata, now: float) -> int:
        users = db[Coll.USERS.value]
        spot = (users.find_one({"_id": self.user_id}) or {}).get("spotify") or {}
        cursor = int(spot.get("recent_cursor_ms") or 0)
        seen = set(spot.get("recent_seen") or [])
        after = max(0, cursor - OVERLAP_MS) if cursor else None
        body = call(self.sp.current_user_recently_played, limit=50, after=after) or {}
        items = [i for i in body.get("items") or [] if i.get("track") and i.get("played_at")]
        if len(items) >= 50:
            log.warning(
                "%s: 50 plays since the last poll; older ones may be out of reach "
                "(import the export to fill gaps)",
                self.user_id,
            )
        fresh = sorted((i for i in items if played_ms(i) not in seen), key=played_ms)
        for item in fresh:
            meta.track(item["track"])
            pub.send(Topic.PLAYS, play_event(self.user_id, item, self.tracker))
        pub.flush()
        stamps = seen | {played_ms(i) for i in fresh}
        cursor = max([cursor, *stamps]) if stamps else cursor
        users.update_one(
            {"_id": self.user_id},
            {
                "$set": {
                    "spotify.recent_cursor_ms": cursor,
                    "spotify.recent_seen": sorted(s for s in stamps if s > cursor - 2 * OVERLAP_MS),
                    "spotify.last_poll_at": datetime.fromtimestamp(now, UTC),
                    "spotify.retry_after_until": None,
                    "spotify.message": "",
                    "updated_at": utc_now(),
                }
            },
        )
        loop = self.loops["recent"]
        loop.interval = backoff.next_recent_interval(loop.interval, bool(fresh) or self.playing)
        return len(fresh)

    def poll_now(self, pub: Publisher, now: float) -> None:
        body = call(self.sp.current_user_playing_track, additional_types=("track", "episode"))
        event = now_playing_event(self.user_id, body, datetime.fromtimestamp(now, UTC))
        self.tracker.observe(event.track_id, event.progress_ms, now)
        self.playing = event.is_playing
        pub.send(Topic.NOW_PLAYING, event)
        self.loops["now"].interval = (
            backoff.NOW_PLAYING_ACTIVE_S if event.is_playing else backoff.NOW_PLAYING_IDLE_S
        )
        if event.is_playing:  # listening: make sure completed plays are picked up soon
            recent = self.loops["recent"]
            recent.due = min(recent.due, max(now, recent.due - recent.interval) + backoff.ACTIVE_RECENT_S)
