"""Listener milestones from the rollups the Spark job writes: pure rules plus one scan.

- the N-thousandth stream (rollup_totals grain 'all'; step `milestone_streams_step`),
- a new #1 artist this month (rollup_entities grain 'month', entity_type 'artist', by streams,
  in the user's own time zone),
- a listening-streak record (user_stats longest_streak while the current streak holds it).

Each milestone has a deterministic id (user + what + value), so it is notified exactly once
however often the scan runs, restarts, or replays.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pymongo.database import Database

from consumer.notify import Notification
from core.collections import Coll
from core.events import stable_id

MIN_STREAK_DAYS = 3
MIN_TOP_ARTIST_STREAMS = 5


def streams_reached(streams: int, step: int) -> int | None:
    """The highest multiple of `step` reached (None below the first)."""
    reached = (streams // step) * step
    return reached if reached >= step else None


def streak_record(stats: dict[str, Any], min_days: int = MIN_STREAK_DAYS) -> int | None:
    """The record length when the current streak is (tied with) the longest ever, else None."""
    longest, current = int(stats.get("longest_streak") or 0), int(stats.get("current_streak") or 0)
    return longest if longest >= min_days and current >= longest else None


def month_of(now: datetime, time_zone: str) -> str:
    try:
        zone = ZoneInfo(time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    return now.astimezone(zone).strftime("%Y-%m")


def streams_note(user: str, reached: int) -> Notification:
    return Notification(
        stable_id("milestone", "streams", user, reached),
        "milestone",
        "info",
        f"{reached:,} streams!",
        f"You just passed {reached:,} streams. Keep listening.",
        user_id=user,
    )


def top_artist_note(user: str, month: str, artist: dict[str, Any]) -> Notification:
    name = artist.get("name") or artist.get("entity_key")
    return Notification(
        stable_id("milestone", "top_artist", user, month, artist.get("entity_key")),
        "milestone",
        "info",
        f"New #1 artist this month: {name}",
        f"{name} is now your most-streamed artist of {month} ({int(artist.get('streams') or 0)} streams).",
        user_id=user,
    )


def streak_note(user: str, days: int) -> Notification:
    return Notification(
        stable_id("milestone", "streak", user, days),
        "milestone",
        "info",
        f"Streak record: {days} days in a row",
        f"You have listened every day for {days} days, your longest streak yet.",
        user_id=user,
    )


def scan(db: Database[dict[str, Any]], now: datetime, step: int, default_zone: str) -> list[Notification]:
    """Every milestone that currently holds (storing dedupes the ones already notified)."""
    zones = {
        u["_id"]: u.get("time_zone") or default_zone for u in db[Coll.USERS.value].find({}, {"time_zone": 1})
    }
    notes: list[Notification] = []
    users: set[str] = set()
    for total in db[Coll.ROLLUP_TOTALS.value].find({"grain": "all"}, {"user_id": 1, "streams": 1}):
        users.add(total["user_id"])
        reached = streams_reached(int(total.get("streams") or 0), step)
        if reached:
            notes.append(streams_note(total["user_id"], reached))
    for user in sorted(users):
        month = month_of(now, zones.get(user, default_zone))
        top = list(
            db[Coll.ROLLUP_ENTITIES.value]
            .find({"user_id": user, "grain": "month", "period": month, "entity_type": "artist"})
            .sort([("streams", -1), ("entity_key", 1)])
            .limit(1)
        )
        if top and int(top[0].get("streams") or 0) >= MIN_TOP_ARTIST_STREAMS:
            notes.append(top_artist_note(user, month, top[0]))
    for stats in db[Coll.USER_STATS.value].find({}, {"longest_streak": 1, "current_streak": 1}):
        days = streak_record(stats)
        if days:
            notes.append(streak_note(str(stats["_id"]), days))
    return notes
