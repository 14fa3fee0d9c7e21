"""Data-quality checks that fail loudly (raise `DataQualityError`) — run by the data_quality DAG.

    from batch import quality
    quality.run("rollups", settings)     # opens and closes its own client; see CHECKS
    quality.no_duplicate_plays(db); quality.rollups_match_plays(db)
    quality.catalog_coverage_ok(db, settings.min_catalog_coverage); quality.no_dead_letter_spike(db)

Each returns a small dict of what it measured when the check passes.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from typing import Any

from core import gold, mongo
from core.collections import Coll
from core.mongo import find_ids
from core.settings import Settings
from pipeline.coverage import coverage_of

Doc = dict[str, Any]
PLAY_FIELDS = {"user_id": 1, "local_day": 1, "counted": 1, "skip": 1, "minutes": 1, "ended_at": 1, "kind": 1}
COUNTS = ("streams", "plays", "minutes", "skips")
ROW_COUNTS = ("streams", "plays", "minutes")  # entity rows carry no skips (core.collections.ENTITY_FIELDS)


class DataQualityError(AssertionError):
    """A data-quality check failed; the message says what and how much."""


def no_duplicate_plays(db: Any) -> dict[str, Any]:
    """No two plays share (user_id, track, ended_at); the track is the id or, for export plays
    without one, the normalised names (`name_key`), as the rollups count tracks."""
    groups = db.plays.aggregate(
        [
            {
                "$group": {
                    "_id": {"u": "$user_id", "t": "$track_id", "k": "$name_key", "e": "$ended_at"},
                    "n": {"$sum": 1},
                }
            },
            {"$match": {"n": {"$gt": 1}}},
        ]
    )
    dupes = list(groups)
    if dupes:
        sample = ", ".join(
            f"{d['_id']['u']}/{d['_id'].get('t') or d['_id'].get('k')}@{d['_id']['e']}×{d['n']}"
            for d in dupes[:5]
        )
        raise DataQualityError(f"{len(dupes)} duplicated plays (user+track+ended_at), e.g. {sample}")
    return {"duplicates": 0, "plays": db.plays.count_documents({})}


def recompute_day(plays: list[Doc]) -> Doc:
    """A day's totals counted directly from its plays (independently of pipeline.rollups): the
    counts are of music (kind 'track'); first/last of every play."""
    ended = [p["ended_at"] for p in plays if p.get("ended_at") is not None]
    music = [p for p in plays if (p.get("kind") or "track") == "track"]
    return {
        "streams": sum(1 for p in music if p.get("counted")),
        "plays": len(music),
        "minutes": sum(float(p.get("minutes") or 0.0) for p in music),
        "skips": sum(1 for p in music if p.get("skip")),
        "first_played": min(ended, default=None),
        "last_played": max(ended, default=None),
    }


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        return math.isclose(float(a or 0.0), float(b or 0.0), rel_tol=1e-6, abs_tol=1e-6)
    return bool(a == b)


def differences(stored: Doc, fresh: Doc, fields: tuple[str, ...] | None = None) -> list[str]:
    """'field stored≠fresh' for each field of `fresh` (or `fields`) the stored document disagrees on."""
    return [
        f"{f} {stored.get(f)}≠{fresh.get(f)}"
        for f in fields or tuple(fresh)
        if not _same(stored.get(f), fresh.get(f))
    ]


def sample_days(db: Any, sample: int) -> list[tuple[str, str]]:
    """The `sample` most recent (user, local day) pairs with streams, from user_stats.active_days."""
    pairs = []
    for stats in db[Coll.USER_STATS.value].find({}, {"active_days": 1}):
        pairs += [(day, str(stats["_id"])) for day in (stats.get("active_days") or [])[-sample:]]
    return [(user, day) for day, user in sorted(pairs, reverse=True)[:sample]]


def day_problems(
    user: str,
    day: str,
    total: Doc | None,
    plays: dict[str, Doc],
    on_day: set[str],
    tracks: Doc | list[Doc] | None,
    month: Doc | None,
) -> list[str]:
    """What is wrong with one stored day (empty when it equals the recomputation from plays).

    `plays`: the plays its play_ids point at (by id); `on_day`: ids of the stored plays whose
    local_day is that day; `tracks`: its track row documents; `month`: its month totals."""
    if total is None:
        return ["no day rollup although user_stats lists the day as active"]
    listed = list(total.get("play_ids") or [])
    problems = []
    if missing := [i for i in listed if i not in plays]:
        problems.append(f"{len(missing)} listed plays not stored (e.g. {missing[0]})")
    if moved := [
        i
        for i in listed
        if i in plays and (plays[i].get("local_day"), plays[i].get("user_id")) != (day, user)
    ]:
        problems.append(f"{len(moved)} listed plays belong to another day/user (e.g. {moved[0]})")
    if unlisted := sorted(on_day - set(listed)):
        problems.append(f"{len(unlisted)} plays of the day not listed (e.g. {unlisted[0]})")
    if len(set(listed)) != len(listed):
        problems.append("play_ids lists a play twice")
    fresh = recompute_day([plays[i] for i in dict.fromkeys(listed) if i in plays])
    problems += differences(total, fresh)
    rows = gold.entity_rows(tracks)
    by_track = {f: sum(r.get(f) or 0 for r in rows) for f in ROW_COUNTS}
    if diff := differences(by_track, {f: total.get(f) for f in ROW_COUNTS}):
        problems.append("track rows sum: " + ", ".join(diff))
    series = ((month or {}).get("series") or {}).get(day)
    if series is None:
        problems.append("missing from its month's series")
    elif diff := differences(series, {f: total.get(f) for f in COUNTS}):
        problems.append("month series: " + ", ".join(diff))
    return problems


def rollups_match_plays(db: Any, sample: int = 20) -> dict[str, Any]:
    """The most recent `sample` user-days (with streams): each day total equals a recomputation from
    the plays its `play_ids` list, those are exactly the stored plays of that user and local day,
    the day's track rows add up to it, and its month's `series` holds the same counts.

    Reads by `_id` except one query for the plays of the sampled user-days by local_day (the
    independent side of the comparison: FerretDB scans `plays` once for it)."""
    pairs = sample_days(db, sample)
    if not pairs:
        return {"checked": 0, "plays": 0}
    totals = {
        (d["user_id"], d["period"]): d
        for d in find_ids(db, Coll.ROLLUP_TOTALS, [gold.period_id(u, "day", day) for u, day in pairs])
    }
    ids = {i for d in totals.values() for i in d.get("play_ids") or []}
    plays = {p["_id"]: p for p in find_ids(db, Coll.PLAYS, ids, PLAY_FIELDS)}
    on_day: dict[tuple[str, str], set[str]] = {}
    users, days = sorted({u for u, _ in pairs}), sorted({d for _, d in pairs})
    for p in db[Coll.PLAYS.value].find({"user_id": {"$in": users}, "local_day": {"$in": days}}, PLAY_FIELDS):
        on_day.setdefault((p["user_id"], p["local_day"]), set()).add(p["_id"])
        plays.setdefault(p["_id"], p)
    tracks: dict[tuple[str, str], list[Doc]] = {}
    for d in gold.entity_row_docs(db, [gold.head_id(u, "day", day, "track") for u, day in pairs]):
        tracks.setdefault((d["user_id"], d["period"]), []).append(d)
    months = {
        (d["user_id"], d["period"]): d
        for d in find_ids(
            db,
            Coll.ROLLUP_TOTALS,
            {gold.period_id(u, "month", day[:7]) for u, day in pairs},
            {"series": 1, "user_id": 1, "period": 1},
        )
    }
    bad = []
    for user, day in pairs:
        problems = day_problems(
            user,
            day,
            totals.get((user, day)),
            plays,
            on_day.get((user, day), set()),
            tracks.get((user, day)),
            months.get((user, day[:7])),
        )
        if problems:
            bad.append(f"{user} {day}: " + "; ".join(problems))
    if bad:
        raise DataQualityError(
            f"{len(bad)} of {len(pairs)} sampled day rollups differ from plays: " + " | ".join(bad[:5])
        )
    return {"checked": len(pairs), "plays": len(ids)}


def catalog_coverage_ok(db: Any, minimum: float) -> dict[str, Any]:
    """Share of plays whose track has audio features ≥ `minimum` (passes when there are no plays)."""
    cov = coverage_of(db)
    if cov["share"] is not None and cov["share"] < minimum:
        raise DataQualityError(
            f"catalog covers {cov['share']:.1%} of plays, below EARSHOT_MIN_CATALOG_COVERAGE={minimum:.0%}: "
            "run the kaggle_backfill DAG (or `earshot catalog load`)"
        )
    return cov


def no_dead_letter_spike(
    db: Any,
    window_hours: int = 1,
    max_count: int = 100,
    max_ratio: float = 0.05,
    now: dt.datetime | None = None,
) -> dict[str, Any]:
    """Dead letters in the last window ≤ max(max_count, max_ratio × plays ended in that window)."""
    since = (now or dt.datetime.now(dt.UTC)) - dt.timedelta(hours=window_hours)
    dead = db.dead_letters.count_documents({"failed_at": {"$gte": since}})
    plays = db.plays.count_documents({"ended_at": {"$gte": since}})
    limit = max(max_count, int(max_ratio * plays))
    if dead > limit:
        stages = sorted(db.dead_letters.distinct("stage", {"failed_at": {"$gte": since}}))
        raise DataQualityError(
            f"dead-letter spike: {dead} in the last {window_hours} h (limit {limit}), "
            f"stages {', '.join(stages)}"
        )
    return {"dead_letters": dead, "limit": limit}


CHECKS: dict[str, Callable[[Any, Settings], dict[str, Any]]] = {
    "duplicates": lambda db, _: no_duplicate_plays(db),
    "rollups": lambda db, _: rollups_match_plays(db),
    "coverage": lambda db, settings: catalog_coverage_ok(db, settings.min_catalog_coverage),
    "dead_letters": lambda db, _: no_dead_letter_spike(db),
}


def run(check: str, settings: Settings) -> dict[str, Any]:
    """Run one check of CHECKS against the settings' database (the client is closed after)."""
    with mongo.client(settings) as client:
        return CHECKS[check](client[settings.mongo_db], settings)
