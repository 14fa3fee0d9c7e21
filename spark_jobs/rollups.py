"""Gold rollups from silver plays (pure Python): day buckets from plays, then month, year and
all-time buckets by summing the level below — absolute values, so recomputing a bucket after a
replay, a late play or a restart gives the same documents.

    docs = day_rollups(user_id, plays)             # {collection: [docs]} for the plays' days
    docs = roll_up(user_id, "month", lower_docs)   # from the day docs of the touched months
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from core.collections import Coll, rollup_id
from spark_jobs import profiles
from spark_jobs.dedupe import norm

PARENT = {"day": "month", "month": "year", "year": "all"}
COLLECTIONS = (Coll.ROLLUP_TOTALS, Coll.ROLLUP_ENTITIES, Coll.ROLLUP_HEATMAP, Coll.TASTE_PROFILES)


def parent_period(grain: str, period: str) -> str:
    """The period one level up: day '2024-05-01' → month '2024-05' → year '2024' → 'all'."""
    return {"day": period[:7], "month": period[:4], "year": "all"}[grain]


def entities(play: dict[str, Any]) -> list[tuple[str, str, str | None, str | None]]:
    """(entity_type, entity_key, name, artist_name) of everything a play counts for."""
    artist = (play.get("artist_names") or [None])[0]
    out: list[tuple[str, str, str | None, str | None]] = []
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


def _counts(streams: int = 0, plays: int = 0, minutes: float = 0.0, skips: int = 0) -> dict[str, Any]:
    return {"streams": streams, "plays": plays, "minutes": minutes, "skips": skips}


def _add_counts(target: dict[str, Any], source: dict[str, Any]) -> None:
    for field in ("streams", "plays", "minutes", "skips"):
        target[field] += source.get(field, 0)


def day_rollups(user_id: str, plays: Iterable[dict[str, Any]]) -> dict[Coll, list[dict[str, Any]]]:
    """Every day-grain document for the days of `plays` (pass ALL plays of those days)."""
    totals: dict[str, dict[str, Any]] = {}
    ents: dict[tuple[str, str, str], dict[str, Any]] = {}
    cells: dict[tuple[str, int, int], dict[str, Any]] = {}
    taste: dict[str, dict[str, Any]] = {}
    for play in plays:
        day = play["local_day"]
        one = _counts(int(play["counted"]), 1, play["minutes"], int(play["skip"]))
        _add_counts(totals.setdefault(day, _counts()), one)
        for etype, key, name, artist in entities(play):
            doc = ents.setdefault(
                (day, etype, key),
                {
                    "entity_type": etype,
                    "entity_key": key,
                    "name": name,
                    "artist_name": artist,
                    **_counts(),
                    "first_played": play["ended_at"],
                    "last_played": play["ended_at"],
                },
            )
            if etype == "track" and play.get("track_id") and not doc.get("track_id"):
                doc.update(track_id=play["track_id"], name=name)  # names of the richer sources
            _add_counts(doc, one)
            doc["first_played"] = min(doc["first_played"], play["ended_at"])
            doc["last_played"] = max(doc["last_played"], play["ended_at"])
        cell = cells.setdefault((day, play["weekday"], play["local_hour"]), {"streams": 0, "minutes": 0.0})
        cell["streams"] += int(play["counted"])
        cell["minutes"] += play["minutes"]
        profiles.add(
            taste.setdefault(day, profiles.new_acc()),
            play.get("features"),
            play["minutes"],
            play.get("release_year"),
            play.get("genres"),
        )
    return _documents(user_id, "day", totals, ents, cells, taste)


def _documents(
    user_id: str,
    grain: str,
    totals: dict[str, dict[str, Any]],
    ents: dict[tuple[str, str, str], dict[str, Any]],
    cells: dict[tuple[str, int, int], dict[str, Any]],
    taste: dict[str, dict[str, Any]],
) -> dict[Coll, list[dict[str, Any]]]:
    base = {"user_id": user_id, "grain": grain}
    heat: dict[str, list[dict[str, Any]]] = {}
    for (period, weekday, hour), cell in sorted(cells.items()):
        heat.setdefault(period, []).append({"weekday": weekday, "hour": hour, **cell})
    return {
        Coll.ROLLUP_TOTALS: [
            {"_id": rollup_id(user_id, grain, p), **base, "period": p, **c} for p, c in totals.items()
        ],
        Coll.ROLLUP_ENTITIES: [
            {"_id": rollup_id(user_id, grain, p, t, k), **base, "period": p, **d}
            for (p, t, k), d in ents.items()
        ],
        Coll.ROLLUP_HEATMAP: [
            {"_id": rollup_id(user_id, grain, p), **base, "period": p, "cells": c} for p, c in heat.items()
        ],
        Coll.TASTE_PROFILES: [
            {"_id": rollup_id(user_id, grain, p), **base, "period": p, **profiles.finish(acc), "acc": acc}
            for p, acc in taste.items()
        ],
    }


def roll_up(
    user_id: str, grain: str, lower: dict[Coll, list[dict[str, Any]]]
) -> dict[Coll, list[dict[str, Any]]]:
    """Documents of `grain` from the complete lower-grain documents of the same periods."""
    totals: dict[str, dict[str, Any]] = {}
    ents: dict[tuple[str, str, str], dict[str, Any]] = {}
    cells: dict[tuple[str, int, int], dict[str, Any]] = {}
    accs: dict[str, list[dict[str, Any]]] = {}
    for doc in lower.get(Coll.ROLLUP_TOTALS, []):
        _add_counts(totals.setdefault(parent_period(doc["grain"], doc["period"]), _counts()), doc)
    for doc in lower.get(Coll.ROLLUP_ENTITIES, []):
        period = parent_period(doc["grain"], doc["period"])
        key = (period, doc["entity_type"], doc["entity_key"])
        if key not in ents:
            ents[key] = {
                f: doc.get(f)
                for f in (
                    "entity_type",
                    "entity_key",
                    "name",
                    "artist_name",
                    "track_id",
                    "first_played",
                    "last_played",
                )
            } | _counts()
        target = ents[key]
        if doc.get("track_id") and not target.get("track_id"):
            target.update(track_id=doc["track_id"], name=doc["name"])
        _add_counts(target, doc)
        target["first_played"] = min(target["first_played"], doc["first_played"])
        target["last_played"] = max(target["last_played"], doc["last_played"])
    for doc in lower.get(Coll.ROLLUP_HEATMAP, []):
        period = parent_period(doc["grain"], doc["period"])
        for c in doc["cells"]:
            cell = cells.setdefault((period, c["weekday"], c["hour"]), {"streams": 0, "minutes": 0.0})
            cell["streams"] += c["streams"]
            cell["minutes"] += c["minutes"]
    for doc in lower.get(Coll.TASTE_PROFILES, []):
        accs.setdefault(parent_period(doc["grain"], doc["period"]), []).append(doc["acc"])
    taste = {p: profiles.merge_acc(a) for p, a in accs.items()}
    for counts in (totals, ents):
        for stale in [k for k, v in counts.items() if not v["plays"]]:
            del counts[stale]
    return _documents(user_id, grain, totals, ents, cells, taste)
