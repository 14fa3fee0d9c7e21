"""Re-enrich stored plays from the current catalog and rebuild every rollup for a user/range.

Used after a time-zone or threshold change, or to repair rollups:

    from pipeline.reprocess import reenrich, reprocess
    reprocess(settings, user_id="alice", start=date(2016, 1, 1), end=date(2016, 12, 31))
    reenrich(settings, since=load_started)   # after a catalog load: only the plays it gave data

`reenrich` is the incremental one a catalog load runs (CLI and the kaggle_backfill DAG): per
user it takes the played track ids and name keys from the all-time track head, finds those whose
catalog track (or one of its artists) was written at or after `since`, finds the months and then
the days that played them from their track heads, and re-enriches only those plays whose
enrichment changes; then the rollups of their days (taste profiles included) and the playlist
profiles holding a changed track are recomputed.

    earshot spark reprocess --user alice --start 2016-01-01 --end 2016-12-31

Idempotent: it rewrites absolute values. With a changed zone, buckets of the old zone's days are
removed and the new ones written, so totals stay the same. Runs in plain Python against MongoDB
(`spark` is accepted for API symmetry and not needed: the work is a few MongoDB reads per day).
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from typing import Any

from core import gold, mongo
from core.collections import Coll
from core.mongo import find_ids
from core.settings import Settings
from pipeline.catalog import changed_tracks
from pipeline.dedupe import name_key
from pipeline.enrich import source_records
from pipeline.job import JobConfig, user_rules
from pipeline.playlists import refresh_profiles
from pipeline.store import build_plays, store_plays

Doc = dict[str, Any]
ENRICHED = ("features", "genres", "release_year", "album_name", "album_id", "matched_by", "catalog_track_id")

log = logging.getLogger("earshot.spark.reprocess")


def _range(start: dt.date | None, end: dt.date | None) -> dict[str, Any]:
    # one day of slack each side: a local day can start up to 14 h before/after UTC midnight
    cond: dict[str, Any] = {}
    if start:
        cond["$gte"] = dt.datetime.combine(start - dt.timedelta(days=1), dt.time(), dt.UTC)
    if end:
        cond["$lt"] = dt.datetime.combine(end + dt.timedelta(days=2), dt.time(), dt.UTC)
    return {"ended_at": cond} if cond else {}


def reprocess(
    settings: Settings,
    user_id: str | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
    spark: Any = None,
) -> dict[str, Any]:
    """Rebuild plays (enrichment, local fields, counting) and all rollups; returns counts."""
    cfg = JobConfig.from_settings(settings)
    with mongo.client(settings) as client:
        db = client[settings.mongo_db]
        users = [user_id] if user_id else sorted(db[Coll.PLAYS.value].distinct("user_id"))
        plays_total = days_total = 0
        for user in users:
            _drop_packed(db, user)
            zone, threshold = user_rules(db, cfg, user)
            old = list(db[Coll.PLAYS.value].find({"user_id": user, **_range(start, end)}))
            if not old:
                continue
            docs = build_plays(
                db, user, [{"_id": p["_id"], "records": source_records(p)} for p in old], zone, threshold
            )
            days = {p["local_day"] for p in old + docs}
            store_plays(db, cfg, user, zone, docs, days, {d["_id"]: d for d in docs})
            plays_total += len(docs)
            days_total += len(days)
            log.info("reprocessed %s: %d plays, %d days", user, len(docs), len(days))
    return {
        "users": len(users),
        "plays": plays_total,
        "days": days_total,
        "start": start.isoformat() if start else None,
        "end": end.isoformat() if end else None,
    }


def packed_users(db: Any) -> list[str]:
    """Users whose gold documents are still in the pre-0.9 packed format (one `_id` read each)."""
    users = sorted(str(d["_id"]) for d in db[Coll.USER_STATS.value].find({}, {"_id": 1}))
    old = {gold.packed_rows_id(gold.head_id(u, "all", "all", "track"), 0): u for u in users}
    return sorted(old[d["_id"]] for d in find_ids(db, Coll.ROLLUP_ENTITY_ROWS, old, {"_id": 1}))


def migrate_packed(settings: Settings) -> list[str]:
    """Rebuild, from the stored plays, the gold documents of users still in the packed format
    (the plays job does this at start; `earshot spark reprocess` does it for whom it rebuilds):
    their packed rows documents are deleted, then every rollup is recomputed. Returns the users."""
    with mongo.client(settings) as client:
        users = packed_users(client[settings.mongo_db])
    for user in users:
        log.warning("%s: gold documents in the old packed format; rebuilding them from the plays", user)
        reprocess(settings, user_id=user)
    return users


def _drop_packed(db: Any, user: str) -> None:
    head = gold.head_id(user, "all", "all", "track")
    if db[Coll.ROLLUP_ENTITY_ROWS.value].find_one({"_id": gold.packed_rows_id(head, 0)}, {"_id": 1}):
        db[Coll.ROLLUP_ENTITY_ROWS.value].delete_many({"user_id": user, "rows": {"$type": "binData"}})


def _played(db: Any, user: str) -> set[str]:
    """Track ids and name keys of every track the user played (the all-time track head)."""
    head = gold.head_id(user, "all", "all", "track")
    return gold.played_keys(db, [head])[head]


def _months(db: Any, user: str) -> list[str]:
    all_time = gold.period_id(user, "all", "all")
    years = db[Coll.ROLLUP_TOTALS.value].find_one({"_id": all_time}, {"series": 1}) or {}
    ids = [gold.period_id(user, "year", y) for y in sorted(years.get("series") or {})]
    return sorted(
        m for d in find_ids(db, Coll.ROLLUP_TOTALS, ids, {"series": 1}) for m in d.get("series") or {}
    )


def _heads(db: Any, user: str, grain: str, periods: list[str], wanted: set[str]) -> list[str]:
    """The periods whose track head lists one of the `wanted` track ids or name keys."""
    heads = {gold.head_id(user, grain, p, "track"): p for p in periods}
    return sorted(heads[h] for h, keys in gold.played_keys(db, heads).items() if not wanted.isdisjoint(keys))


def affected_plays(db: Any, user: str, since: dt.datetime | None) -> tuple[list[Doc], list[Doc], set[str]]:
    """(the stored plays of `user` whose track id or — without an id — name key gained catalog
    data since `since`, every stored play of the days they are on, the catalog track ids that
    gained data). The days are found through the track heads: all time, then the months, then
    their days, each listing its tracks' ids and name keys."""
    played = _played(db, user)
    ids = {k for k in played if "|" not in k}
    by_name = gold.tracks_by_name(db, {k for k in played if "|" in k})
    changed = changed_tracks(db, ids | set(by_name.values()), since)
    if not changed:
        return [], [], set()
    changed_ids = ids & changed.keys()
    changed_keys = {k for k, t in by_name.items() if t in changed}
    wanted = changed_ids | changed_keys
    wanted |= {name_key(changed[t].get("artist_names"), changed[t].get("name")) for t in changed_ids}
    months = _heads(db, user, "month", _months(db, user), wanted)
    days = _heads(db, user, "day", [d for m in months for d in gold.child_periods("month", m)], wanted)
    listed = find_ids(db, Coll.ROLLUP_TOTALS, [gold.period_id(user, "day", d) for d in days], {"play_ids": 1})
    on_days = find_ids(db, Coll.PLAYS, {i for d in listed for i in d.get("play_ids") or []})
    hit = [
        p
        for p in on_days
        if (p.get("track_id") in changed_ids) or (not p.get("track_id") and p.get("name_key") in wanted)
    ]
    return hit, on_days, set(changed)


