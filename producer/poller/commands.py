"""The app's requests (commands topic) as the poller executes them.

Actions: connect_playlist / disconnect_playlist (args.playlist: link, URI or ID — or
args.playlist_id), list_playlists, poll_now. Results land where the app reads them
(`playlists` statuses, `users.spotify.message`).

`handle` gets what it needs as arguments (the database, the publisher, a way to find a connected
user's loops, the clock), so it does not depend on the poller that calls it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from core.events import CommandEvent
from producer.poller import playlist_sync
from producer.poller.spotify import ApiError
from producer.poller.user_loops import UserLoops

log = logging.getLogger(__name__)


def handle(
    cmd: CommandEvent, *, db: Any, pub: Any, find_user: Callable[[str], UserLoops | None], now: float
) -> None:
    log.info("command %s for %s (requested by %s)", cmd.action, cmd.user_id, cmd.requested_by or "a CLI")
    if cmd.action == "disconnect_playlist":
        playlist_sync.disconnect(db, cmd.user_id, _ref(cmd))
        return
    user = find_user(cmd.user_id)
    if user is None:
        log.warning("command %s for %s ignored: no connected Spotify account", cmd.action, cmd.user_id)
        return
    try:
        if cmd.action == "connect_playlist":
            playlist_sync.connect(user.sp, db, pub, cmd.user_id, _ref(cmd))
        elif cmd.action == "list_playlists":
            playlist_sync.list_playlists(user.sp, db, cmd.user_id)
        elif cmd.action == "poll_now":
            for loop in user.loops.values():
                loop.due = min(loop.due, now)
    except ApiError as exc:
        log.warning("command %s for %s failed: %s", cmd.action, cmd.user_id, exc)


def _ref(cmd: CommandEvent) -> str:
    """The playlist reference: `args.playlist` (link, URI or ID) or `args.playlist_id`."""
    return cmd.args.get("playlist") or cmd.args.get("playlist_id", "")
