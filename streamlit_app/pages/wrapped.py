"""Wrapped for any period: top 5s, music minutes (podcasts and audiobooks apart, as Spotify's
Wrapped counts them), new artists, listening age, taste label, a PNG."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import streamlit as st

from streamlit_app import logic, ui, wrapped_image
from streamlit_app import queries as q
from streamlit_app.period_picker import keys as period_keys
from streamlit_app.period_picker import pick

st.title("Wrapped")
user = ui.select_user()

if user:
    uid = user["_id"]
    period = pick(user, "wrapped", default="this year")
    keys = period_keys(user, period)
    found = q.totals(uid, keys)
    totals = logic.sum_totals(found.values())
    if not totals["streams"] and not logic.other_figures(totals):
        ui.empty(
            "Nothing to wrap in this period yet. Pick another period, run `earshot run` for the "
            "demo listener, or import your export on the Import page."
        )
    else:
        tops = {t: q.ranked(uid, keys, t, limit=5)[1] for t in ("artist", "track", "album", "genre")}
        zone = ui.zone(user)
        start = datetime.combine(period.start, time(), zone)
        new = q.first_heard(
            uid, "artist", start, datetime.combine(period.end + timedelta(days=1), time(), zone)
        )
        decades = {d.name: d.minutes for d in q.ranked(uid, keys, "decade", "minutes", limit=50)[1]}
        grain, key = keys[0] if len(keys) == 1 and keys[0][0] in ("year", "all") else ("all", "all")
        profile = q.taste_profile(uid, grain, key) or q.taste_profile(uid)
        means = logic.feature_means(profile)
        summary = logic.wrapped(totals, tops, new, decades, means)
        title = f"{period.start} – {period.end}"
        st.subheader(title)
        c = st.columns(4)
        c[0].metric("Minutes", f"{summary['minutes']:,}")
        c[1].metric("Streams", f"{summary['streams']:,}")
        c[2].metric("New artists", summary["new_artists"])
        c[3].metric("Listening age", summary["listening_age"] or "–")
        ui.other_figures(totals)
        st.markdown(f"**Your taste:** {summary['taste']}")
        coverage = (profile or {}).get("coverage") or 0.0
        st.caption(
            f"Audio features known for {coverage:.0%} of your music minutes"
            + ("" if coverage else ": load a Kaggle catalog (`earshot catalog load`) to fill them in")
            + "."
        )
        cols = st.columns(4)
        for col, (label, kind) in zip(
            cols,
            (("Artists", "artist"), ("Tracks", "track"), ("Albums", "album"), ("Genres", "genre")),
            strict=True,
        ):
            col.markdown(f"**Top {label}**")
            col.markdown("\n".join(f"{i}. {n}" for i, n in enumerate(summary["top"][kind], 1)) or "–")
        png = wrapped_image.render(summary, title)
        st.image(png, width=360)
        st.download_button(
            "Download PNG", png, f"earshot-wrapped-{period.start}-{period.end}.png", "image/png"
        )
