"""Top tracks, artists, albums, genres (music) and shows, episodes (podcasts, audiobooks) for any
period, by streams or minutes, with paging,
and a detail view per entity (first and last listen, total, all-time rank, best month of the year,
interest over the years — or the year's months)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from streamlit_app import charts, logic, ui
from streamlit_app import queries as q
from streamlit_app.period_picker import keys as period_keys
from streamlit_app.period_picker import pick

PAGE = 25
TYPES = {
    "Tracks": "track",
    "Artists": "artist",
    "Albums": "album",
    "Genres": "genre",
    "Shows": "show",  # podcasts and audiobooks
    "Episodes": "episode",
}

st.title("Top")
user = ui.select_user()


def _when(value, zone) -> str:  # type: ignore[no-untyped-def]
    return value.astimezone(zone).strftime("%Y-%m-%d") if value else "–"


def detail(uid: str, etype: str, entity: logic.Ranked, rank_no: int, year: str, zone) -> None:  # type: ignore[no-untyped-def]
    st.subheader(entity.name + (f" — {entity.artist_name}" if entity.artist_name else ""))
    lifetime = q.entity(uid, etype, entity.key, year) or {}
    c = st.columns(5)
    c[0].metric("All-time streams", f"{lifetime.get('streams', entity.streams):,}")
    c[1].metric("Rank in period", f"#{rank_no}")
    c[2].metric("All-time rank", f"#{lifetime['rank']}" if lifetime else "–")
    c[3].metric("First listen", _when(lifetime.get("first_played") or entity.first_played, zone))
    c[4].metric("Last listen", _when(lifetime.get("last_played") or entity.last_played, zone))
    months = lifetime.get("months") or {}
    best = logic.best_period(months)
    if best:
        st.caption(f"Best month of {year}: {best[0]} with {best[1]:,} streams")
    years = lifetime.get("series") or {}
    if len(years) > 1:
        frame = pd.DataFrame([{"period": y, "streams": n} for y, n in sorted(years.items())])
        st.altair_chart(charts.interest(frame), width="stretch")
    elif months:
        frame = pd.DataFrame(
            [{"period": f"{year}-{m:02d}", "streams": months.get(f"{year}-{m:02d}", 0)} for m in range(1, 13)]
        )
        st.altair_chart(charts.interest(frame), width="stretch")


if user:
    uid = user["_id"]
    period = pick(user, "top")
    kind = st.segmented_control("What", list(TYPES), default="Tracks", key="top-kind") or "Tracks"
    by = st.radio("Rank by", ["streams", "minutes"], horizontal=True, key="top-by")
    etype = TYPES[kind]
    keys = period_keys(user, period)
    page = max(1, int(st.session_state.get("top-page") or 1))
    count, ranked = q.ranked(uid, keys, etype, by, page * PAGE)
    if not count:
        ui.empty(
            f"No {kind.lower()} in this period yet. Pick a longer period, run `earshot run` "
            "for the demo listener, or import your export on the Import page."
        )
    else:
        pages = (count - 1) // PAGE + 1
        page = st.number_input(f"Page (of {pages})", 1, pages, 1, key="top-page")
        start = (page - 1) * PAGE
        if start + PAGE > len(ranked):
            ranked = q.ranked(uid, keys, etype, by, start + PAGE)[1]
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
        if etype in ("artist", "genre", "show"):
            frame = frame.drop(columns="artist")
        elif etype == "episode":
            frame = frame.rename(columns={"artist": "show"})
        table = frame.set_index("rank")
        if etype == "track":  # a link where the track's Spotify id is known
            table["Spotify"] = [ui.spotify_link(e.track_id) for e in ranked[start : start + PAGE]]
        st.table(table)
        ui.downloads(frame, f"earshot-top-{etype}-{period.start}-{period.end}", "top")
        names = [f"#{start + i + 1} {e.name}" for i, e in enumerate(ranked[start : start + PAGE])]
        chosen = st.selectbox("Details for", names, index=None, key="top-detail")
        if chosen:
            i = start + names.index(chosen)
            detail(uid, etype, ranked[i], i + 1, str(min(period.end, ui.today(user)).year), ui.zone(user))
