"""Weekly listening digest per user, from the day rollups, into `notifications` (+ webhook).

Reads the week's 7 day totals and 7 day artist documents of each user by `_id`; the top artists
are the day rows merged (minutes summed per artist key).

    from batch.digest import weekly_digests
    weekly_digests(settings, week_end=date(2026, 11, 22))  # the 7 local days ending that day

The notification id is stable per (user, week), so rerunning a week replaces its digest.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from core import gold, mongo
from core.collections import Coll
from core.events import utc_now
from core.mongo import find_ids
from core.settings import Settings

log = logging.getLogger("earshot.batch.digest")


def week_days(week_end: dt.date) -> list[str]:
    return [(week_end - dt.timedelta(days=i)).isoformat() for i in range(6, -1, -1)]


def top_artists(day_docs: list[dict[str, Any]], top: int = 3) -> list[tuple[str, float]]:
    """The week's top artists by minutes from the day artist row documents (merged by key)."""
    minutes: dict[str, float] = {}
    names: dict[str, str] = {}
    for doc in day_docs:
        for row in gold.entity_rows(doc):
            minutes[row["key"]] = minutes.get(row["key"], 0.0) + float(row.get("minutes") or 0.0)
            names.setdefault(row["key"], row.get("name") or row["key"])
    ranked = sorted(minutes.items(), key=lambda kv: (-kv[1], names[kv[0]]))[:top]
    return [(names[key], m) for key, m in ranked]


def digest_for(db: Any, user_id: str, days: list[str], top: int = 3) -> dict[str, Any] | None:
    totals = find_ids(
        db,
        Coll.ROLLUP_TOTALS,
        [gold.period_id(user_id, "day", d) for d in days],
        {"streams": 1, "minutes": 1},
    )
    if not totals:
        return None
    streams = sum(t.get("streams", 0) for t in totals)
    minutes = sum(t.get("minutes", 0.0) for t in totals)
    artist_ids = [gold.head_id(user_id, "day", d, "artist") for d in days]
    best = top_artists(gold.entity_row_docs(db, artist_ids), top)
    tops = ", ".join(f"{name} ({m:.0f} min)" for name, m in best) or "—"
    return {
        "_id": gold.key("digest", user_id, days[0], days[-1]),
        "user_id": user_id,
        "kind": "digest",
        "severity": "info",
        "title": f"Your week {days[0]} – {days[-1]}: {minutes:.0f} minutes, {streams} streams",
        "body": f"{len(totals)} active days. Top artists: {tops}.",
        "created_at": utc_now(),
        "period": {"start": days[0], "end": days[-1]},
        "stats": {
            "streams": streams,
            "minutes": round(minutes, 2),
            "active_days": len(totals),
            "top_artists": [{"name": n, "minutes": round(m, 2)} for n, m in best],
        },
    }


def _post(settings: Settings, doc: dict[str, Any]) -> dict[str, Any]:
    if settings.webhook_url is None:
        return {"status": "disabled", "attempts": 0}
    from consumer.webhook import WebhookError, post, slack_payload

    try:
        post(
            settings.webhook_url.get_secret_value(),
            slack_payload(doc["title"], doc["body"], "info", "digest"),
        )
        return {"status": "sent", "attempts": 1}
    except WebhookError as exc:
        log.warning("digest webhook failed: %s", exc)  # the URL itself is never logged
        return {"status": "failed", "attempts": 1}


def weekly_digests(settings: Settings, week_end: dt.date | None = None) -> list[dict[str, Any]]:
    """One digest per user with listening in the week; returns the stored notifications."""
    days = week_days(week_end or (dt.date.today() - dt.timedelta(days=1)))
    out = []
    with mongo.client(settings) as client:
        db = client[settings.mongo_db]
        # user_stats holds one small document per user with plays: no scan of the gold layer
        users = sorted(str(u["_id"]) for u in db[Coll.USER_STATS.value].find({}, {"_id": 1}))
        for user_id in users:
            doc = digest_for(db, user_id, days)
            if doc is None:
                continue
            doc["webhook"] = _post(settings, doc)
            db.notifications.replace_one({"_id": doc["_id"]}, doc, upsert=True)
            out.append(doc)
    log.info("weekly digest %s..%s: %d users", days[0], days[-1], len(out))
    return out
