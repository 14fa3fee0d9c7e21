"""`Playlist*.json` and `YourLibrary.json` → connectable playlists (source 'export').

Each export playlist becomes a `playlists` document plus one `PlaylistTrackEvent` per track or
episode. Export playlists have no Spotify id, so the id is `export-<stable_id(user, name)>`, and
the snapshot id is a digest of the item URIs and the last-modified date: importing the same
file again yields the same ids, a changed playlist a new snapshot. Saved tracks from
`YourLibrary.json` become the playlist "Liked Songs (export)".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from core.events import PlaylistTrackEvent, stable_id

LIKED_SONGS = "Liked Songs (export)"


@dataclass
class ExportPlaylist:
    playlist_id: str
    name: str
    snapshot_id: str
    events: list[PlaylistTrackEvent] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)  # (item index, reason)


def _added(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value[:10]).replace(tzinfo=UTC)
    except ValueError:
        return None


def _item_fields(item: Any) -> dict[str, Any] | None:
    """A playlist item's track/episode as event fields; None for local files and empty slots."""
    if not isinstance(item, dict):
        raise ValueError("item is not a JSON object")
    if isinstance(item.get("track"), dict):
        t = item["track"]
        uri = t.get("trackUri") or t.get("uri")
        return {
            "track_uri": uri,
            "track_id": uri.rsplit(":", 1)[-1] if uri else None,
            "track_name": t.get("trackName") or t.get("track"),
            "artist_names": [a] if (a := t.get("artistName") or t.get("artist")) else [],
            "album_name": t.get("albumName") or t.get("album"),
        }
    if isinstance(item.get("episode"), dict):
        e = item["episode"]
        uri = e.get("episodeUri")
        return {
            "track_uri": uri,
            "track_id": uri.rsplit(":", 1)[-1] if uri else None,
            "track_name": e.get("episodeName"),
            "artist_names": [s] if (s := e.get("showName")) else [],
            "album_name": e.get("showName"),
        }
    return None


def _build(user_id: str, name: str, modified: str, items: list[Any]) -> ExportPlaylist:
    playlist_id = "export-" + stable_id(user_id, name)
    rows: list[tuple[dict[str, Any], Any]] = []
    errors: list[tuple[int, str]] = []
    for index, item in enumerate(items):
        try:
            fields = _item_fields(item)
        except ValueError as exc:
            errors.append((index, str(exc)))
            continue
        if fields is not None:
            rows.append((fields, item.get("addedDate")))
    snapshot = stable_id(modified, *(f["track_uri"] or f["track_name"] for f, _ in rows))
    playlist = ExportPlaylist(playlist_id, name, snapshot, errors=errors)
    for position, (fields, added) in enumerate(rows):
        playlist.events.append(
            PlaylistTrackEvent(
                event_id=stable_id("export_playlist", user_id, playlist_id, snapshot, position),
                user_id=user_id,
                source="export",
                playlist_id=playlist_id,
                playlist_name=name,
                snapshot_id=snapshot,
                position=position,
                total_tracks=len(rows),
                added_at=_added(added),
                **fields,
            )
        )
    return playlist


def playlists_from_export(
    doc: dict[str, Any], user_id: str
) -> tuple[list[ExportPlaylist], list[tuple[int, str]]]:
    """Playlists of a `Playlist*.json` document, and (index, reason) for malformed playlists."""
    found: list[ExportPlaylist] = []
    errors: list[tuple[int, str]] = []
    for index, entry in enumerate(doc.get("playlists", [])):
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str) or not entry["name"]:
            errors.append((index, "playlist without a name"))
            continue
        items = entry.get("items") or []
        if not isinstance(items, list):
            errors.append((index, "playlist 'items' is not a list"))
            continue
        found.append(_build(user_id, entry["name"], str(entry.get("lastModifiedDate") or ""), items))
    return found, errors


def library_playlist(doc: dict[str, Any], user_id: str) -> ExportPlaylist:
    """Saved tracks of a `YourLibrary.json` document as one playlist."""
    items = [{"track": t} if isinstance(t, dict) else t for t in doc.get("tracks", [])]
    return _build(user_id, LIKED_SONGS, "", items)
