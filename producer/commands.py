"""The app's requests (commands topic) as the poller executes them.

Actions: connect_playlist / disconnect_playlist (args.playlist: link, URI or ID — or
args.playlist_id),
list_playlists, poll_now, import (args.path). Results land where the app reads them
(`playlists` statuses, `imports` reports, `users.spotify.message`).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from core.events import CommandEvent
from producer import playlist_sync
from producer.spotify import ApiError

if TYPE_CHECKING:
    from producer.poller import Poller

log = logging.getLogger(__name__)


def handle(poller: Poller, cmd: CommandEvent) -> None:
    user = poller.users.get(cmd.user_id)
    log.info("command %s for %s", cmd.action, cmd.user_id)
    if cmd.action == "import":
        from producer.importer import import_path

        import_path(poller.settings, cmd.args["path"], cmd.user_id)
        return
    if cmd.action == "disconnect_playlist":
        playlist_sync.disconnect(poller.db, cmd.user_id, _ref(cmd))
        return
    if user is None:
        poller.refresh_users()
        user = poller.users.get(cmd.user_id)
    if user is None:
        log.warning("command %s for %s ignored: no connected Spotify account", cmd.action, cmd.user_id)
        return
    try:
        if cmd.action == "connect_playlist":
            playlist_sync.connect(user.sp, poller.db, poller.pub, cmd.user_id, _ref(cmd))
        elif cmd.action == "list_playlists":
            playlist_sync.list_playlists(user.sp, poller.db, cmd.user_id)
        elif cmd.action == "poll_now":
            for loop in user.loops.values():
                loop.due = min(loop.due, poller.clock.now())
    except ApiError as exc:
        log.warning("command %s for %s failed: %s", cmd.action, cmd.user_id, exc)


def _ref(cmd: CommandEvent) -> str:
    """The playlist reference: `args.playlist` (link, URI or ID) or `args.playlist_id`."""
    return cmd.args.get("playlist") or cmd.args.get("playlist_id", "")