def reenrich(
    settings: Settings, since: dt.datetime | None = None, user_id: str | None = None
) -> dict[str, Any]:
    """Re-enrich the plays whose catalog data changed since `since` (a catalog load's start) and
    refresh their rollups and the playlist profiles with a changed track; returns counts."""

    started = time.monotonic()
    cfg = JobConfig.from_settings(settings)
    out: dict[str, Any] = {"users": 0, "plays_checked": 0, "plays": 0, "days": 0, "tracks": 0}
    with mongo.client(settings) as client:
        db = client[settings.mongo_db]
        users = (
            [user_id] if user_id else sorted(d["_id"] for d in db[Coll.USER_STATS.value].find({}, {"_id": 1}))
        )
        for user in users:
            old, on_days, changed = affected_plays(db, user, since)
            out["tracks"] += len(changed)
            if not old:
                continue
            zone, threshold = user_rules(db, cfg, user)
            fresh = build_plays(
                db, user, [{"_id": p["_id"], "records": source_records(p)} for p in old], zone, threshold
            )
            before = {p["_id"]: p for p in old}
            docs = [d for d in fresh if any(d.get(f) != before[d["_id"]].get(f) for f in ENRICHED)]
            out["plays_checked"] += len(old)
            if not docs:
                continue
            days = {p["local_day"] for p in docs} | {before[d["_id"]]["local_day"] for d in docs}
            known = {p["_id"]: p for p in on_days} | {d["_id"]: d for d in docs}  # read once
            # sessions hold unless a zone or threshold change since moved or recounted a play
            same = all(
                (d["local_day"], d["counted"])
                == (before[d["_id"]].get("local_day"), before[d["_id"]].get("counted"))
                for d in docs
            )
            store_plays(db, cfg, user, zone, docs, days, known, same_times=same)
            out["users"] += 1
            out["plays"] += len(docs)
            out["days"] += len(days)
            log.info("re-enriched %s: %d plays over %d days", user, len(docs), len(days))
        out["playlists"] = refresh_profiles(db, since)
    out["seconds"] = round(time.monotonic() - started, 2)
    return out
