"""Which gold documents a set of changed plays touches, recomputed from the stored plays (never
incremented): the touched days' facts with their sessions (`rebuilt_facts`), summed into day
documents, then month, year and all time from the complete level below (`plan_from_sums`; both:
`plan_rollups`), written by `_id` (`write_rollups`): upserts first, totals
last, then the documents no longer produced are deleted, so a reader never finds a gap.

    plan = plan_rollups(db, cfg, user_id, zone, days, known)
    plan = plan_from_sums(db, user_id, sums)   # the day facts summed elsewhere (Spark)
    write_rollups(db, plan)
    rebuild_rollups(db, cfg, user_id, days)   # both, from what is stored
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from pymongo.database import Database

from core import gold
from core.collections import Coll
from core.events import utc_now
from core.mongo import ID_CHUNK, find_ids
from pipeline import day_facts, rollups, sessions
from pipeline.job import JobConfig
from pipeline.writes import day_docs, upsert_all

Doc = dict[str, Any]


NEXT_LEVEL = (("day", "month"), ("month", "year"), ("year", "all"))


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
    plays, then their months, years and all time from the level below, the day facts summed in
    Python (`rebuilt_facts`, `plan_from_sums`). Reads only; None when there is nothing to do."""
    if not days:
        return None
    return plan_from_sums(
        db, user_id, day_facts.sum_facts(rebuilt_facts(db, cfg, user_id, zone, days, known, same_times))
    )


def rebuilt_facts(
    db: Database[Doc],
    cfg: JobConfig,
    user_id: str,
    zone: str,
    days: set[str],
    known: dict[str, Doc],
    same_times: bool = False,
) -> dict[str, list[Any]]:
    """The facts (`pipeline.day_facts`) of the days to rebuild: the given days and their
    neighbours, whose sessions may change. Reads only.

    `same_times`: the plays changed only in what enrichment gives them (a catalog load), not in
    when or how long they played, so the days' stored sessions hold and their neighbours need no
    rebuild (a re-enrichment scattered over many days reads ~5x fewer plays)."""
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
    plays = [p for p in plays if p["local_day"] in rebuilt]
    return day_facts.facts(user_id, plays, day_facts.day_infos(plays, rebuilt, by_day, zone))


def plan_from_sums(db: Database[Doc], user_id: str, sums: list[Doc]) -> RollupPlan | None:
    """The day documents of the summed facts of the rebuilt days (summed by Spark in the plays
    job), then their months, years and all time from the complete level below. Reads only;
    None when no day was rebuilt."""
    rebuilt, zone = day_facts.rebuilt(sums)
    if zone is None:
        return None
    now = utc_now()
    fresh = rollups.day_documents(user_id, sums, now)
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
    replaced = {coll: _replaced_ids(db, user_id, periods, coll) for coll in rollups.COLLECTIONS}
    return RollupPlan(user_id, zone, rebuilt, written, replaced)


def _replaced_ids(db: Database[Doc], user_id: str, periods: dict[str, set[str]], coll: Coll) -> list[str]:
    """The `_id`s of `coll` the recomputed periods may have had (BUCKETED: the stored buckets)."""
    wanted = [i for grain, ps in periods.items() for i in rollups.doc_ids(user_id, grain, ps)[coll]]
    if coll not in rollups.BUCKETED:
        return wanted
    return [d["_id"] for d in gold.entity_row_docs(db, wanted, projection={"_id": 1}, coll=coll)]


# Buckets before the totals that count them: a reader following the totals' `buckets` finds
# every bucket, old count or new (the count is part of the bucket ids, `core.gold.ids.rows_id`).
WRITE_ORDER = (
    *rollups.BUCKETED,
    Coll.ROLLUP_ENTITIES,
    Coll.ROLLUP_HEATMAP,
    Coll.TASTE_PROFILES,
    Coll.ROLLUP_TOTALS,
)


def write_rollups(db: Database[Doc], plan: RollupPlan | None) -> None:
    """Upsert every recomputed document by `_id` (absolute values, so a replayed batch rewrites
    the same documents) in WRITE_ORDER, then delete the replaced ones no longer produced (a day
    whose plays moved away, buckets of an old count), then the user's stats. A reader sees each
    document old or new, never missing."""
    if plan is None:
        return
    for coll in WRITE_ORDER:
        upsert_all(db[coll.value], plan.written[coll])
    for coll in WRITE_ORDER:
        kept = {d["_id"] for d in plan.written[coll]}
        stale = [i for i in plan.replaced[coll] if i not in kept]
        for i in range(0, len(stale), ID_CHUNK):
            db[coll.value].delete_many({"_id": {"$in": stale[i : i + ID_CHUNK]}})
    totals = plan.written[Coll.ROLLUP_TOTALS]
    all_time = next((d for d in totals if d["grain"] == "all"), None)
    sessions.refresh_user_stats(db, plan.user_id, plan.rebuilt_days, totals, all_time, plan.zone)
