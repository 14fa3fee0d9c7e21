"""The silver and gold writes for one user's events of a batch (runs on an executor).

`process_user` folds events into stored plays (dedupe), re-enriches the changed plays from the
current catalog, replaces them, then recomputes the touched day buckets (with their sessions) from
the plays and month/year/all from the level below, and the user's stats. Writes are
delete-then-insert of whole recomputed documents: absolute values, so a replayed batch rewrites
the same documents.

Every read is by `_id`: the day totals list their play ids, so dedupe candidates and a day's plays
are found without a secondary index (FerretDB v1 serves only `_id` from an index).
"""

from __future__ import annotations

import functools
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from pymongo import MongoClient
from pymongo.collection import Collection
from pymongo.database import Database
from pymongo.errors import BulkWriteError

from core import gold
from core.collections import Coll
from core.events import utc_now
from core.mongo import ID_CHUNK, find_ids
from core.settings import Settings
from pipeline import rollups, sessions
from pipeline.dedupe import assign, name_key, rank
from pipeline.enrich import play_document, source_records

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


@functools.cache
def executor_client(url: str) -> MongoClient[Doc]:
    """One client per Python worker process (Spark reuses workers across batches)."""
    return MongoClient(url, tz_aware=True, appname="earshot-spark")


def user_rules(db: Database[Doc], cfg: JobConfig, user_id: str) -> tuple[str, int]:
    user = db[Coll.USERS.value].find_one({"_id": user_id}, {"time_zone": 1, "stream_threshold_ms": 1})
    user = user or {}
    return (
        user.get("time_zone") or cfg.default_zone,
        int(user.get("stream_threshold_ms") or cfg.threshold_ms),
    )


def candidate_days(times: list[datetime], zone: str, tol_s: int) -> set[str]:
    """Local days an event at one of `times` (± the dedup tolerance) can share a play with."""
    tz = ZoneInfo(zone)
    pad = timedelta(seconds=tol_s + 1)
    return {(t + d).astimezone(tz).strftime("%Y-%m-%d") for t in times for d in (-pad, pad)}


def day_docs(db: Database[Doc], user_id: str, days: set[str]) -> dict[str, Doc]:
    """The stored day totals (which list their play ids) of the given local days."""
    ids = [gold.period_id(user_id, "day", d) for d in sorted(days)]
    return {d["period"]: d for d in find_ids(db, Coll.ROLLUP_TOTALS, ids, {"play_ids": 1, "period": 1})}


def load_candidates(
    db: Database[Doc], user_id: str, zone: str, times: list[datetime], tol_s: int
) -> list[Doc]:
    """Stored plays that an event at one of `times` could be the same play as."""
    days = day_docs(db, user_id, candidate_days(times, zone, tol_s))
    ids = sorted({i for d in days.values() for i in d.get("play_ids", [])})
    return find_ids(db, Coll.PLAYS, ids)


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


def build_plays(db: Database[Doc], user_id: str, plays: list[Doc], zone: str, threshold: int) -> list[Doc]:
    """Merged, enriched play documents from plays given as {_id, records}."""
    matches, tracks, artists = catalog_matches(db, [p["records"] for p in plays])
    return [
        play_document(
            user_id, p["_id"], p["records"], tracks.get(tid or ""), artists, zone, threshold, matched_by=how
        )
        for p, (tid, how) in zip(plays, matches, strict=True)
    ]


def insert_all(coll: Collection[Doc], docs: list[Doc]) -> None:
    """insert_many of just-deleted `_id`s; one that exists again (another writer of the same user
    got in between, e.g. a reprocess run next to the stream) is replaced instead."""
    try:
        coll.insert_many(docs, ordered=False)
    except BulkWriteError as exc:
        errors = exc.details.get("writeErrors", [])
        if any(e.get("code") != 11000 for e in errors):
            raise
        for e in errors:
            doc = docs[e["index"]]
            coll.replace_one({"_id": doc["_id"]}, doc, upsert=True)


