"""Listener milestones from the rollups the Spark job writes: pure rules plus one scan.

- the N-thousandth stream (user_stats total_streams: music only; step `milestone_streams_step`),
- a new #1 artist this month (`top[0]` of the month's artist document in rollup_entities, read by
  `_id`, month in the user's own time zone),
- a listening-streak record (streaks recomputed from user_stats active_days as of the user's
  today: the longest streak while the current one holds it).

The scan reads the small `users` and `user_stats` collections (one document per user) and one
entity document per user by `_id` — never a filter over the gold collections, which FerretDB v1
would answer with a full collection scan.

Each milestone has a deterministic id (user + what + value), so it is notified exactly once
however often the scan runs, restarts, or replays.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pymongo.database import Database

from consumer.notify import Notification
from core import gold
from core.collections import Coll
from core.events import stable_id
from core.mongo import find_ids
from pipeline.sessions import local_today, streaks

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


def valid_zone(time_zone: str) -> str:
    """The zone name when it is a known IANA zone, else 'UTC'."""
    try:
        ZoneInfo(time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        return "UTC"
    return time_zone


def month_of(now: datetime, time_zone: str) -> str:
    return now.astimezone(ZoneInfo(valid_zone(time_zone))).strftime("%Y-%m")


def current_streaks(stats: dict[str, Any], now: datetime, time_zone: str) -> dict[str, Any]:
    """Current and longest streak from the stored active days, as of the user's local today
    (the stored current_streak is as of the last write, which may be days old)."""
    return streaks(list(stats.get("active_days") or []), local_today(valid_zone(time_zone), now))


def streams_note(user: str, reached: int) -> Notification:
    return Notification(
        stable_id("milestone", "streams", user, reached),
        "milestone",
        "info",
        f"{reached:,} streams!",
        f"You just passed {reached:,} music streams (podcasts and audiobooks count apart). Keep going.",
        user_id=user,
    )


def top_artist_note(user: str, month: str, artist: dict[str, Any]) -> Notification:
    name = artist.get("name") or artist.get("key")
    return Notification(
        stable_id("milestone", "top_artist", user, month, artist.get("key")),
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
    stats_by_user = {
        str(s["_id"]): s for s in db[Coll.USER_STATS.value].find({}, {"total_streams": 1, "active_days": 1})
    }
    for user, stats in sorted(stats_by_user.items()):
        reached = streams_reached(int(stats.get("total_streams") or 0), step)
        if reached:
            notes.append(streams_note(user, reached))
    month_ids = {
        gold.head_id(user, "month", month_of(now, zones.get(user, default_zone)), "artist"): user
        for user in stats_by_user
    }
    for doc in find_ids(db, Coll.ROLLUP_ENTITIES, month_ids, {"period": 1, "top": 1}):
        top = next(iter(gold.unpack_rows(doc.get("top"))), None)
        if top and int(top.get("streams") or 0) >= MIN_TOP_ARTIST_STREAMS:
            notes.append(top_artist_note(month_ids[doc["_id"]], doc["period"], top))
    for user, stats in sorted(stats_by_user.items()):
        days = streak_record(current_streaks(stats, now, zones.get(user, default_zone)))
        if days:
            notes.append(streak_note(user, days))
    return notes
