"""Overview: music totals for a period with the change against the previous one (podcasts and
audiobooks as their own figures), and streams over time."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from streamlit_app import charts, logic, ui
from streamlit_app import queries as q
from streamlit_app.period_picker import keys as period_keys
from streamlit_app.period_picker import pick
from streamlit_app.periods import previous, series_keys, week_of

st.title("Overview")
user = ui.select_user()


def _delta(cur: float, prev: float) -> str | None:
    pct = logic.change(cur, prev)
    return None if pct is None else f"{pct:+.1f}% vs previous"


if user:
    uid = user["_id"]
    period = pick(user, "overview")
    prev = previous(period)
    cur_keys, prev_keys = period_keys(user, period), period_keys(user, prev)
    found = q.totals(uid, cur_keys + prev_keys)
    cur = logic.sum_totals(found[k] for k in cur_keys if k in found)
    before = logic.sum_totals(found[k] for k in prev_keys if k in found)
    st.caption(f"{period.start} – {period.end} (previous: {prev.start} – {prev.end})")
    c1, c2, c3 = st.columns(3)
    c1.metric("Streams", f"{cur['streams']:,}", _delta(cur["streams"], before["streams"]))
    c2.metric("Minutes", ui.minutes(cur["minutes"]), _delta(cur["minutes"], before["minutes"]))
    skip = cur["skips"] / cur["plays"] * 100 if cur["plays"] else 0.0
    c3.metric("Skip rate", f"{skip:.1f}%")
    ui.other_figures(cur, before)
    if not cur["plays"] and not cur["other"]:
        ui.empty(
            "No plays in this period. Pick a longer one, start the demo listener with "
            "`earshot run`, or import your export on the Import page."
        )
    else:
        by = st.radio(
            "By",
            ["day", "week", "month"],
            horizontal=True,
            index=2 if period.days > 92 else 0,
            key="overview-by",
        )
        keys = series_keys(period.start, period.end, by)
        series = q.totals(uid, tuple(keys))
        frame = pd.DataFrame(
            [
                {
                    "period": p,
                    "streams": series.get((g, p), {}).get("streams", 0),
                    "minutes": series.get((g, p), {}).get("minutes", 0.0),
                }
                for g, p in keys
            ]
        )
        if by == "week":
            frame = frame.assign(period=frame["period"].map(week_of)).groupby("period", as_index=False).sum()
        measure = st.radio("Measure", ["streams", "minutes"], horizontal=True, key="overview-measure")
        st.altair_chart(charts.over_time(frame, measure), width="stretch")
        st.caption("Download these numbers")
        ui.downloads(frame, f"earshot-{uid}-{period.start}-{period.end}", "overview")