def replace_plays(db: Database[Doc], docs: list[Doc]) -> None:
    coll = db[Coll.PLAYS.value]
    for i in range(0, len(docs), ID_CHUNK):
        chunk = docs[i : i + ID_CHUNK]
        coll.delete_many({"_id": {"$in": [d["_id"] for d in chunk]}})
        insert_all(coll, chunk)


def process_user(db: Database[Doc], cfg: JobConfig, user_id: str, events: list[Doc]) -> dict[str, int]:
    zone, threshold = user_rules(db, cfg, user_id)
    stored = load_candidates(db, user_id, zone, [e["ended_at"] for e in events], cfg.tolerance_s)
    before = {p["_id"]: p for p in stored}
    working = [{"_id": p["_id"], "records": source_records(p)} for p in stored]
    working, changed = assign(events, working, cfg.tolerance_s)
    if not changed:
        return {"events": len(events), "changed": 0}
    docs = build_plays(db, user_id, [p for p in working if p["_id"] in changed], zone, threshold)
    old = [before[i] for i in changed if i in before]
    current = {p["_id"]: p for p in stored} | {d["_id"]: d for d in docs}
    store_plays(db, cfg, user_id, zone, docs, {d["local_day"] for d in old + docs}, current)
    return {"events": len(events), "changed": len(docs)}


def store_plays(
    db: Database[Doc],
    cfg: JobConfig,
    user_id: str,
    zone: str,
    docs: list[Doc],
    days: set[str],
    known: dict[str, Doc],
    same_times: bool = False,
) -> None:
    """Replace these plays, then write the rollups of `days` recomputed with them (`known`: the
    current versions of plays, these included; `same_times`: see `plan_rollups`).

    The rollups are computed in this thread while another writes the plays (the server's insert
    and Python's rollup arithmetic each take a core: per 100,000 plays ~11 s of inserts beside
    ~9.5 s of arithmetic, instead of one after the other; docs/spark.md), and written only after
    the plays are: a batch that fails midway leaves rollups that a replay recomputes, never
    rollups of plays that are not stored."""
    with ThreadPoolExecutor(1, thread_name_prefix="plays-writer") as pool:
        written = pool.submit(replace_plays, db, docs)
        plan = plan_rollups(db, cfg, user_id, zone, days, known, same_times)
        written.result()
    write_rollups(db, plan)


def _shift(day: str, n: int) -> str:
    return (datetime.strptime(day, "%Y-%m-%d") + timedelta(days=n)).strftime("%Y-%m-%d")


def _around(days: set[str], n: int) -> set[str]:
    return {_shift(d, k) for d in days for k in range(-n, n + 1)}


def plays_of_days(db: Database[Doc], user_id: str, days: set[str], known: dict[str, Doc]) -> list[Doc]:
    """Current plays of the given local days: the stored day lists, fetched unless in `known`
    (just-written versions win; a play that moved to another day drops out)."""
    listed = {i for d in day_docs(db, user_id, days).values() for i in d.get("play_ids", [])}
    missing = sorted(listed - known.keys())
    found = {p["_id"]: p for p in find_ids(db, Coll.PLAYS, missing, {"records": 0})}
    pool = {i: known[i] for i in listed & known.keys()} | found
    pool |= {i: p for i, p in known.items() if p.get("local_day") in days}
    return [p for p in pool.values() if p.get("local_day") in days]


def _stored(
    db: Database[Doc], user_id: str, grain: str, periods: list[str], colls: tuple[Coll, ...]
) -> dict[Coll, list[Doc]]:
    ids = rollups.doc_ids(user_id, grain, periods)
    return {
        coll: gold.entity_row_docs(db, ids[coll])
        if coll == Coll.ROLLUP_ENTITY_ROWS
        else find_ids(db, coll, ids[coll])
        for coll in colls
    }


@dataclass
class RollupPlan:
    """Recomputed gold documents of a user and the `_id`s they replace."""

    user_id: str
    zone: str
    rebuilt_days: set[str]
    written: dict[Coll, list[Doc]]
    replaced: dict[Coll, list[str]]


def rebuild_rollups(
    db: Database[Doc],
    cfg: JobConfig,
    user_id: str,
    zone: str,
    days: set[str],
    known: dict[str, Doc] | None = None,
) -> None:
    """Recompute the rollups of the given local days from the stored plays and write them."""
    write_rollups(db, plan_rollups(db, cfg, user_id, zone, days, known or {}))


