"""Re-enrich stored plays from the current catalog and rebuild every rollup for a user/range.

Used after a catalog backfill (Kaggle), a time-zone or threshold change, or to repair rollups:

    from pipeline.reprocess import reprocess
    reprocess(settings, user_id="alice", start=date(2016, 1, 1), end=date(2016, 12, 31))

    earshot spark reprocess --user alice --start 2016-01-01 --end 2016-12-31

Idempotent: it rewrites absolute values. With a changed zone, buckets of the old zone's days are
removed and the new ones written, so totals stay the same. Runs in plain Python against MongoDB
(`spark` is accepted for API symmetry and not needed: the work is a few MongoDB reads per day).
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from core import mongo
from core.collections import Coll
from core.settings import Settings
from pipeline.enrich import source_records
from pipeline.store import JobConfig, build_plays, store_plays, user_rules

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
