"""The silver and gold writes for one user's events of a batch (runs on an executor).

`process_user` folds events into stored plays (dedupe), re-enriches the changed plays from the
current catalog, replaces them, then recomputes the touched day buckets from the stored plays and
month/year/all from the level below, sessions around the changed plays and the user's stats.
Writes are delete-then-insert of whole recomputed documents: absolute values, so a replayed batch
rewrites the same documents (and FerretDB inserts are ~100× faster than its upserts).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from pymongo.database import Database

from core.collections import Coll
from core.settings import Settings
from spark_jobs import rollups, sessions
from spark_jobs.dedupe import assign
from spark_jobs.enrich import play_document

Doc = dict[str, Any]
NEXT_LEVEL = (("day", "month"), ("month", "year"), ("year", "all"))


@dataclass(frozen=True)
class JobConfig:
    """What executors need (plain values, picklable)."""

    mongo_url: str
    mongo_db: str
    tolerance_s: int
    threshold_ms: int
    default_zone: str
    gap_minutes: int

    @classmethod
    def from_settings(cls, settings: Settings) -> JobConfig:
        return cls(
            settings.mongo_url,
            settings.mongo_db,
            settings.dedup_tolerance_seconds,
            settings.stream_threshold_ms,
            settings.default_time_zone,
            settings.session_gap_minutes,
        )


def user_rules(db: Database[Doc], cfg: JobConfig, user_id: str) -> tuple[str, int]:
    user = db[Coll.USERS.value].find_one({"_id": user_id}, {"time_zone": 1, "stream_threshold_ms": 1})
    user = user or {}
    return (
        user.get("time_zone") or cfg.default_zone,
        int(user.get("stream_threshold_ms") or cfg.threshold_ms),
    )


def _windows(times: list[datetime], pad: timedelta) -> list[tuple[datetime, datetime]]:
    out: list[tuple[datetime, datetime]] = []
    for t in sorted(times):
        if out and t - pad <= out[-1][1]:
            out[-1] = (out[-1][0], t + pad)
        else:
            out.append((t - pad, t + pad))
    return out


def load_candidates(db: Database[Doc], user_id: str, times: list[datetime], tol_s: int) -> list[Doc]:
    """Stored plays that an event at one of `times` could be the same play as."""
    windows = _windows(times, timedelta(seconds=2 * tol_s + 1))
    if len(windows) > 50:  # an import: one range query beats thousands of small ones
        windows = [(windows[0][0], windows[-1][1])]
    found: list[Doc] = []
    for i in range(0, len(windows), 200):
        ranges = [{"ended_at": {"$gte": lo, "$lte": hi}} for lo, hi in windows[i : i + 200]]
        found += db[Coll.PLAYS.value].find({"user_id": user_id, "$or": ranges})
    return found


def load_catalog(db: Database[Doc], track_ids: set[str]) -> tuple[dict[str, Doc], dict[str, Doc]]:
    if not track_ids:
        return {}, {}
    tracks = {t["_id"]: t for t in db[Coll.TRACKS.value].find({"_id": {"$in": sorted(track_ids)}})}
    artist_ids = sorted({a for t in tracks.values() for a in t.get("artist_ids") or []})
    artists = (
        {a["_id"]: a for a in db[Coll.ARTISTS.value].find({"_id": {"$in": artist_ids}})} if artist_ids else {}
    )
    return tracks, artists


def build_plays(db: Database[Doc], user_id: str, plays: list[Doc], zone: str, threshold: int) -> list[Doc]:
    """Merged, enriched play documents from plays given as {_id, records}."""

    def track_of(p: Doc) -> str | None:
        return next(
            (r["track_id"] for r in sorted(p["records"], key=lambda r: r["source"]) if r.get("track_id")),
            None,
        )

    tracks, artists = load_catalog(db, {t for p in plays if (t := track_of(p))})
    return [
        play_document(
            user_id, p["_id"], p["records"], tracks.get(track_of(p) or ""), artists, zone, threshold
        )
        for p in plays
    ]


def replace_plays(db: Database[Doc], docs: list[Doc]) -> None:
    coll = db[Coll.PLAYS.value]
    for i in range(0, len(docs), 5000):
        chunk = docs[i : i + 5000]
        coll.delete_many({"_id": {"$in": [d["_id"] for d in chunk]}})
        coll.insert_many(chunk, ordered=False)


def process_user(db: Database[Doc], cfg: JobConfig, user_id: str, events: list[Doc]) -> dict[str, int]:
    zone, threshold = user_rules(db, cfg, user_id)
    stored = load_candidates(db, user_id, [e["ended_at"] for e in events], cfg.tolerance_s)
    before = {p["_id"]: p for p in stored}
    working = [{"_id": p["_id"], "records": list(p["records"])} for p in stored]
    working, changed = assign(events, working, cfg.tolerance_s)
    if not changed:
        return {"events": len(events), "changed": 0}
    docs = build_plays(db, user_id, [p for p in working if p["_id"] in changed], zone, threshold)
    replace_plays(db, docs)
    old = [before[i] for i in changed if i in before]
    rebuild_rollups(db, user_id, {d["local_day"] for d in old + docs})
    sessions.refresh_sessions(db, user_id, old + docs, cfg.gap_minutes)
    sessions.refresh_user_stats(db, user_id, sessions.local_today(zone))
    return {"events": len(events), "changed": len(docs)}


def _read_level(
    db: Database[Doc], user_id: str, grain: str, parents: set[str], skip: set[str]
) -> dict[Coll, list[Doc]]:
    """Stored docs of `grain` under `parents`, except the periods in `skip` (recomputed now)."""
    query: Doc = {"user_id": user_id, "grain": grain}
    if grain != "year":  # the year level feeds 'all': every year document
        query["$or"] = [{"period": {"$gte": f"{p}-00", "$lte": f"{p}-99"}} for p in sorted(parents)]
    return {
        coll: [d for d in db[coll.value].find(query) if d["period"] not in skip]
        for coll in rollups.COLLECTIONS
    }


def rebuild_rollups(db: Database[Doc], user_id: str, days: set[str]) -> None:
    """Recompute the given local days from the stored plays, then their month, year and all.

    Everything is computed in memory first, then each collection gets one delete and one insert
    (FerretDB writes cost ~20 ms each, so fewer, larger writes keep batches short).
    """
    if not days:
        return
    plays = db[Coll.PLAYS.value].find(
        {"user_id": user_id, "local_day": {"$in": sorted(days)}}, {"records": 0}
    )
    fresh = rollups.day_rollups(user_id, plays)
    periods: dict[str, set[str]] = {"day": set(days)}
    written = {coll: list(docs) for coll, docs in fresh.items()}
    lower_docs = fresh
    for lower, upper in NEXT_LEVEL:
        parents = {rollups.parent_period(lower, p) for p in periods[lower]}
        stored = _read_level(db, user_id, lower, parents, periods[lower])
        merged = {coll: stored[coll] + lower_docs.get(coll, []) for coll in rollups.COLLECTIONS}
        lower_docs = rollups.roll_up(user_id, upper, merged)
        periods[upper] = parents
        for coll, docs in lower_docs.items():
            written[coll].extend(docs)
    scope = [{"grain": g, "period": {"$in": sorted(p)}} for g, p in periods.items()]
    for coll in rollups.COLLECTIONS:
        db[coll.value].delete_many({"user_id": user_id, "$or": scope})
        if written[coll]:
            db[coll.value].insert_many(written[coll], ordered=False)