def plan_rollups(
    db: Database[Doc],
    cfg: JobConfig,
    user_id: str,
    zone: str,
    days: set[str],
    known: dict[str, Doc],
    same_times: bool = False,
) -> RollupPlan | None:
    """Recompute the given local days (and their neighbours, whose sessions may change) from the
    plays, then their months, years and all time from the level below. Reads only; None when
    there is nothing to do.

    `same_times`: the plays changed only in what enrichment gives them (a catalog load), not in
    when or how long they played, so the days' stored sessions hold and their neighbours need no
    rebuild (a re-enrichment scattered over many days reads ~5x fewer plays)."""
    if not days:
        return None
    now = utc_now()
    if same_times:
        rebuilt = set(days)
        plays = plays_of_days(db, user_id, rebuilt, known)
        ids = [gold.period_id(user_id, "day", d) for d in sorted(rebuilt)]
        stored_days = find_ids(db, Coll.ROLLUP_TOTALS, ids, {"period": 1, "session_list": 1})
        by_day = {d["period"]: list(d.get("session_list") or []) for d in stored_days}
    else:
        rebuilt = _around(days, 1)
        plays = plays_of_days(db, user_id, _around(days, 2), known)
        by_day = sessions.sessions_by_day(user_id, plays, cfg.gap_minutes, zone)
    fresh = rollups.day_rollups(user_id, [p for p in plays if p["local_day"] in rebuilt], by_day, now)
    periods: dict[str, set[str]] = {"day": rebuilt}
    written = {coll: list(docs) for coll, docs in fresh.items()}
    lower_docs = fresh
    for lower, upper in NEXT_LEVEL:
        parents = {gold.parent_period(lower, p) for p in periods[lower]}
        years: set[str] = set()
        if upper == "all":
            stored_all = (
                db[Coll.ROLLUP_TOTALS.value].find_one({"_id": gold.period_id(user_id, "all", "all")}) or {}
            )
            years = set(stored_all.get("series", {})) | periods["year"]
        children = {c for p in parents for c in gold.child_periods(upper, p, years)} - periods[lower]
        stored = _stored(db, user_id, lower, sorted(children), rollups.INPUTS)
        merged = {coll: stored[coll] + lower_docs.get(coll, []) for coll in rollups.INPUTS}
        lower_docs = rollups.roll_up(user_id, upper, merged, now)
        periods[upper] = parents
        for coll, docs in lower_docs.items():
            written[coll].extend(docs)
    replaced: dict[Coll, list[str]] = {
        coll: [i for grain, ps in periods.items() for i in rollups.doc_ids(user_id, grain, ps)[coll]]
        for coll in rollups.COLLECTIONS
        if coll != Coll.ROLLUP_ENTITY_ROWS
    }
    replaced[Coll.ROLLUP_ENTITY_ROWS] = [
        d["_id"]
        for grain, ps in periods.items()
        for d in gold.entity_row_docs(
            db, rollups.doc_ids(user_id, grain, ps)[Coll.ROLLUP_ENTITY_ROWS], projection={"_id": 1}
        )
    ]
    return RollupPlan(user_id, zone, rebuilt, written, replaced)


def write_rollups(db: Database[Doc], plan: RollupPlan | None) -> None:
    """Each collection gets one delete and one insert by `_id` (absolute values, so a replayed
    batch rewrites the same documents), then the user's stats."""
    if plan is None:
        return
    for coll in rollups.COLLECTIONS:
        ids = plan.replaced[coll]
        for i in range(0, len(ids), ID_CHUNK):
            db[coll.value].delete_many({"_id": {"$in": ids[i : i + ID_CHUNK]}})
        if plan.written[coll]:
            insert_all(db[coll.value], plan.written[coll])
    totals = plan.written[Coll.ROLLUP_TOTALS]
    all_time = next((d for d in totals if d["grain"] == "all"), None)
    sessions.refresh_user_stats(db, plan.user_id, plan.rebuilt_days, totals, all_time, plan.zone)
