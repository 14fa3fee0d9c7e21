"""The dashboard's MongoDB client (cached per process) and the by-`_id` reads every query uses."""

from __future__ import annotations

from typing import Any

import streamlit as st
from pymongo import MongoClient
from pymongo.database import Database

from core import gold, mongo
from core.collections import Coll
from core.settings import get_settings

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


def one(coll: Coll, _id: str, projection: Doc | None = None) -> Doc | None:
    return db()[coll.value].find_one({"_id": _id}, projection)


def by_ids(coll: Coll, ids: list[str], projection: Doc | None = None) -> dict[str, Doc]:
    """Documents by `_id $in` (chunked), keyed by `_id`; missing ids are absent."""
    return {d["_id"]: d for d in mongo.find_ids(db(), coll, ids, projection)}
