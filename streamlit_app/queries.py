"""Every MongoDB read (and the few settings writes) of the dashboard, in one place.

Every read of a page is by `_id` (a `find_one` or an `_id $in`): FerretDB v1 (the local server)
serves only `_id` from an index, any other filter or sort scans its collection. The gold shapes
(core/collections.py, "Gold") are made for it:

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
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import streamlit as st
from pymongo import DESCENDING, MongoClient
from pymongo.database import Database

from core import gold, mongo
from core.collections import Coll
from core.events import utc_now
from core.settings import get_settings
from streamlit_app import logic, recommend

Doc = dict[str, Any]
Key = tuple[str, str]
TTL = 5  # seconds: fresh enough for a live pipeline, cheap on reruns
KEY, TRACK_ID, SERIES, FIRST, RANK = (
    gold.ENTITY_FIELDS.index(f) for f in ("key", "track_id", "series", "first_played", "rank")
)


@st.cache_resource(show_spinner=False)
def _client(url: str) -> MongoClient[Doc]:
    return mongo.client(get_settings(), timeout_ms=3000)


def db() -> Database[Doc]:
    settings = get_settings()
    return _client(settings.mongo_url)[settings.mongo_db]


def _one(coll: Coll, _id: str, projection: Doc | None = None) -> Doc | None:
    return db()[coll.value].find_one({"_id": _id}, projection)


def _by_ids(coll: Coll, ids: list[str], projection: Doc | None = None) -> dict[str, Doc]:
    """Documents by `_id $in` (chunked), keyed by `_id`; missing ids are absent."""
    return {d["_id"]: d for d in mongo.find_ids(db(), coll, ids, projection)}


# --- users -------------------------------------------------------------------------------------
@st.cache_data(ttl=TTL, show_spinner=False)
def users() -> list[Doc]:
    return list(db()[Coll.USERS.value].find({}, {"spotify.token": 0}).sort("_id", 1))


def user(user_id: str) -> Doc | None:
    return next((u for u in users() if u["_id"] == user_id), None)


def save_user(user_id: str, fields: Doc) -> None:
    now = utc_now()
    db()[Coll.USERS.value].update_one(
        {"_id": user_id},
        {"$set": {**fields, "updated_at": now}, "$setOnInsert": {"created_at": now}},
        upsert=True,
    )
    users.clear()


# --- totals ------------------------------------------------------------------------------------
@st.cache_data(ttl=TTL, show_spinner=False)
def totals(user_id: str, keys: tuple[Key, ...]) -> dict[Key, Doc]:
    """{streams, plays, minutes, skips} of music and `other` {kind: counts} (podcasts,
    audiobooks, videos) of (grain, period) keys; periods without plays are absent.

    Read from the `series` of the level above (one month document answers all its days), so a
    range costs at most one document per month / year it touches."""
    sources = {k: (k if k[0] == "all" else gold.above(*k)) for k in keys}
    ids = {gold.period_id(user_id, *s): s for s in set(sources.values())}
    proj = {"series": 1, "other": 1, **dict.fromkeys(gold.COUNTS, 1)}
    docs = {ids[i]: d for i, d in _by_ids(Coll.ROLLUP_TOTALS, list(ids), proj).items()}
    out: dict[Key, Doc] = {}
    for key, source in sources.items():
        doc = docs.get(source)
        if doc is None:
            continue
        if key == source:
            value = {f: doc.get(f, 0) for f in gold.COUNTS} | {"other": doc.get("other") or {}}
        else:
            value = doc.get("series", {}).get(key[1])
        if value:
            out[key] = value
    return out


# --- entities ----------------------------------------------------------------------------------
def _tables(user_id: str, keys: tuple[Key, ...], entity_type: str) -> list[list[logic.Row]]:
    """Every row of each (grain, period) key's entity document (its buckets joined, by rank)."""
    ids = [gold.head_id(user_id, g, p, entity_type) for g, p in keys]
    tables: dict[tuple[str, str], list[logic.Row]] = {}
    for doc in gold.entity_row_docs(db(), ids):
        tables.setdefault((doc["grain"], doc["period"]), []).extend(gold.row_lists(doc.get("rows")))
    return [sorted(rows, key=lambda r: r[RANK]) for rows in tables.values()]


@st.cache_data(ttl=TTL, show_spinner=False)
def ranked(
    user_id: str, keys: tuple[Key, ...], entity_type: str, by: str = "streams", limit: int = 25
) -> tuple[int, list[logic.Ranked]]:
    """(how many entities, the first `limit` ranked by `by`) of one type over the documents of
    the given (grain, period) keys, rows of several periods merged.

    One period within its head's `top` / `top_minutes` rows skips the row buckets (a
    year's tracks: ~1 MB); several periods merge their rows."""
    if len(keys) == 1:
        head = _one(Coll.ROLLUP_ENTITIES, gold.head_id(user_id, *keys[0], entity_type)) or {}
        listed = gold.row_lists(head.get("top" if by == "streams" else "top_minutes"))
        if limit <= len(listed) or len(listed) >= head.get("count", 0):
            return head.get("count", 0), [logic.ranked(gold.ENTITY_FIELDS, r) for r in listed[:limit]]
    rows = logic.rank_rows(gold.ENTITY_FIELDS, _tables(user_id, keys, entity_type), by)
    return len(rows), [logic.ranked(gold.ENTITY_FIELDS, r) for r in rows[:limit]]


