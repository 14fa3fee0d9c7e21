"""Habits: hour × weekday heatmap, calendar heatmap, streaks, sessions, skip rate, platforms."""

from __future__ import annotations

from datetime import timedelta

import pandas as pd
import streamlit as st

from streamlit_app import charts, logic, ui
from streamlit_app import queries as q
from streamlit_app.periods import series_keys
from streamlit_app.platforms import grouped

st.title("Habits")
user = ui.select_user()

if user:
    uid = user["_id"]
    stats = q.user_stats(uid)
    if not stats:
        ui.empty(
            "No habits yet: they appear once plays arrive. Run `earshot run` for the demo "
            "listener, or import your export on the Import page."
        )
    else:
        last = (q.lifetime(uid) or {}).get("last_played")
        last_day = last.astimezone(ui.zone(user)).date() if last else None
        current = logic.current_streak(stats.get("current_streak", 0), last_day, ui.today(user))
        c = st.columns(4)
        c[0].metric("Current streak", f"{current} days")
        c[1].metric("Longest streak", f"{stats.get('longest_streak', 0)} days")
        c[2].metric("Sessions", f"{stats.get('sessions', 0):,}")
        c[3].metric("Avg session", f"{stats.get('avg_session_minutes', 0):.0f} min")
        if stats.get("longest_streak_start"):
            st.caption(f"Longest streak: {stats['longest_streak_start']} → {stats.get('longest_streak_end')}")
        lifetime = q.totals(uid, (("all", "all"),)).get(("all", "all"), {})
        skip = lifetime.get("skips", 0) / lifetime["plays"] * 100 if lifetime.get("plays") else 0.0
        st.metric("Skip rate (all time)", f"{skip:.1f}%")

        st.subheader("When you listen")
        heat = q.heatmap(uid, "all", "all")
        if heat and heat.get("cells"):
            st.altair_chart(charts.hour_weekday(heat["cells"]), width="stretch")
        else:
            st.caption("No hour × weekday data yet.")

        st.subheader("Last 365 days")
        end = ui.today(user)
        keys = series_keys(end - timedelta(days=364), end, "day")
        days = q.totals(uid, tuple(keys))
        cal = pd.DataFrame(
            [{"period": p, "streams": days.get((g, p), {}).get("streams", 0)} for g, p in keys]
        )
        st.altair_chart(charts.calendar(cal), width="stretch")

        st.subheader("Latest sessions")
        zone = ui.zone(user)
        latest = q.sessions(uid, str(zone), 5)
        if latest:
            st.dataframe(
                pd.DataFrame(
                    [
                        {
                            "start": s["start"].astimezone(zone).strftime("%Y-%m-%d %H:%M"),
                            "end": s["end"].astimezone(zone).strftime("%H:%M"),
                            "plays": s["plays"],
                            "streams": s["streams"],
                            "minutes": round(s["minutes"]),
                        }
                        for s in latest
                    ]
                ),
                hide_index=True,
            )

        st.subheader("Platforms")
        platforms = q.ranked(uid, (("all", "all"),), "platform", limit=1000)[1]
        if platforms:  # raw strings ("Android OS 11 API 30 (…)") under their platform
            st.dataframe(pd.DataFrame(grouped(platforms)), hide_index=True)
        else:
            st.caption("No platform information (the demo and the API do not report it; exports do).")
