"""Heatmaps, streaks and stats, taste, sessions, the latest plays, now playing, playlists."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import streamlit as st

from core import gold
from core.collections import Coll
from streamlit_app.queries.client import TTL, Doc, by_ids, db, one


# --- habits ------------------------------------------------------------------------------------
@st.cache_data(ttl=TTL, show_spinner=False)
def heatmap(user_id: str, grain: str, period: str) -> Doc | None:
    return one(Coll.ROLLUP_HEATMAP, gold.period_id(user_id, grain, period))


@st.cache_data(ttl=TTL, show_spinner=False)
def user_stats(user_id: str) -> Doc | None:
    """Streaks and session averages, without `active_days` (a string per day ever played)."""
    return one(Coll.USER_STATS, user_id, {"active_days": 0})


@st.cache_data(ttl=TTL, show_spinner=False)
def taste_profile(user_id: str, grain: str = "all", period: str = "all") -> Doc | None:
    return one(Coll.TASTE_PROFILES, gold.period_id(user_id, grain, period))


@st.cache_data(ttl=TTL, show_spinner=False)
def lifetime(user_id: str) -> Doc | None:
    """The all-time totals without their series: first_played, last_played, sessions,
    session_minutes and the counts (cheaper than `user_stats`, whose `active_days` grows daily)."""
    proj = {"series": 0}
    return one(Coll.ROLLUP_TOTALS, gold.period_id(user_id, "all", "all"), proj)


def _latest_days(user_id: str, last: date, field: str, enough: Any, back: int = 400) -> list[Doc]:
    """Day totals (only `field`) from `last` backwards, newest first, read a few days at a time
    (days without plays have no document) until `enough(docs)` or `back` days."""
    docs: list[Doc] = []
    start, step = 0, 2
    while start < back:
        ids = [
            gold.period_id(user_id, "day", (last - timedelta(days=k)).isoformat())
            for k in range(start, start + step)
        ]
        found = by_ids(Coll.ROLLUP_TOTALS, ids, {field: 1})
        docs += [found[i] for i in ids if i in found]
        if enough(docs):
            break
        start, step = start + step, min(step * 2, 64)
    return docs


def _last_day(user_id: str, zone: str, cached: bool = True) -> date | None:
    doc = (
        lifetime(user_id)
        if cached
        else one(Coll.ROLLUP_TOTALS, gold.period_id(user_id, "all", "all"), {"last_played": 1})
    )
    last = (doc or {}).get("last_played")
    return last.astimezone(ZoneInfo(zone)).date() if last else None


@st.cache_data(ttl=TTL, show_spinner=False)
def sessions(user_id: str, zone: str, limit: int = 20) -> list[Doc]:
    """The latest listening sessions ({start, end, plays, streams, minutes}), newest first."""
    last = _last_day(user_id, zone)
    if last is None:
        return []
    enough = lambda ds: sum(len(d.get("session_list") or []) for d in ds) >= limit  # noqa: E731
    docs = _latest_days(user_id, last, "session_list", enough)
    listed = [s for d in docs for s in d.get("session_list") or []]
    return sorted(listed, key=lambda s: s["start"], reverse=True)[:limit]


# --- playlists ---------------------------------------------------------------------------------
def playlists(user_id: str) -> list[Doc]:
    return list(db()[Coll.PLAYLISTS.value].find({"user_id": user_id}).sort("name", 1))


def playlist(user_id: str, playlist_id: str) -> Doc | None:
    return one(Coll.PLAYLISTS, gold.playlist_id(user_id, playlist_id))


@st.cache_data(ttl=TTL, show_spinner=False)
def playlist_profile(user_id: str, playlist_id: str) -> Doc | None:
    return one(Coll.PLAYLIST_PROFILES, gold.playlist_id(user_id, playlist_id))


# --- live --------------------------------------------------------------------------------------
def now_playing(user_id: str) -> Doc | None:
    return one(Coll.NOW_PLAYING, user_id)


def latest_plays(user_id: str, zone: str, limit: int = 10) -> list[Doc]:
    """The newest plays: the play ids listed by the latest day totals, fetched by `_id` and
    sorted here. Not cached: the Live panel shows a play as soon as its day totals list it."""
    last = _last_day(user_id, zone, cached=False)
    if last is None:
        return []
    enough = lambda ds: sum(len(d.get("play_ids") or []) for d in ds) >= limit  # noqa: E731
    docs = _latest_days(user_id, last, "play_ids", enough)
    ids = [i for d in docs for i in reversed(d.get("play_ids") or [])][:limit]  # listed by time
    plays = by_ids(Coll.PLAYS, ids, {"records": 0, "features": 0}).values()
    return sorted(plays, key=lambda p: p["ended_at"], reverse=True)[:limit]
