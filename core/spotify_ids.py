"""Spotify ids (base62, 22 characters) and the open.spotify.com links built from them."""

from __future__ import annotations

import re

SPOTIFY_ID = re.compile(r"[0-9A-Za-z]{22}")


def is_spotify_id(value: object) -> bool:
    return isinstance(value, str) and SPOTIFY_ID.fullmatch(value) is not None


def track_url(track_id: object) -> str | None:
    """`https://open.spotify.com/track/<id>`, or None when no real track id is known (an
    account-data play has none; names-only keys and made-up ids get no link)."""
    return f"https://open.spotify.com/track/{track_id}" if is_spotify_id(track_id) else None
