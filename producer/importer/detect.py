"""Which kind of export file a parsed JSON document is — decided by content, not by file name.

    kind = detect(doc)   # 'extended' | 'account' | 'playlists' | 'library' | 'empty' | 'unknown'

File names only add a hint that content cannot give: rows of `Streaming_History_Video_*` and
`endvideo*` files are videos (`is_video_file`).
"""

from __future__ import annotations

import re
from typing import Any, Literal

Kind = Literal["extended", "account", "playlists", "library", "empty", "unknown"]

_EXTENDED_KEYS = {"ts", "ms_played"}
_ACCOUNT_KEYS = {"endTime", "msPlayed"}
_LIBRARY_KEYS = {"tracks", "albums", "shows", "episodes", "artists", "bannedTracks"}
_VIDEO_NAME = re.compile(r"(streaming_history_video|endvideo)[^/]*$", re.IGNORECASE)


def detect(doc: Any) -> Kind:
    if isinstance(doc, list):
        sample = next((r for r in doc[:50] if isinstance(r, dict)), None)
        if sample is None:
            return "empty" if not doc else "unknown"
        keys = set(sample)
        if keys >= _EXTENDED_KEYS:
            return "extended"
        if keys >= _ACCOUNT_KEYS:
            return "account"
        return "unknown"
    if isinstance(doc, dict):
        if isinstance(doc.get("playlists"), list):
            return "playlists"
        if isinstance(doc.get("tracks"), list) and len(_LIBRARY_KEYS & set(doc)) >= 2:
            return "library"
    return "unknown"


def is_video_file(name: str) -> bool:
    return bool(_VIDEO_NAME.search(name))
