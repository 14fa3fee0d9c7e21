"""What a play counts for in the gold layer: music (kind 'track') or not, and its entities.

A music play counts for its track (by normalised names, so an account-export play without a
track id counts for the same track), artist, album, genres, decade and platform; a podcast
episode, audiobook chapter or video for its show (or audiobook), itself and its platform.
"""

from __future__ import annotations

from typing import Any

from pipeline.dedupe import norm

Doc = dict[str, Any]
MUSIC = "track"  # the play kind counted as music; the others go to a totals document's `other`


def is_music(play: Doc) -> bool:
    return (play.get("kind") or MUSIC) == MUSIC


def entities(play: Doc) -> list[tuple[str, str, str | None, str | None]]:
    """(entity_type, entity_key, name, artist_name) of everything a play counts for: a podcast
    episode, audiobook chapter or video counts for its show (or audiobook) and itself."""
    artist = (play.get("artist_names") or [None])[0]
    out: list[tuple[str, str, str | None, str | None]] = []
    if not is_music(play):
        show = play.get("album_name") or artist
        if show:
            out.append(("show", norm(show) or show, show, None))
        out.append(("episode", str(play.get("name_key")), play.get("track_name"), show))
        if play.get("platform"):
            out.append(("platform", play["platform"], play["platform"], None))
        return out
    # by names, so an account-export play (no track id) counts for the same track
    out.append(("track", str(play.get("name_key")), play.get("track_name"), artist))
    if artist:
        out.append(("artist", norm(artist) or artist, artist, None))
    if play.get("album_name"):
        album_key = play.get("album_id") or f"name:{norm(play['album_name'])}|{norm(artist)}"
        out.append(("album", album_key, play["album_name"], artist))
    for genre in play.get("genres") or []:
        out.append(("genre", genre, genre, None))
    if play.get("release_year"):
        decade = f"{int(play['release_year']) // 10 * 10}s"
        out.append(("decade", decade, decade, None))
    if play.get("platform"):
        out.append(("platform", play["platform"], play["platform"], None))
    return out
