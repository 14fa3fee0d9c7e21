"""Enrichment of a merged play from the catalog and the user's settings (pure Python).

    doc = play_document(user_id, play_id, records, track, artists, zone, threshold_ms)

Adds album, release_year, genres (the track's, else its artists'), audio features (from the
catalog track matched by id, or by name for a play without one: `matched_by`), and the
local-time fields (local_day/month/year/hour, weekday) in the user's zone; `counted` says
whether the play is a stream (ms_played ≥ threshold). A play merged from several source events
keeps them in `records`; a single-event play (most) does not repeat its own fields.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from core.collections import track_features
from core.events import PlayEvent, utc_now
from pipeline.dedupe import merge, name_key

EVENT_FIELDS = [f for f in PlayEvent.model_fields if f != "schema_version"]


def source_records(play: dict[str, Any]) -> list[dict[str, Any]]:
    """The source events of a stored play: its `records` when it merged several, else its own
    event fields (minus what enrichment filled in from the catalog)."""
    if play.get("records"):
        return list(play["records"])
    record = {f: play.get(f) for f in EVENT_FIELDS}
    for f in play.get("catalog_fields") or []:
        record[f] = None
    return [record]


def local_fields(ended_at: datetime, zone: str) -> dict[str, Any]:
    local = ended_at.astimezone(ZoneInfo(zone))
    day = local.strftime("%Y-%m-%d")
    return {
        "local_day": day,
        "local_month": day[:7],
        "local_year": day[:4],
        "local_hour": local.hour,
        "weekday": local.weekday(),
        "time_zone": zone,
    }


def release_year(release_date: str | None) -> int | None:
    if release_date and release_date[:4].isdigit():
        return int(release_date[:4])
    return None


def catalog_fields(track: dict[str, Any] | None, artists: dict[str, dict[str, Any]]) -> dict[str, Any]:
    if not track:
        return {"release_year": None, "genres": [], "features": None}
    genres = list(track.get("genres") or [])
    if not genres:
        for artist_id in track.get("artist_ids") or []:
            for genre in (artists.get(artist_id) or {}).get("genres") or []:
                if genre not in genres:
                    genres.append(genre)
    year = track.get("release_year") or release_year(track.get("release_date"))
    return {
        "release_year": year,
        "genres": genres,
        "features": track_features(track),
        "catalog_album_name": track.get("album_name"),
        "catalog_album_id": track.get("album_id"),
    }


def play_document(
    user_id: str,
    play_id: str,
    records: list[dict[str, Any]],
    track: dict[str, Any] | None,
    artists: dict[str, dict[str, Any]],
    zone: str,
    threshold_ms: int,
    matched_by: str | None = None,
) -> dict[str, Any]:
    """`track`: the catalog track the play matched, `matched_by` how ('id' | 'name')."""
    merged = merge(records)
    extra = catalog_fields(track, artists)
    album_from_catalog = extra.pop("catalog_album_name", None)
    album_id_from_catalog = extra.pop("catalog_album_id", None)
    doc = {**merged, "_id": play_id, "user_id": user_id}
    doc["album_name"] = doc.get("album_name") or album_from_catalog
    doc["album_id"] = doc.get("album_id") or album_id_from_catalog
    doc["catalog_fields"] = [f for f in ("album_name", "album_id") if doc[f] and not merged.get(f)]
    doc.update(extra)
    doc.update(local_fields(doc["ended_at"], zone))
    doc["counted"] = doc["ms_played"] >= threshold_ms
    doc["skip"] = (not doc["counted"]) or bool(doc.get("skipped"))
    doc["minutes"] = doc["ms_played"] / 60000.0
    doc["name_key"] = name_key(doc.get("artist_names"), doc.get("track_name"))
    doc["matched_by"] = (matched_by or "id") if track else None
    if doc["matched_by"] == "name":
        doc["catalog_track_id"] = track["_id"]  # type: ignore[index]
    doc["event_ids"] = sorted(r["event_id"] for r in records)
    doc["sources"] = sorted({r["source"] for r in records})
    if len(records) > 1:  # a single event is the play's own event fields (see source_records)
        doc["records"] = records
    doc["enriched_at"] = utc_now()
    return doc
