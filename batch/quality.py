"""Data-quality checks that fail loudly (raise `DataQualityError`) — run by the data_quality DAG.

    from batch import quality
    quality.no_duplicate_plays(db); quality.rollups_match_plays(db)
    quality.catalog_coverage_ok(db, settings.min_catalog_coverage); quality.no_dead_letter_spike(db)

Each returns a small dict of what it measured when the check passes.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from batch.coverage import coverage_of


class DataQualityError(AssertionError):
    """A data-quality check failed; the message says what and how much."""


def no_duplicate_plays(db: Any) -> dict[str, Any]:
    """No two plays share (user_id, track_id, ended_at)."""
    groups = db.plays.aggregate(
        [
            {"$group": {"_id": {"u": "$user_id", "t": "$track_id", "e": "$ended_at"}, "n": {"$sum": 1}}},
            {"$match": {"n": {"$gt": 1}}},
        ]
    )
    dupes = list(groups)
    if dupes:
        sample = ", ".join(f"{d['_id']['u']}/{d['_id']['t']}@{d['_id']['e']}×{d['n']}" for d in dupes[:5])
        raise DataQualityError(f"{len(dupes)} duplicated plays (user+track+ended_at), e.g. {sample}")
    return {"duplicates": 0, "plays": db.plays.count_documents({})}


def recompute_day(db: Any, user_id: str, day: str) -> dict[str, Any]:
    streams = plays = 0
    minutes = 0.0
    for p in db.plays.find({"user_id": user_id, "local_day": day}, {"counted": 1, "minutes": 1}):
        plays += 1
        streams += int(bool(p.get("counted")))
        minutes += float(p.get("minutes") or 0.0)
    return {"streams": streams, "plays": plays, "minutes": minutes}


def rollups_match_plays(db: Any, sample: int = 20) -> dict[str, Any]:
    """Day totals of the most recent `sample` user-days equal a recomputation from plays."""
    docs = list(db.rollup_totals.find({"grain": "day"}).sort("period", -1).limit(sample))
    bad = []
    for doc in docs:
        fresh = recompute_day(db, doc["user_id"], doc["period"])
        same = (
            fresh["streams"] == doc.get("streams")
            and fresh["plays"] == doc.get("plays")
            and math.isclose(fresh["minutes"], doc.get("minutes", 0.0), rel_tol=1e-6, abs_tol=1e-6)
        )
        if not same:
            bad.append(
                f"{doc['user_id']} {doc['period']}: rollup {doc.get('streams')}/{doc.get('plays')}/"
                f"{doc.get('minutes')} vs plays {fresh['streams']}/{fresh['plays']}/{fresh['minutes']:.3f}"
            )
    if bad:
        raise DataQualityError(
            f"{len(bad)} of {len(docs)} sampled day rollups differ from plays: " + "; ".join(bad[:5])
        )
    return {"checked": len(docs)}


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
