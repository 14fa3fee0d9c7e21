"""Live: now playing with progress, today so far, the latest plays (refreshes every 2 s)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from consumer.now_playing import current
from core.events import utc_now
from core.settings import get_settings
from streamlit_app import auth, ui
from streamlit_app import queries as q

st.title("Live")
user = ui.select_user()


def _mmss(ms: int | None) -> str:
    return "–" if ms is None else f"{ms // 60000}:{ms // 1000 % 60:02d}"


@st.fragment(run_every=2)
def live_panel(user_id: str) -> None:
    auth.recheck(user_id)
    now = utc_now()
    state = current(q.now_playing(user_id), now, get_settings().now_playing_stale_seconds)
    st.subheader("Now playing")
    if state is None:
        st.caption("Nothing playing right now.")
    else:
        artists = ", ".join(state.artist_names)
        verb = "Playing" if state.is_playing else "Paused"
        st.markdown(f"**{verb}: {state.track_name or 'unknown'}** — {artists}")
        if state.duration_ms:
            share = min(1.0, (state.progress_ms or 0) / state.duration_ms)
            st.progress(share, text=f"{_mmss(state.progress_ms)} / {_mmss(state.duration_ms)}")
        if state.device_name:
            st.caption(f"on {state.device_name}")

    today = ui.today(user, now)
    day = today.isoformat()
    st.subheader(f"Today so far ({day})")
    tot = q.totals(user_id, (("day", day),)).get(("day", day), {})
    c1, c2, c3 = st.columns(3)
    c1.metric("Streams today", f"{tot.get('streams', 0):,}")
    c2.metric("Minutes today", ui.minutes(tot.get("minutes", 0.0)))
    best = next(iter(q.top(user_id, "day", day, "artist")), None)  # ranked by streams
    c3.metric("Top artist today", best["name"] if best and best.get("streams") else "–")

    st.subheader("Latest plays")
    plays = q.latest_plays(user_id, str(ui.zone(user)), 10)
    if not plays:
        st.caption("No plays yet. Start the demo listener with `earshot run`, or import your export.")
        return
    zone = ui.zone(user)
    frame = pd.DataFrame(
        [
            {
                "ended": p["ended_at"].astimezone(zone).strftime("%Y-%m-%d %H:%M:%S"),
                "track": p.get("track_name"),
                "artist": ", ".join(p.get("artist_names") or []),
                "seconds": round((p.get("ms_played") or 0) / 1000),
                "stream": bool(p.get("counted")),
                "Spotify": ui.spotify_link(p.get("track_id")),
            }
            for p in plays
        ]
    )
    st.table(frame.set_index("ended"))


if user:
    live_panel(user["_id"])
