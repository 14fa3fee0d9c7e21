"""Every MongoDB read (and the few settings writes) of the dashboard, one module per kind of page.

Every read of a page is by `_id` (a `find_one` or an `_id $in`): FerretDB v1 (the local server)
serves only `_id` from an index, any other filter or sort scans its collection. The gold shapes
(`core/gold/`, docs/gold.md) are made for it:

- totals of any period come from the `series` of the level above (a day from its month, a month
  from its year, a year from all time), so a 365-day calendar reads 13 month documents;
- top lists decode the `rows` of one document per (grain, period, entity type), merge and rank
  them as plain lists and build objects only for the rows shown;
- an entity's page reads its row in the all-time document (rank, totals, years) and in a year's;
- sessions and the latest plays walk back from the last played day through the day totals.

The client is cached per process (`st.cache_resource`); results briefly (`st.cache_data(ttl=…)`).
Small operational collections (playlists, health, notifications, imports, dead letters) keep
their filters.

    from streamlit_app import queries as q
    q.totals("alice", (("day", "2024-05-01"), ("month", "2024-04")))   # {key: counts}

Modules: `client` (the cached client, reads by `_id`), `listening` (users, totals, entities),
`habits` (heatmaps, stats, sessions, live, playlists), `catalog` (Discover), `operations`
(health, dead letters, notifications, imports, household).
"""

from streamlit_app.queries.catalog import catalog_summary, discover
from streamlit_app.queries.client import TTL, Doc, Key, by_ids, db, one
from streamlit_app.queries.habits import (
    heatmap,
    latest_plays,
    lifetime,
    now_playing,
    playlist,
    playlist_profile,
    playlists,
    sessions,
    taste_profile,
    user_stats,
)
from streamlit_app.queries.listening import (
    entity,
    first_heard,
    played_track_keys,
    ranked,
    save_user,
    top,
    totals,
    user,
    users,
)
from streamlit_app.queries.operations import artist_streams, dead_letters, health, imports, notifications

__all__ = [
    "TTL",
    "Doc",
    "Key",
    "artist_streams",
    "by_ids",
    "catalog_summary",
    "db",
    "dead_letters",
    "discover",
    "entity",
    "first_heard",
    "health",
    "heatmap",
    "imports",
    "latest_plays",
    "lifetime",
    "notifications",
    "now_playing",
    "one",
    "played_track_keys",
    "playlist",
    "playlist_profile",
    "playlists",
    "ranked",
    "save_user",
    "sessions",
    "taste_profile",
    "top",
    "totals",
    "user",
    "user_stats",
    "users",
]
