"""Shared page pieces: the user selector, empty states, local dates, Spotify links, downloads."""

from __future__ import annotations

import io
import json
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd
import streamlit as st

from core.events import utc_now
from core.settings import get_settings
from core.spotify_ids import track_url
from streamlit_app import auth
from streamlit_app import queries as q

NO_USERS = (
    "No listening data yet. Run `earshot run` to start the demo listener, or import your "
    "Spotify export on the **Import** page."
)
NO_LISTENER = (
    "Account **{name}** owns no listener with data yet. Import your Spotify export on the "
    "**Import** page, or ask an admin to link your listener (`earshot user add … --owns USER_ID`)."
)


def select_user() -> dict[str, Any] | None:
    """Sidebar selector over the listeners the signed-in account may see (the sign-in form and a
    stop when nobody is signed in); None (with a hint) when there are none. `?user=ID` preselects
    a listener, but only one the account may see: neither it nor crafted widget state widens it."""
    account = auth.require_account()
    try:
        users = [u for u in q.users() if account.may_see(u["_id"])]
        known = {u["_id"] for u in users}  # an owned listener without data yet can still import
        users += [{"_id": uid} for uid in account.owns if uid not in known and not account.admin]
    except Exception as exc:  # server down: one clear line, never a stack trace
        st.error(
            f"Cannot reach the database at {get_settings().mongo_url}: {type(exc).__name__}. "
            "Start it with `earshot stack up`."
        )
        return None
    if not users:
        st.info(NO_USERS if account.admin else NO_LISTENER.format(name=account.name))
        return None
    ids = [u["_id"] for u in users]
    asked = st.query_params.get("user")
    chosen = asked if asked in ids else st.session_state.get("user_id")
    index = ids.index(chosen) if chosen in ids else 0
    if st.session_state.get("user_pick") not in ids:
        st.session_state.pop("user_pick", None)
    label = {
        u["_id"]: (u.get("display_name") or u["_id"]) + (" (demo data)" if u.get("demo") else "")
        for u in users
    }
    user_id = st.sidebar.selectbox("User", ids, index=index, format_func=label.__getitem__, key="user_pick")
    auth.check(user_id)
    st.session_state["user_id"] = user_id
    st.query_params["user"] = user_id  # with the period (period_picker): a page's URL is shareable
    doc = next(u for u in users if u["_id"] == user_id)
    if doc.get("demo"):
        st.sidebar.caption(":orange-badge[demo data] simulated listening, not a real account")
    return doc


def zone(user: dict[str, Any]) -> ZoneInfo:
    return ZoneInfo(user.get("time_zone") or get_settings().default_time_zone)


def today(user: dict[str, Any], now: datetime | None = None) -> date:
    return (now or utc_now()).astimezone(zone(user)).date()


def empty(message: str) -> None:
    st.info(message)


def minutes(value: float) -> str:
    return f"{value:,.0f}"


def spotify_link(track_id: object) -> str:
    """A Markdown link to the track on Spotify for `st.table` cells ('' when no id is known)."""
    url = track_url(track_id)
    return f"[Open ↗]({url})" if url else ""


def other_figures(cur: dict[str, Any], before: dict[str, Any] | None = None) -> None:
    """Podcasts, audiobooks and videos beside the music totals: one row of metrics per kind."""
    from streamlit_app.logic import change, other_figures

    shown = other_figures(cur)
    if not shown:
        return
    st.caption("The figures above are music; podcasts and audiobooks are counted apart.")
    for kind, label, counts in shown:
        prev = ((before or {}).get("other") or {}).get(kind) or {}
        pct = change(counts["minutes"], prev.get("minutes", 0.0)) if before is not None else None
        c1, c2 = st.columns(2)
        c1.metric(f"{label}: plays", f"{counts['plays']:,}")
        delta = None if pct is None else f"{pct:+.1f}% vs previous"
        c2.metric(f"{label}: minutes", minutes(counts["minutes"]), delta)


def downloads(frame: pd.DataFrame, name: str, key: str) -> None:
    """CSV / JSON / Parquet download buttons for one table."""
    if frame.empty:
        return
    cols = st.columns(3)
    cols[0].download_button("CSV", frame.to_csv(index=False), f"{name}.csv", "text/csv", key=f"{key}-csv")
    records = json.dumps(frame.to_dict(orient="records"), default=str, indent=1)
    cols[1].download_button("JSON", records, f"{name}.json", "application/json", key=f"{key}-json")
    buf = io.BytesIO()
    frame.astype({c: "string" for c in frame.columns if frame[c].dtype == object}).to_parquet(
        buf, index=False
    )
    cols[2].download_button(
        "Parquet", buf.getvalue(), f"{name}.parquet", "application/octet-stream", key=f"{key}-parquet"
    )
