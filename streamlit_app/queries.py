"""Every MongoDB read (and the few settings writes) of the dashboard, in one place.

The client is cached per process (`st.cache_resource`); small results are cached briefly
(`st.cache_data(ttl=…)`). Rollups are read by their deterministic `_id` wherever possible:
FerretDB v1 (the local server) pushes down only `_id` equality, so an `_id` lookup costs about a
millisecond while any other filter scans its collection.

    from streamlit_app import queries as q
    docs = q.totals("alice", (("day", "2024-05-01"), ("month", "2024-04")))
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Any

import streamlit as st
from pymongo import DESCENDING, MongoClient
from pymongo.database import Database

from core import mongo
from core.collections import Coll, rollup_id
from core.events import utc_now
from core.settings import get_settings

Doc = dict[str, Any]
Key = tuple[str, str]
TTL = 5  # seconds: fresh enough for a live pipeline, cheap on reruns


@st.cache_resource(show_spinner=False)
def _client(url: str) -> MongoClient[Doc]:
    return mongo.client(get_settings(), timeout_ms=3000)


@st.cache_resource(show_spinner=False)
def _pool() -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=8, thread_name_prefix="earshot-q")


def db() -> Database[Doc]:
    settings = get_settings()
    return _client(settings.mongo_url)[settings.mongo_db]


def _by_ids(coll: Coll, ids: list[str]) -> dict[str, Doc]:
    """Point lookups in parallel (one `_id` equality each: pushed down by FerretDB)."""
    col = db()[coll.value]
    found = (
        _pool().map(lambda i: col.find_one({"_id": i}), ids)
        if len(ids) > 1
        else [col.find_one({"_id": i}) for i in ids]
    )
    return {d["_id"]: d for d in found if d}


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


# --- rollups -----------------------------------------------------------------------------------
@st.cache_data(ttl=TTL, show_spinner=False)
def totals(user_id: str, keys: tuple[Key, ...]) -> dict[Key, Doc]:
    """rollup_totals documents for (grain, period) keys; missing keys are absent."""
    ids = {rollup_id(user_id, g, p): (g, p) for g, p in keys}
    return {ids[i]: d for i, d in _by_ids(Coll.ROLLUP_TOTALS, list(ids)).items()}


@st.cache_data(ttl=TTL, show_spinner=False)
def entities(user_id: str, keys: tuple[Key, ...], entity_type: str) -> list[Doc]:
    """rollup_entities rows of one type for the given (grain, period) keys (merged by the caller)."""
    grains = sorted({g for g, _ in keys})
    flt: Doc = {
        "user_id": user_id,
        "entity_type": entity_type,
        "grain": grains[0] if len(grains) == 1 else {"$in": grains},
        "period": keys[0][1] if len(keys) == 1 else {"$in": [p for _, p in keys]},
    }
    proj = {
        "grain": 1,
        "period": 1,
        "entity_key": 1,
        "name": 1,
        "artist_name": 1,
        "streams": 1,
        "plays": 1,
        "minutes": 1,
        "first_played": 1,
        "last_played": 1,
    }
    rows = db()[Coll.ROLLUP_ENTITIES.value].find(flt, proj)
    wanted = set(keys)
    return [r for r in rows if (r["grain"], r["period"]) in wanted]


@st.cache_data(ttl=TTL, show_spinner=False)
def entity_history(user_id: str, entity_type: str, entity_key: str) -> list[Doc]:
    """Every rollup row of one entity (all grains): totals, first/last listen, interest over time."""
    flt = {"user_id": user_id, "entity_type": entity_type, "entity_key": entity_key}
    return list(db()[Coll.ROLLUP_ENTITIES.value].find(flt))


@st.cache_data(ttl=TTL, show_spinner=False)
def heatmap(user_id: str, grain: str, period: str) -> Doc | None:
    return db()[Coll.ROLLUP_HEATMAP.value].find_one({"_id": rollup_id(user_id, grain, period)})


@st.cache_data(ttl=TTL, show_spinner=False)
def user_stats(user_id: str) -> Doc | None:
    return db()[Coll.USER_STATS.value].find_one({"_id": user_id})


@st.cache_data(ttl=TTL, show_spinner=False)
def taste_profile(user_id: str, grain: str = "all", period: str = "all") -> Doc | None:
    return db()[Coll.TASTE_PROFILES.value].find_one({"_id": rollup_id(user_id, grain, period)})


@st.cache_data(ttl=TTL, show_spinner=False)
def sessions(user_id: str, limit: int = 20) -> list[Doc]:
    col = db()[Coll.SESSIONS.value]
    return list(col.find({"user_id": user_id}).sort("start", DESCENDING).limit(limit))


# --- playlists ---------------------------------------------------------------------------------
def playlists(user_id: str) -> list[Doc]:
    return list(db()[Coll.PLAYLISTS.value].find({"user_id": user_id}).sort("name", 1))


def playlist(user_id: str, playlist_id: str) -> Doc | None:
    return db()[Coll.PLAYLISTS.value].find_one({"_id": rollup_id(user_id, playlist_id)})


@st.cache_data(ttl=TTL, show_spinner=False)
def playlist_profile(user_id: str, playlist_id: str) -> Doc | None:
    return db()[Coll.PLAYLIST_PROFILES.value].find_one({"_id": rollup_id(user_id, playlist_id)})


# --- live --------------------------------------------------------------------------------------
def now_playing(user_id: str) -> Doc | None:
    return db()[Coll.NOW_PLAYING.value].find_one({"_id": user_id})


def latest_plays(user_id: str, limit: int = 10) -> list[Doc]:
    col = db()[Coll.PLAYS.value]
    return list(col.find({"user_id": user_id}).sort("ended_at", DESCENDING).limit(limit))


def plays_between(user_id: str, start: datetime, end: datetime, limit: int = 1_000_000) -> list[Doc]:
    """Raw plays for a download (not used to draw pages)."""
    flt = {"user_id": user_id, "ended_at": {"$gte": start, "$lt": end}}
    return list(db()[Coll.PLAYS.value].find(flt, {"features": 0}).limit(limit))


# --- catalog (Discover) ------------------------------------------------------------------------
@st.cache_data(ttl=600, show_spinner=False)
def catalog_with_features(limit: int = 200_000) -> list[Doc]:
    proj = {"name": 1, "artist_names": 1, "album_name": 1, "release_year": 1, "features": 1}
    rows = db()[Coll.TRACKS.value].find({}, proj).limit(limit)
    return [r for r in rows if r.get("features")]


@st.cache_data(ttl=60, show_spinner=False)
def played_track_keys(user_id: str) -> set[str]:
    flt = {"user_id": user_id, "grain": "all", "entity_type": "track"}
    return {r["entity_key"] for r in db()[Coll.ROLLUP_ENTITIES.value].find(flt, {"entity_key": 1})}


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
