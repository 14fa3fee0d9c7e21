"""The period picker shared by Overview, Top and Wrapped: presets or a custom range."""

from __future__ import annotations

from datetime import date
from typing import Any

import streamlit as st

from streamlit_app import queries as q
from streamlit_app import ui
from streamlit_app.periods import PRESETS, Period, cover, preset


def first_day(user: dict[str, Any]) -> date | None:
    first = (q.lifetime(user["_id"]) or {}).get("first_played")
    return first.astimezone(ui.zone(user)).date() if first else None


def pick(user: dict[str, Any], key: str, default: str = "this month") -> Period:
    today = ui.today(user)
    choice = st.segmented_control("Period", [*PRESETS, "custom"], default=default, key=f"{key}-preset")
    if choice == "custom":
        start, end = today.replace(day=1), today
        picked = st.date_input("Range", (start, end), key=f"{key}-range")
        if isinstance(picked, tuple) and len(picked) == 2:
            start, end = picked
        return Period(start, end, f"{start} – {end}")
    return preset(choice or default, today, first_day(user))


def keys(user: dict[str, Any], period: Period) -> tuple[tuple[str, str], ...]:
    """The rollup keys of a period: the all-time document when it holds every play."""
    return tuple(cover(period.start, period.end, first_day(user), ui.today(user)))
