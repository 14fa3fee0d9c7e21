"""The catalog a batch's plays are enriched from: tracks and artists by id, a play's track id or its
names (`catalog_matches`: by id, else by normalised artist + track name), and which catalog tracks
changed since a load (`changed_tracks`, for re-enrichment)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pymongo.database import Database

from core import gold
from core.collections import Coll
from core.mongo import find_ids
from pipeline.dedupe import name_key, rank

Doc = dict[str, Any]


def load_catalog(db: Database[Doc], track_ids: set[str]) -> tuple[dict[str, Doc], dict[str, Doc]]:
    if not track_ids:
        return {}, {}
    tracks = {t["_id"]: t for t in find_ids(db, Coll.TRACKS, sorted(track_ids))}
    artist_ids = sorted({a for t in tracks.values() for a in t.get("artist_ids") or []})
    return tracks, {a["_id"]: a for a in find_ids(db, Coll.ARTISTS, artist_ids)}


def track_of(records: list[Doc]) -> str | None:
    """A play's track id: the first its source events carry."""
    return next(
        (r["track_id"] for r in sorted(records, key=lambda r: r["source"]) if r.get("track_id")), None
    )


def names_of(records: list[Doc]) -> str | None:
    """The name key a music play without any track id is matched to the catalog by, else None."""
    if track_of(records):
        return None
    best = max(records, key=rank)
    if (best.get("kind") or "track") != "track":
        return None
    return name_key(best.get("artist_names"), best.get("track_name"))


def catalog_matches(
    db: Database[Doc], plays: list[list[Doc]]
) -> tuple[list[tuple[str | None, str | None]], dict[str, Doc], dict[str, Doc]]:
    """For plays given by their source events: (catalog track id, 'id' | 'name' | None) each —
    the track id when the catalog has it, else for a play with no id the track its name key
    names (`catalog_names`) — and the catalog tracks and artists those ids need."""
    ids = [track_of(records) for records in plays]
    keys = [names_of(records) for records in plays]
    by_name = gold.tracks_by_name(db, {k for k in keys if k})
    tracks, artists = load_catalog(db, {i for i in ids if i} | set(by_name.values()))
    out: list[tuple[str | None, str | None]] = []
    for tid, key in zip(ids, keys, strict=True):
        if tid:
            out.append((tid, "id") if tid in tracks else (None, None))
        else:
            found = by_name.get(key or "")
            out.append((found, "name") if found in tracks else (None, None))
    return out, tracks, artists


def changed_tracks(db: Any, track_ids: set[str], since: datetime | None) -> dict[str, Doc]:
    """The catalog tracks among `track_ids` written at or after `since` (or with an artist that
    was), by id, with their names; every one found when `since` is None."""
    tracks = find_ids(
        db, Coll.TRACKS, track_ids, {"updated_at": 1, "artist_ids": 1, "name": 1, "artist_names": 1}
    )
    if since is None:
        return {t["_id"]: t for t in tracks}

    def fresh(d: Doc | None) -> bool:
        return bool(d and d.get("updated_at") and d["updated_at"] >= since)

    artist_ids = {a for t in tracks if not fresh(t) for a in t.get("artist_ids") or []}
    artists = {a["_id"]: a for a in find_ids(db, Coll.ARTISTS, artist_ids, {"updated_at": 1})}
    return {
        t["_id"]: t
        for t in tracks
        if fresh(t) or any(fresh(artists.get(a)) for a in t.get("artist_ids") or [])
    }
