"""Playlists: connect one (link, URI or ID), follow the request, see its taste profile as a radar
with coverage, compare two playlists, and a playlist against what the user actually listens to."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core import gold
from producer.playlists import parse_playlist_ref
from streamlit_app import auth, charts, commands, logic, ui
from streamlit_app import queries as q

st.title("Playlists")
user = ui.select_user()


def connect_form(uid: str) -> None:
    with st.form("connect"):
        ref = st.text_input(
            "Playlist link, URI or ID", placeholder="https://open.spotify.com/playlist/37i9dQZF1DXcBWIGoYBM5M"
        )
        if not st.form_submit_button("Connect"):
            return
    try:
        playlist_id = parse_playlist_ref(ref)
    except ValueError as exc:
        st.error(f"Invalid playlist: {exc}")
        return
    if not commands.request(uid, "connect_playlist", {"playlist_id": playlist_id}):
        return
    st.session_state["pending_playlist"] = playlist_id
    st.success(f"Requested playlist {playlist_id}; its profile appears below when it is ready.")


@st.fragment(run_every=2)
def pending(uid: str, playlist_id: str) -> None:
    auth.recheck(uid)
    doc = q.playlist(uid, playlist_id)
    status = (doc or {}).get("status", "pending")
    if q.playlist_profile(uid, playlist_id) or status == "ready":
        st.success(f"Playlist {(doc or {}).get('name') or playlist_id} is ready.")
    elif status in ("forbidden", "not_found", "error"):
        st.error(f"Playlist {playlist_id}: {status.replace('_', ' ')} — {(doc or {}).get('message', '')}")
    else:
        st.info(f"Playlist {playlist_id}: {status}… (the producer fetches its tracks)")


def manage(uid: str, docs: list[dict], spotify_connected: bool) -> None:
    """Connect or disconnect a listed playlist; fetch the account's playlists from Spotify."""
    names = {d["playlist_id"]: d.get("name") or d["playlist_id"] for d in docs}
    cols = st.columns([3, 1, 2])
    chosen = cols[0].selectbox("Manage", list(names), format_func=names.__getitem__, key="pl-manage")
    doc = next(d for d in docs if d["playlist_id"] == chosen)
    action = "disconnect_playlist" if doc.get("connected") else "connect_playlist"
    label = "Disconnect" if doc.get("connected") else "Connect"
    if cols[1].button(label, key="pl-toggle") and commands.request(uid, action, {"playlist_id": chosen}):
        st.success(f"{label} requested for {names[chosen]}.")
    fetch = spotify_connected and cols[2].button("Fetch my Spotify playlists", key="pl-list")
    if fetch and commands.request(uid, "list_playlists"):
        st.success("Requested; your playlists appear in the list within a few seconds.")


def profile_view(uid: str, docs: list[dict]) -> None:
    names = {d["playlist_id"]: d.get("name") or d["playlist_id"] for d in docs}
    ids = list(names)
    first = st.selectbox("Playlist", ids, format_func=names.__getitem__, key="pl-first")
    prof = q.playlist_profile(uid, first)
    if not prof:
        st.info("Its profile is not computed yet (the Spark playlist job builds it once the tracks arrive).")
        return
    c = st.columns(3)
    c[0].metric("Tracks", f"{prof.get('tracks', 0):,}")
    c[1].metric(
        "Coverage", f"{prof.get('coverage', 0) * 100:.0f}%", help="share of tracks with known audio features"
    )
    means = logic.feature_means(prof)
    c[2].metric("Taste", logic.taste_label(means))
    series = {names[first]: means}
    mode = st.radio("Compare with", ["nothing", "another playlist", "my listening"], horizontal=True)
    if mode == "another playlist" and len(ids) > 1:
        other = st.selectbox("Second playlist", [i for i in ids if i != first], format_func=names.__getitem__)
        other_prof = q.playlist_profile(uid, other)
        if other_prof:
            series[names[other]] = logic.feature_means(other_prof)
    elif mode == "my listening":
        taste = q.taste_profile(uid)
        if taste:
            series["my listening"] = logic.feature_means(taste)
        else:
            st.caption("No taste profile of your listening yet.")
    if len(series) == 2:
        a, b = series.values()
        st.metric("Similarity", f"{logic.similarity(a, b) or 0:.0f}%")
    st.altair_chart(charts.radar(series, gold.RADAR_FEATURES))
    table = pd.DataFrame(series).rename_axis("feature").reset_index().round(2)
    st.dataframe(table, hide_index=True)


if user:
    uid = user["_id"]
    connect_form(uid)
    if st.session_state.get("pending_playlist"):
        pending(uid, st.session_state["pending_playlist"])
    docs = q.playlists(uid)
    if not docs:
        ui.empty(
            "No playlists yet: paste a playlist link above, or import your export "
            "(its playlists appear here)."
        )
    else:
        st.dataframe(
            pd.DataFrame(
                [
                    {
                        "name": d.get("name"),
                        "tracks": d.get("tracks"),
                        "source": d.get("source"),
                        "connected": bool(d.get("connected")),
                        "status": d.get("status"),
                    }
                    for d in docs
                ]
            ),
            hide_index=True,
        )
        manage(uid, docs, (user.get("spotify") or {}).get("status") == "connected")
        profile_view(uid, docs)
