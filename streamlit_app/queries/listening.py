"""Users, totals of any period, and ranked entities (top lists, an entity's page, first listens)."""

from __future__ import annotations

from datetime import datetime

import streamlit as st

from core import gold
from core.collections import Coll
from core.events import utc_now
from streamlit_app import logic
from streamlit_app.queries.client import FIRST, KEY, RANK, SERIES, TTL, Doc, Key, by_ids, db, one


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
    docs = {ids[i]: d for i, d in by_ids(Coll.ROLLUP_TOTALS, list(ids), proj).items()}
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
        head = one(Coll.ROLLUP_ENTITIES, gold.head_id(user_id, *keys[0], entity_type)) or {}
        listed = gold.row_lists(head.get("top" if by == "streams" else "top_minutes"))
        if limit <= len(listed) or len(listed) >= head.get("count", 0):
            return head.get("count", 0), [logic.ranked(gold.ENTITY_FIELDS, r) for r in listed[:limit]]
    rows = logic.rank_rows(gold.ENTITY_FIELDS, _tables(user_id, keys, entity_type), by)
    return len(rows), [logic.ranked(gold.ENTITY_FIELDS, r) for r in rows[:limit]]


@st.cache_data(ttl=TTL, show_spinner=False)
def top(user_id: str, grain: str, period: str, entity_type: str) -> list[Doc]:
    """The first rows (by streams) of one period and type, from the small head document."""
    doc = one(Coll.ROLLUP_ENTITIES, gold.head_id(user_id, grain, period, entity_type), {"top": 1})
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
    """How many entities were first played in start ≤ t < end (e.g. new artists of a period):
    from the all-time head's month counts when the range is made of whole months (or runs
    past the first or last play), else from every all-time row."""
    head = one(Coll.ROLLUP_ENTITIES, gold.head_id(user_id, "all", "all", entity_type), {"first_heard": 1})
    if head is not None and "first_heard" in head:
        total = one(
            Coll.ROLLUP_TOTALS, gold.period_id(user_id, "all", "all"), {"first_played": 1, "last_played": 1}
        )
        span = (total or {}).get("first_played"), (total or {}).get("last_played")
        counted = logic.first_heard_in(head["first_heard"], start, end, *span)
        if counted is not None:
            return counted
    (rows,) = _tables(user_id, (("all", "all"),), entity_type) or ([],)
    lo, hi = start.timestamp() * 1000, end.timestamp() * 1000
    return sum(1 for r in rows if r[FIRST] is not None and lo <= r[FIRST] < hi)


@st.cache_data(ttl=60, show_spinner=False)
def played_track_keys(user_id: str) -> set[str]:
    """Track ids and normalised 'artist|track' keys of every track the user has played."""
    head = gold.head_id(user_id, "all", "all", "track")
    return gold.played_keys(db(), [head])[head]