@st.cache_data(ttl=TTL, show_spinner=False)
def top(user_id: str, grain: str, period: str, entity_type: str) -> list[Doc]:
    """The first rows (by streams) of one period and type, from the small head document."""
    doc = _one(Coll.ROLLUP_ENTITIES, gold.head_id(user_id, grain, period, entity_type), {"top": 1})
    return gold.unpack_rows((doc or {}).get("top"))


@st.cache_data(ttl=TTL, show_spinner=False)
def entity(user_id: str, entity_type: str, key: str, year: str | None = None) -> Doc | None:
    """One entity's all-time numbers: streams, plays, minutes, first/last listen, `series`
    {year: streams}, `rank` among all, and for `year` its `months` {month: streams}."""
    wanted = {gold.head_id(user_id, "all", "all", entity_type): "all"}
    if year:
        wanted[gold.head_id(user_id, "year", year, entity_type)] = "year"
    found: dict[str, tuple[int, logic.Row]] = {}
    for doc in gold.entity_row_docs(db(), list(wanted), key=key):  # only the bucket `key` is in
        row = next((r for r in gold.row_lists(doc.get("rows")) if r[KEY] == key), None)
        if row is not None:
            found[wanted[gold.head_id(user_id, doc["grain"], doc["period"], entity_type)]] = (row[RANK], row)
    if "all" not in found:
        return None
    rank, row = found["all"]
    out = vars(logic.ranked(gold.ENTITY_FIELDS, row)) | {"rank": rank, "series": row[SERIES] or {}}
    months = found["year"][1][SERIES] if "year" in found else {}
    return out | {"months": months or {}}


@st.cache_data(ttl=TTL, show_spinner=False)
def first_heard(user_id: str, entity_type: str, start: datetime, end: datetime) -> int:
    """How many entities were first played in start ≤ t < end (e.g. new artists of a period)."""
    (rows,) = _tables(user_id, (("all", "all"),), entity_type) or ([],)
    lo, hi = start.timestamp() * 1000, end.timestamp() * 1000
    return sum(1 for r in rows if r[FIRST] is not None and lo <= r[FIRST] < hi)


@st.cache_data(ttl=60, show_spinner=False)
def played_track_keys(user_id: str) -> set[str]:
    """Track ids and normalised 'artist|track' keys of every track the user has played."""
    head = _one(Coll.ROLLUP_ENTITIES, gold.head_id(user_id, "all", "all", "track"), {"keys": 1}) or {}
    return set(gold.unpack_list(head.get("keys")))


# --- habits ------------------------------------------------------------------------------------
@st.cache_data(ttl=TTL, show_spinner=False)
def heatmap(user_id: str, grain: str, period: str) -> Doc | None:
    return _one(Coll.ROLLUP_HEATMAP, gold.period_id(user_id, grain, period))


@st.cache_data(ttl=TTL, show_spinner=False)
def user_stats(user_id: str) -> Doc | None:
    """Streaks and session averages, without `active_days` (a string per day ever played)."""
    return _one(Coll.USER_STATS, user_id, {"active_days": 0})


@st.cache_data(ttl=TTL, show_spinner=False)
def taste_profile(user_id: str, grain: str = "all", period: str = "all") -> Doc | None:
    return _one(Coll.TASTE_PROFILES, gold.period_id(user_id, grain, period))


@st.cache_data(ttl=TTL, show_spinner=False)
def lifetime(user_id: str) -> Doc | None:
    """The all-time totals without their series: first_played, last_played, sessions,
    session_minutes and the counts (cheaper than `user_stats`, whose `active_days` grows daily)."""
    proj = {"series": 0}
    return _one(Coll.ROLLUP_TOTALS, gold.period_id(user_id, "all", "all"), proj)


def _latest_days(user_id: str, last: date, field: str, enough: Any, back: int = 400) -> list[Doc]:
    """Day totals (only `field`) from `last` backwards, newest first, read a few days at a time
    (days without plays have no document) until `enough(docs)` or `back` days."""
    docs: list[Doc] = []
    start, step = 0, 2
    while start < back:
        ids = [
            gold.period_id(user_id, "day", (last - timedelta(days=k)).isoformat())
            for k in range(start, start + step)
        ]
        found = _by_ids(Coll.ROLLUP_TOTALS, ids, {field: 1})
        docs += [found[i] for i in ids if i in found]
        if enough(docs):
            break
        start, step = start + step, min(step * 2, 64)
    return docs


def _last_day(user_id: str, zone: str, cached: bool = True) -> date | None:
    doc = (
        lifetime(user_id)
        if cached
        else _one(Coll.ROLLUP_TOTALS, gold.period_id(user_id, "all", "all"), {"last_played": 1})
    )
    last = (doc or {}).get("last_played")
    return last.astimezone(ZoneInfo(zone)).date() if last else None


