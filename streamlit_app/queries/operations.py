"""Pipeline health, dead letters, notifications, imports, and the household comparison's reads."""

from __future__ import annotations

import streamlit as st
from pymongo import DESCENDING

from core import gold
from core.collections import Coll
from streamlit_app.queries.client import TTL, Doc, db


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
