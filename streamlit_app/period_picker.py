"""The period picker shared by Overview, Top and Wrapped: presets or a custom range.

The period is in the URL (`?period=this-month`, `?period=2024-01-01..2024-03-31`, also `2024-05`
or `2024`), so a page can be bookmarked, reloaded and shared as it was. Without one, a page opens
on its default preset, or — when that has no plays but the user has some (an imported history
that ended last year) — on the latest month (Wrapped: year) with plays, and says so.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import streamlit as st

from streamlit_app import queries as q
from streamlit_app import ui
from streamlit_app.periods import PRESETS, Period, cover, from_param, latest_with_plays, preset, to_param


def first_day(user: dict[str, Any]) -> date | None:
    first = (q.lifetime(user["_id"]) or {}).get("first_played")
    return first.astimezone(ui.zone(user)).date() if first else None


def last_day(user: dict[str, Any]) -> date | None:
    last = (q.lifetime(user["_id"]) or {}).get("last_played")
    return last.astimezone(ui.zone(user)).date() if last else None


def has_plays(user: dict[str, Any], period: Period) -> bool:
    found = q.totals(user["_id"], keys(user, period))
    return any(v.get("plays") or v.get("other") for v in found.values())


def _opening(user: dict[str, Any], default: str) -> tuple[str, tuple[date, date] | None, str]:
    """(preset or 'custom', its range, a note to show) the page opens on."""
    asked = from_param(st.query_params.get("period"))
    if asked is not None:
        return asked[0], asked[1], ""
    today, last = ui.today(user), last_day(user)
    if last is None or has_plays(user, preset(default, today, first_day(user))):
        return default, None, ""
    latest = latest_with_plays(default, last)
    note = f"No plays {default}: showing {latest.label}, the latest with plays."
    return "custom", (latest.start, latest.end), note


def pick(user: dict[str, Any], key: str, default: str = "this month") -> Period:
    today = ui.today(user)
    preset_key, range_key, owner = f"{key}-preset", f"{key}-range", f"{key}-user"
    if st.session_state.get(owner) != user["_id"]:  # first run for this user: URL or default
        if owner in st.session_state or preset_key not in st.session_state:
            choice, span, note = _opening(user, default)
            st.session_state[preset_key] = choice
        else:  # a choice made before the page first ran (a test, a link within the app)
            span, note = None, ""
        st.session_state[owner] = user["_id"]
        st.session_state[range_key] = span or (today.replace(day=1), today)
        st.session_state[f"{key}-note"] = (note, span)
    choice = st.segmented_control("Period", [*PRESETS, "custom"], key=preset_key) or default
    if choice == "custom":
        picked = st.date_input("Range", key=range_key)
        start, end = st.session_state[f"{key}-note"][1] or (today.replace(day=1), today)
        if isinstance(picked, tuple) and len(picked) == 2:
            start, end = picked
        period = Period(start, end, f"{start} – {end}")
    else:
        period = preset(choice, today, first_day(user))
    note, span = st.session_state[f"{key}-note"]
    if note and choice == "custom" and (period.start, period.end) == span:
        st.info(note, icon=":material/history:")
    st.query_params["period"] = to_param(choice, period)
    return period


def keys(user: dict[str, Any], period: Period) -> tuple[tuple[str, str], ...]:
    """The rollup keys of a period: the all-time document when it holds every play."""
    return tuple(cover(period.start, period.end, first_day(user), ui.today(user)))
