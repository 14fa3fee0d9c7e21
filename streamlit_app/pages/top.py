"""Top tracks, artists, albums and genres for any period, by streams or minutes, with paging,
and a detail view per entity (first and last listen, total, best month, rank, interest over time)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from streamlit_app import charts, logic, ui
from streamlit_app import queries as q
from streamlit_app.period_picker import pick
from streamlit_app.periods import cover

PAGE = 25
TYPES = {"Tracks": "track", "Artists": "artist", "Albums": "album", "Genres": "genre"}

st.title("Top")
user = ui.select_user()


def _when(value, zone) -> str:  # type: ignore[no-untyped-def]
    return value.astimezone(zone).strftime("%Y-%m-%d") if value else "–"


def detail(uid: str, etype: str, entity: logic.Ranked, rank_no: int, zone) -> None:  # type: ignore[no-untyped-def]
    st.subheader(entity.name + (f" — {entity.artist_name}" if entity.artist_name else ""))
    rows = q.entity_history(uid, etype, entity.key)
    lifetime = next((r for r in rows if r.get("grain") == "all"), None)
    total = lifetime or logic.sum_totals(r for r in rows if r.get("grain") == "year")
    best = logic.best_period(rows, "month")
    c = st.columns(4)
    c[0].metric("All-time streams", f"{total.get('streams', 0):,}")
    c[1].metric("Rank in period", f"#{rank_no}")
    c[2].metric("First listen", _when((lifetime or {}).get("first_played") or entity.first_played, zone))
    c[3].metric("Last listen", _when((lifetime or {}).get("last_played") or entity.last_played, zone))
    if best:
        st.caption(f"Best month: {best[0]} with {best[1]:,} streams")
    months = sorted((r for r in rows if r.get("grain") == "month"), key=lambda r: r["period"])
    if months:
        frame = pd.DataFrame([{"period": r["period"], "streams": r.get("streams", 0)} for r in months])
        st.altair_chart(charts.interest(frame), width="stretch")


if user:
    uid = user["_id"]
    period = pick(user, "top")
    kind = st.segmented_control("What", list(TYPES), default="Tracks", key="top-kind") or "Tracks"
    by = st.radio("Rank by", ["streams", "minutes"], horizontal=True, key="top-by")
    etype = TYPES[kind]
    ranked = logic.rank(q.entities(uid, tuple(cover(period.start, period.end)), etype), by)
    if not ranked:
        ui.empty(
            f"No {kind.lower()} in this period yet. Pick a longer period, run `earshot run` "
            "for the demo listener, or import your export on the Import page."
        )
    else:
        pages = (len(ranked) - 1) // PAGE + 1
        page = st.number_input(f"Page (of {pages})", 1, pages, 1, key="top-page")
        start = (page - 1) * PAGE
        frame = pd.DataFrame(
            [
                {
                    "rank": start + i + 1,
                    "name": e.name,
                    "artist": e.artist_name or "",
                    "streams": e.streams,
                    "minutes": round(e.minutes),
                }
                for i, e in enumerate(ranked[start : start + PAGE])
            ]
        )
        if etype in ("artist", "genre"):
            frame = frame.drop(columns="artist")
        st.table(frame.set_index("rank"))
        ui.downloads(frame, f"earshot-top-{etype}-{period.start}-{period.end}", "top")
        names = [f"#{i + 1} {e.name}" for i, e in enumerate(ranked[:200])]
        chosen = st.selectbox("Details for", names, index=None, key="top-detail")
        if chosen:
            i = names.index(chosen)
            detail(uid, etype, ranked[i], i + 1, ui.zone(user))
