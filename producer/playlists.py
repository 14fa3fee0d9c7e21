"""Playlist references: accept what a person pastes (link, URI or bare ID) and return the ID.

    >>> parse_playlist_ref("https://open.spotify.com/playlist/37i9dQZF1DXcBWIGoYBM5M?si=abc")
    '37i9dQZF1DXcBWIGoYBM5M'

Pure functions, no I/O: the Streamlit app validates input with the same parser the poller uses.
"""

from __future__ import annotations

import re
from urllib.parse import urlparse

from core.spotify_ids import is_spotify_id

_URI = re.compile(r"^spotify:(?:user:[^:]+:)?playlist:([A-Za-z0-9]+)$")


def parse_playlist_ref(text: str) -> str:
    """The 22-character playlist ID in a Spotify playlist link, URI or ID.

    Raises ValueError with a message a person can act on.
    """
    ref = (text or "").strip()
    if not ref:
        raise ValueError("paste a playlist link, URI or ID (it is empty)")
    candidate = ref
    match = _URI.match(ref)
    if match:
        candidate = match.group(1)
    elif "://" in ref or ref.startswith(("open.spotify.com", "spotify.link")):
        url = urlparse(ref if "://" in ref else "https://" + ref)
        if url.hostname not in {"open.spotify.com", "play.spotify.com"}:
            raise ValueError(
                f"not a Spotify playlist link: {ref!r} (expected https://open.spotify.com/playlist/…;"
                " short spotify.link addresses must be opened in a browser first)"
            )
        parts = [p for p in url.path.split("/") if p]
        if "playlist" not in parts or parts.index("playlist") + 1 >= len(parts):
            raise ValueError(f"the link does not point at a playlist: {ref!r}")
        candidate = parts[parts.index("playlist") + 1]
    elif ref.startswith("spotify:"):
        raise ValueError(f"not a playlist URI: {ref!r} (expected spotify:playlist:<id>)")
    if not is_spotify_id(candidate):
        raise ValueError(f"{candidate!r} is not a Spotify playlist ID (22 letters and digits expected)")
    return candidate