@st.cache_data(ttl=TTL, show_spinner=False)
def sessions(user_id: str, zone: str, limit: int = 20) -> list[Doc]:
    """The latest listening sessions ({start, end, plays, streams, minutes}), newest first."""
    last = _last_day(user_id, zone)
    if last is None:
        return []
    enough = lambda ds: sum(len(d.get("session_list") or []) for d in ds) >= limit  # noqa: E731
    docs = _latest_days(user_id, last, "session_list", enough)
    listed = [s for d in docs for s in d.get("session_list") or []]
    return sorted(listed, key=lambda s: s["start"], reverse=True)[:limit]


# --- playlists ---------------------------------------------------------------------------------
def playlists(user_id: str) -> list[Doc]:
    return list(db()[Coll.PLAYLISTS.value].find({"user_id": user_id}).sort("name", 1))


def playlist(user_id: str, playlist_id: str) -> Doc | None:
    return _one(Coll.PLAYLISTS, gold.playlist_id(user_id, playlist_id))


@st.cache_data(ttl=TTL, show_spinner=False)
def playlist_profile(user_id: str, playlist_id: str) -> Doc | None:
    return _one(Coll.PLAYLIST_PROFILES, gold.playlist_id(user_id, playlist_id))


# --- live --------------------------------------------------------------------------------------
def now_playing(user_id: str) -> Doc | None:
    return _one(Coll.NOW_PLAYING, user_id)


def latest_plays(user_id: str, zone: str, limit: int = 10) -> list[Doc]:
    """The newest plays: the play ids listed by the latest day totals, fetched by `_id` and
    sorted here. Not cached: the Live panel shows a play as soon as its day totals list it."""
    last = _last_day(user_id, zone, cached=False)
    if last is None:
        return []
    enough = lambda ds: sum(len(d.get("play_ids") or []) for d in ds) >= limit  # noqa: E731
    docs = _latest_days(user_id, last, "play_ids", enough)
    ids = [i for d in docs for i in reversed(d.get("play_ids") or [])][:limit]  # listed by time
    plays = _by_ids(Coll.PLAYS, ids, {"records": 0, "features": 0}).values()
    return sorted(plays, key=lambda p: p["ended_at"], reverse=True)[:limit]


# --- catalog (Discover) ------------------------------------------------------------------------
@st.cache_data(ttl=600, show_spinner=False)
def catalog_summary() -> Doc | None:
    """How many catalog tracks with features Discover's index holds (one document)."""
    return _one(Coll.CATALOG_CELLS, gold.CELLS_SUMMARY)


@st.cache_data(ttl=60, show_spinner=False)
def discover(user_id: str, means: tuple[tuple[str, float], ...], n: int = 20) -> list[Doc]:
    """The n catalog tracks nearest to `means` that the user has not played, from the cells of
    Discover's index around the profile (a few small `_id` reads, however large the catalog)."""

    def vectors(ids: list[str]) -> dict[str, Any]:
        found = _by_ids(Coll.CATALOG_CELLS, ids, {"vectors": 1})
        return {i: gold.unpack_vectors(d["vectors"]) for i, d in sorted(found.items())}

    def rows(ids: list[str]) -> dict[str, Sequence[Any]]:
        found = _by_ids(Coll.CATALOG_CELLS, [gold.rows_of_cell(i) for i in ids], {"rows": 1})
        return {i: gold.CellRows(found[gold.rows_of_cell(i)]["rows"]) for i in ids}

    return recommend.nearest_in_cells(dict(means), vectors, rows, played_track_keys(user_id), n)


# --- operations --------------------------------------------------------------------------------
@st.cache_data(ttl=TTL, show_spinner=False)
def health() -> list[Doc]:
    return list(db()[Coll.PIPELINE_HEALTH.value].find({}))


@st.cache_data(ttl=TTL, show_spinner=False)
def dead_letters(limit: int = 50) -> list[Doc]:
    col = db()[Coll.DEAD_LETTERS.value]
    return list(col.find({}, {"payload": 0}).sort("failed_at", DESCENDING).limit(limit))


@st.cache_data(ttl=TTL, show_spinner=False)
def notifications(user_id: str, limit: int = 20) -> list[Doc]:
    flt = {"user_id": {"$in": [user_id, None]}}
    return list(db()[Coll.NOTIFICATIONS.value].find(flt).sort("created_at", DESCENDING).limit(limit))


def imports(user_id: str, limit: int = 10) -> list[Doc]:
    col = db()[Coll.IMPORTS.value]
    return list(col.find({"user_id": user_id}).sort("started_at", DESCENDING).limit(limit))


# --- household (opt-in comparison) -------------------------------------------------------------
@st.cache_data(ttl=TTL, show_spinner=False)
def artist_streams(user_id: str) -> dict[str, tuple[str, int]]:
    """All-time streams per artist of one listener: {artist key: (name, streams)}, from the
    gold entity rows (core.gold readers)."""
    head = gold.head_id(user_id, "all", "all", "artist")
    rows = gold.entity_rows(gold.entity_row_docs(db(), [head]))
    return {r["key"]: (r.get("name") or r["key"], int(r.get("streams") or 0)) for r in rows}
