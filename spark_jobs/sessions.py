"""Listening sessions and streaks (pure Python) plus their refresh against MongoDB.

A session is a run of plays whose gaps (next start − previous end) are ≤ `gap_minutes`; a play
starts at ended_at − ms_played. A streak is a run of consecutive local days with ≥ 1 stream.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from pymongo.database import Database

from core.collections import Coll, rollup_id
from core.events import utc_now


def build_sessions(user_id: str, plays: list[dict[str, Any]], gap_minutes: int) -> list[dict[str, Any]]:
    gap = timedelta(minutes=gap_minutes)
    out: list[dict[str, Any]] = []
    for play in sorted(plays, key=lambda p: p["ended_at"]):
        start = play["ended_at"] - timedelta(milliseconds=play["ms_played"])
        if out and start - out[-1]["end"] <= gap:
            current = out[-1]
            current["end"] = max(current["end"], play["ended_at"])
        else:
            current = {
                "user_id": user_id,
                "start": start,
                "end": play["ended_at"],
                "plays": 0,
                "streams": 0,
                "minutes": 0.0,
            }
            out.append(current)
        current["plays"] += 1
        current["streams"] += int(play["counted"])
        current["minutes"] += play["ms_played"] / 60000.0
    for session in out:
        session["_id"] = rollup_id(user_id, session["start"].isoformat())
    return out


def streaks(days: list[str], today: date) -> dict[str, Any]:
    """Current and longest run of consecutive days (ISO strings of days with streams)."""
    ordered = sorted({date.fromisoformat(d) for d in days})
    best = (0, None, None)
    run_start, previous, length = None, None, 0
    for day in ordered:
        if previous is not None and day - previous == timedelta(days=1):
            length += 1
        else:
            run_start, length = day, 1
        if length > best[0]:
            best = (length, run_start, day)
        previous = day
    current = length if previous is not None and (today - previous).days <= 1 else 0
    return {
        "current_streak": current,
        "longest_streak": best[0],
        "longest_streak_start": best[1].isoformat() if best[1] else None,
        "longest_streak_end": best[2].isoformat() if best[2] else None,
    }


def refresh_sessions(
    db: Database[dict[str, Any]], user_id: str, changed: list[dict[str, Any]], gap_minutes: int
) -> None:
    """Rebuild the sessions around changed plays (old and new versions) from the stored plays."""
    if not changed:
        return
    gap = timedelta(minutes=gap_minutes)
    low = min(p["ended_at"] - timedelta(milliseconds=p["ms_played"]) for p in changed) - gap
    high = max(p["ended_at"] for p in changed) + gap
    sessions = db[Coll.SESSIONS.value]
    for old in sessions.find(
        {"user_id": user_id, "end": {"$gte": low}, "start": {"$lte": high}}, {"start": 1, "end": 1}
    ):
        low, high = min(low, old["start"]), max(high, old["end"])
    plays = list(
        db[Coll.PLAYS.value].find(
            {"user_id": user_id, "ended_at": {"$gte": low, "$lte": high}},
            {"ended_at": 1, "ms_played": 1, "counted": 1},
        )
    )
    sessions.delete_many({"user_id": user_id, "start": {"$gte": low, "$lte": high}})
    fresh = build_sessions(user_id, plays, gap_minutes)
    if fresh:
        sessions.insert_many(fresh, ordered=False)


def refresh_user_stats(db: Database[dict[str, Any]], user_id: str, today: date) -> None:
    totals = db[Coll.ROLLUP_TOTALS.value]
    days = [
        d["period"]
        for d in totals.find({"user_id": user_id, "grain": "day", "streams": {"$gt": 0}}, {"period": 1})
    ]
    all_time = totals.find_one({"_id": rollup_id(user_id, "all", "all")}) or {}
    minutes = [s["minutes"] for s in db[Coll.SESSIONS.value].find({"user_id": user_id}, {"minutes": 1})]
    plays = db[Coll.PLAYS.value]
    first = plays.find_one({"user_id": user_id}, {"ended_at": 1}, sort=[("ended_at", 1)])
    last = plays.find_one({"user_id": user_id}, {"ended_at": 1}, sort=[("ended_at", -1)])
    doc = {
        "_id": user_id,
        **streaks(days, today),
        "sessions": len(minutes),
        "avg_session_minutes": sum(minutes) / len(minutes) if minutes else 0.0,
        "first_played": first["ended_at"] if first else None,
        "last_played": last["ended_at"] if last else None,
        "total_streams": all_time.get("streams", 0),
        "total_minutes": all_time.get("minutes", 0.0),
        "updated_at": utc_now(),
    }
    stats = db[Coll.USER_STATS.value]
    stats.delete_one({"_id": user_id})
    stats.insert_one(doc)


def local_today(zone: str, now: datetime | None = None) -> date:
    from zoneinfo import ZoneInfo

    return (now or utc_now()).astimezone(ZoneInfo(zone)).date()
