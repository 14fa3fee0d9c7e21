"""Listening sessions and streaks (pure Python) plus the user_stats refresh.

A session is a run of plays whose gaps (next start − previous end) are ≤ `gap_minutes`; a play
starts at ended_at − ms_played. A streak is a run of consecutive local days with ≥ 1 stream.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from pymongo.database import Database

from core import gold
from core.collections import Coll
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
                "first_end": play["ended_at"],
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
        session["_id"] = gold.key(user_id, session["start"].isoformat())
    return out


def streaks(days: list[str], today: date) -> dict[str, Any]:
    """Current and longest run of consecutive days (ISO strings of days with streams)."""
    ordered = sorted({date.fromisoformat(d) for d in days})
    best: tuple[int, date | None, date | None] = (0, None, None)
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


def sessions_by_day(
    user_id: str, plays: list[dict[str, Any]], gap_minutes: int, zone: str
) -> dict[str, list[dict[str, Any]]]:
    """Sessions of `plays`, grouped by the local day (in `zone`) their first play ended on: the
    day they started, unless that play ran past midnight — the day they started then has no
    play, so no day document to hold them."""
    from zoneinfo import ZoneInfo

    tz = ZoneInfo(zone)
    out: dict[str, list[dict[str, Any]]] = {}
    for session in build_sessions(user_id, plays, gap_minutes):
        out.setdefault(session["first_end"].astimezone(tz).strftime("%Y-%m-%d"), []).append(session)
    return out


def refresh_user_stats(
    db: Database[dict[str, Any]],
    user_id: str,
    rebuilt: set[str],
    day_totals: list[dict[str, Any]],
    all_time: dict[str, Any] | None,
    zone: str,
) -> None:
    """user_stats from the stored active days (minus the rebuilt ones, plus their fresh state)
    and the all-time totals."""
    stats = db[Coll.USER_STATS.value]
    old = stats.find_one({"_id": user_id}, {"active_days": 1}) or {}
    active = {d for d in old.get("active_days", []) if d not in rebuilt}
    active |= {d["period"] for d in day_totals if d["grain"] == "day" and d["streams"] > 0}
    stats.replace_one({"_id": user_id}, user_stats_doc(user_id, active, all_time, zone), upsert=True)


def user_stats_doc(
    user_id: str, active: set[str], all_time: dict[str, Any] | None, zone: str
) -> dict[str, Any]:
    """The user_stats document of these active days and all-time totals."""
    total = all_time or {}
    sessions = total.get("sessions", 0)
    return {
        "_id": user_id,
        "active_days": sorted(active),
        **streaks(sorted(active), local_today(zone)),
        "sessions": sessions,
        "avg_session_minutes": total.get("session_minutes", 0.0) / sessions if sessions else 0.0,
        "first_played": total.get("first_played"),
        "last_played": total.get("last_played"),
        "total_streams": total.get("streams", 0),
        "total_minutes": total.get("minutes", 0.0),
        "updated_at": utc_now(),
    }


def local_today(zone: str, now: datetime | None = None) -> date:
    from zoneinfo import ZoneInfo

    return (now or utc_now()).astimezone(ZoneInfo(zone)).date()
