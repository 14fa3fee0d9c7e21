"""Settings: the household's users, time zone, stream threshold, Spotify connection, accounts."""

from __future__ import annotations

from zoneinfo import available_timezones

import streamlit as st

from core.settings import get_settings
from streamlit_app import account_admin, auth, commands, ui
from streamlit_app import queries as q

st.title("Settings")
settings = get_settings()
user = ui.select_user()
ZONES = sorted(available_timezones())

if user:
    uid = user["_id"]
    with st.form("user-settings"):
        name = st.text_input("Display name", user.get("display_name") or uid)
        tz = user.get("time_zone") or settings.default_time_zone
        zone = st.selectbox("Time zone", ZONES, index=ZONES.index(tz) if tz in ZONES else 0, key="tz")
        threshold = st.number_input(
            "A play counts as a stream after (seconds)",
            0,
            600,
            int((user.get("stream_threshold_ms") or settings.stream_threshold_ms) / 1000),
        )
        if st.form_submit_button("Save"):
            q.save_user(
                uid, {"display_name": name, "time_zone": zone, "stream_threshold_ms": threshold * 1000}
            )
            st.success("Saved. Rollups use the new time zone and threshold for plays from now on.")

    st.subheader("Spotify")
    spotify = user.get("spotify") or {}
    status = spotify.get("status", "not_connected")
    st.write(
        f"Status: **{status.replace('_', ' ')}**"
        + (f" — {spotify['message']}" if spotify.get("message") else "")
    )
    if not settings.spotify_client_id:
        st.caption(
            "Set SPOTIFY_CLIENT_ID and SPOTIFY_CLIENT_SECRET in .env, with the redirect URI "
            f"{settings.spotify_redirect_uri} registered in your Spotify app, then run "
            f"`earshot connect --user {uid}` (it opens the OAuth page on 127.0.0.1)."
        )
    else:
        st.caption(
            f"Connect or reconnect with `earshot connect --user {uid}` "
            f"(redirect {settings.spotify_redirect_uri})."
        )
    if status == "connected" and st.button("Poll Spotify now") and commands.request(uid, "poll_now"):
        st.success("Requested: the poller reads your recent plays now instead of at its next interval.")

account = auth.current()
if account and account.admin:
    st.subheader("Users of this household")
    with st.form("add-user"):
        new_id = st.text_input("New user id", placeholder="alice")
        if st.form_submit_button("Add user") and new_id.strip():
            q.save_user(
                new_id.strip(),
                {"display_name": new_id.strip(), "time_zone": settings.default_time_zone, "demo": False},
            )
            st.success(f"Added {new_id.strip()}.")
if account:
    account_admin.render(account, [u["_id"] for u in q.users()])
