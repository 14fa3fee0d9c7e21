"""Wrapped for any period: top 5s, minutes, new artists, listening age, taste label, a PNG."""

from __future__ import annotations

import streamlit as st

from streamlit_app import logic, ui, wrapped_image
from streamlit_app import queries as q
from streamlit_app.period_picker import pick
from streamlit_app.periods import cover

st.title("Wrapped")
user = ui.select_user()

if user:
    uid = user["_id"]
    period = pick(user, "wrapped", default="this year")
    keys = tuple(cover(period.start, period.end))
    found = q.totals(uid, keys)
    totals = logic.sum_totals(found.values())
    if not totals["streams"]:
        ui.empty(
            "Nothing to wrap in this period yet. Pick another period, run `earshot run` for the "
            "demo listener, or import your export on the Import page."
        )
    else:
        tops = {t: logic.rank(q.entities(uid, keys, t)) for t in ("artist", "track", "album", "genre")}
        zone = ui.zone(user)
        new = sum(
            1
            for a in q.entities(uid, (("all", "all"),), "artist")
            if a.get("first_played")
            and period.start <= a["first_played"].astimezone(zone).date() <= period.end
        )
        decades = {d.name: d.minutes for d in logic.rank(q.entities(uid, keys, "decade"), "minutes")}
        grain, key = (
            ("year", str(period.start.year))
            if keys == (("year", str(period.start.year)),)
            else ("all", "all")
        )
        means = logic.feature_means(q.taste_profile(uid, grain, key) or q.taste_profile(uid))
        summary = logic.wrapped(totals, tops, new, decades, means)
        title = f"{period.start} – {period.end}"
        st.subheader(title)
        c = st.columns(4)
        c[0].metric("Minutes", f"{summary['minutes']:,}")
        c[1].metric("Streams", f"{summary['streams']:,}")
        c[2].metric("New artists", summary["new_artists"])
        c[3].metric("Listening age", summary["listening_age"] or "–")
        st.markdown(f"**Your taste:** {summary['taste']}")
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
