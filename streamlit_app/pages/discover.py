"""Discover: catalog tracks nearest to your taste profile that you have not played, and why."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core.spotify_ids import track_url
from streamlit_app import logic, ui
from streamlit_app import queries as q

st.title("Discover")
user = ui.select_user()

if user:
    uid = user["_id"]
    means = logic.feature_means(q.taste_profile(uid))
    catalog = (q.catalog_summary() or {}).get("tracks", 0)
    if not means:
        ui.empty(
            "No taste profile yet: it is computed from plays with known audio features. Run "
            "`earshot run` for the demo listener or import your export."
        )
    elif not catalog:
        ui.empty("The catalog has no audio features yet: load the Kaggle catalog (`earshot catalog load`).")
    else:
        st.caption(f"Your taste: {logic.taste_label(means)} · {catalog:,} catalog tracks with features")
        recs = q.discover(uid, tuple(sorted(means.items())), n=20)
        if not recs:
            st.info("You have played every catalog track with features. Impressive.")
        else:
            st.dataframe(
                pd.DataFrame(
                    [
                        {
                            "track": r.get("name"),
                            "artist": ", ".join(r.get("artist_names") or []),
                            "year": str(r["release_year"]) if r.get("release_year") else "–",
                            "distance": r["distance"],
                            "why": r["why"],
                            "spotify": track_url(r.get("_id")),
                        }
                        for r in recs
                    ]
                ),
                hide_index=True,
                width="stretch",
                column_config={"spotify": st.column_config.LinkColumn("Spotify", display_text="Open ↗")},
            )
