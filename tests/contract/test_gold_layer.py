"""The gold writers and readers on mongo-java-server: what the writer builds is what a plain
`find()` returns, the readers agree with a recount of the plays, a rewrite changes nothing, and
the dashboard's queries answer from it.

The history: two years of one user in Europe/Berlin (days across both DST changes, a play just
after local midnight that is still the previous day in UTC), skips under the stream threshold,
platforms whose names carry dots, and a second user whose id shares a prefix.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from core import gold
from core.collections import Coll
from pipeline import rollups
from pipeline.job import JobConfig
from pipeline.rollup_plan import plan_rollups, write_rollups
from tests.integration.gold import listen, write_plays

ZONE = "Europe/Berlin"
USER = "carol"
Doc = dict[str, Any]


def _history() -> list[Doc]:
    start = datetime(2023, 3, 20, 21, 30, tzinfo=UTC)  # a week before the spring DST change
    out = []
    for day in range(0, 600, 7):
        for k in range(3):
            at = start + timedelta(days=day, minutes=4 * k)
            track = f"Song {(day + k) % 11}"
            out.append(
                listen(
                    at,
                    track,
                    f"Artist {k}",
                    ms=200_000 if k else 12_000,  # every day has one skip
                    platform="iOS 17.1.2 (iPhone15,2)" if k == 1 else "Android OS 14 API 34",
                    album_name="Vol. 1",
                )
            )
    out.append(listen(datetime(2024, 10, 26, 22, 30, tzinfo=UTC), "Midnight", "Artist 0"))  # 00:30 local
    return out


@pytest.fixture(scope="module")
def history(contract_db: Any, contract_settings: Any) -> list[Doc]:
    plays = write_plays(contract_db, contract_settings, USER, _history(), zone=ZONE)
    write_plays(contract_db, contract_settings, USER + "x", [listen(plays[0]["ended_at"], "Other", "B")])
    return plays


def _without_times(doc: Doc) -> Doc:
    return {k: v for k, v in doc.items() if k != "updated_at"}


def _ms(value: Any) -> Any:
    """BSON keeps datetimes to the millisecond, in UTC."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).replace(microsecond=value.microsecond // 1000 * 1000)
    if isinstance(value, dict):
        return {k: _ms(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_ms(v) for v in value]
    return value


def test_every_gold_document_reads_back_as_the_writer_built_it(contract_db, contract_settings, history):
    cfg = JobConfig.from_settings(contract_settings)
    plan = plan_rollups(contract_db, cfg, USER, ZONE, {p["local_day"] for p in history}, {})
    assert plan is not None
    write_rollups(contract_db, plan)
    for coll, docs in plan.written.items():
        ids = [d["_id"] for d in docs]
        stored = {d["_id"]: d for d in contract_db[coll.value].find({"_id": {"$in": ids}})}
        assert len(stored) == len(docs), coll
        for doc in docs:
            assert stored[doc["_id"]] == _ms(doc), (coll, doc["_id"])
    for doc in contract_db[Coll.PLAYS.value].find({"user_id": USER}):
        assert doc["ended_at"].tzinfo is not None and doc["ended_at"].utcoffset() == timedelta(0)


def test_the_readers_agree_with_a_recount_of_the_plays(contract_db, history):
    counted = [p for p in history if p["counted"]]
    tree = gold.totals_tree(contract_db, USER)
    by_grain = Counter(d["grain"] for d in tree)
    days = {p["local_day"] for p in history}
    assert by_grain == {"all": 1, "year": 2, "month": len({d[:7] for d in days}), "day": len(days)}
    assert tree[0]["streams"] == len(counted) and tree[0]["plays"] == len(history)
    for grain in ("year", "month", "day"):
        assert sum(d["streams"] for d in tree if d["grain"] == grain) == len(counted), grain
    midnight = next(p for p in history if p["track_name"] == "Midnight")
    assert midnight["local_day"] == "2024-10-27"  # the local day, not the UTC one

    head = gold.head_id(USER, "all", "all", "track")
    rows = gold.entity_rows(gold.entity_row_docs(contract_db, [head]))
    assert {r["key"] for r in rows} == gold.played_keys(contract_db, [head])[head] - {
        p["track_id"] for p in history if p.get("track_id")
    }
    streams = Counter((p["artist_names"][0], p["track_name"]) for p in counted)
    assert {(r["artist_name"], r["name"]): r["streams"] for r in rows if r["streams"]} == dict(streams)
    top = gold.top_rows(contract_db[Coll.ROLLUP_ENTITIES.value].find_one({"_id": head}))
    assert top[0]["streams"] == max(streams.values())
    platform_head = gold.head_id(USER, "all", "all", "platform")
    platforms = gold.entity_rows(gold.entity_row_docs(contract_db, [platform_head]))
    assert "iOS 17.1.2 (iPhone15,2)" in {r["name"] for r in platforms}


def test_a_rewrite_of_the_same_days_changes_no_document(contract_db, contract_settings, history):
    def snapshot() -> dict[str, Doc]:
        return {
            d["_id"]: _without_times(d)
            for coll in rollups.COLLECTIONS
            for d in contract_db[coll.value].find({"user_id": USER})
        }

    before = snapshot()
    cfg = JobConfig.from_settings(contract_settings)
    days = {p["local_day"] for p in history}
    write_rollups(contract_db, plan_rollups(contract_db, cfg, USER, ZONE, days, {}))
    assert snapshot() == before


def _values(doc: Any) -> Any:
    """Every leaf value of a document (through sub-documents and arrays)."""
    if isinstance(doc, dict):
        for v in doc.values():
            yield from _values(v)
    elif isinstance(doc, list):
        for v in doc:
            yield from _values(v)
    else:
        yield doc


def test_every_gold_document_reads_plainly_with_find_and_aggregate(contract_db, history):
    """No codec: what a user's own query, Compass or an aggregation sees is the data itself."""
    colls = [c.value for c in rollups.COLLECTIONS] + [Coll.USER_STATS.value]
    docs = [d for c in colls for d in contract_db[c].find({"user_id": USER})]
    docs += list(contract_db[Coll.USER_STATS.value].find({"_id": USER}))
    assert {type(v).__name__ for d in docs for v in _values(d)} <= {"str", "int", "float", "datetime", "bool"}
    counted = [p for p in history if p["counted"]]
    rows = contract_db[Coll.ROLLUP_ENTITY_ROWS.value].find(
        {"user_id": USER, "grain": "all", "entity_type": "track"}
    )
    assert sum(r["streams"] for d in rows for r in d["rows"]) == len(counted)
    want = Counter(p["ended_at"].astimezone(ZoneInfo(ZONE)).strftime("%Y") for p in counted)
    for year, streams in want.items():  # per year: FerretDB v1's $unwind drops the other fields
        (summed,) = contract_db[Coll.ROLLUP_ENTITY_ROWS.value].aggregate(
            [
                {"$match": {"user_id": USER, "grain": "year", "period": year, "entity_type": "artist"}},
                {"$unwind": "$rows"},
                {"$group": {"_id": None, "streams": {"$sum": "$rows.streams"}}},
            ]
        )
        assert summed["streams"] == streams, year
    head = contract_db[Coll.ROLLUP_ENTITIES.value].find_one(
        {"_id": gold.head_id(USER, "all", "all", "track")}
    )
    assert head["top"][0]["streams"] == max(
        Counter((p["artist_names"][0], p["track_name"]) for p in counted).values()
    )
    (keys,) = contract_db[Coll.ROLLUP_ENTITY_KEYS.value].find({"user_id": USER, "grain": "all"})
    assert "artist0|midnight" in keys["keys"].split("\n")


READER = "erin"


def _one_day(n: int, first: int = 0) -> list[Doc]:
    at = datetime(2024, 6, 1, 1, tzinfo=UTC)
    return [listen(at + timedelta(minutes=2 * (first + i)), f"Tune {first + i}", "Band") for i in range(n)]


def test_readers_never_see_a_gap_while_a_batch_rewrites_the_same_documents(contract_db, contract_settings):
    """A reader polls every document of a user by `_id` (and the rows through the totals) while
    the writer rewrites them and then grows the track head into more buckets: each read finds
    the document whole, and the rows as one complete version or the other."""
    import threading

    write_plays(contract_db, contract_settings, READER, _one_day(40))
    cfg = JobConfig.from_settings(contract_settings)
    ids = {
        c: [d["_id"] for d in contract_db[c.value].find({"user_id": READER}, {"_id": 1})]
        for c in rollups.COLLECTIONS
    }
    head = gold.head_id(READER, "all", "all", "track")
    problems: list[str] = []
    sizes: set[int] = set()
    stop = threading.Event()

    def read() -> None:
        while not stop.is_set():
            for coll in (Coll.ROLLUP_TOTALS, Coll.ROLLUP_ENTITIES, Coll.ROLLUP_HEATMAP, Coll.TASTE_PROFILES):
                for i in ids[coll]:
                    doc = contract_db[coll.value].find_one({"_id": i})
                    if doc is None or "user_id" not in doc:
                        problems.append(f"{coll.value} {i}: {doc}")
            rows = gold.entity_rows(gold.entity_row_docs(contract_db, [head]))
            sizes.add(len(rows))
            if len({r["key"] for r in rows}) != len(rows) or not rows:
                problems.append(f"rows of {head}: {len(rows)}")

    reader = threading.Thread(target=read)
    reader.start()
    try:
        for _ in range(4):  # a replayed batch: the same documents again
            write_rollups(contract_db, plan_rollups(contract_db, cfg, READER, "UTC", {"2024-06-01"}, {}))
        write_plays(contract_db, contract_settings, READER, _one_day(400, first=40))  # 440 tracks: 2 buckets
        for _ in range(2):
            write_rollups(contract_db, plan_rollups(contract_db, cfg, READER, "UTC", {"2024-06-01"}, {}))
    finally:
        stop.set()
        reader.join(timeout=60)
    assert problems == []
    assert sizes <= {40, 440} and 440 in sizes
    stored = contract_db[Coll.ROLLUP_TOTALS.value].find_one({"_id": gold.period_id(READER, "all", "all")})
    n = stored["buckets"]["track"]
    assert n == 2
    left = {
        d["_id"]
        for d in contract_db[Coll.ROLLUP_ENTITY_ROWS.value].find(
            {"user_id": READER, "grain": "all", "entity_type": "track"}
        )
    }
    assert left == {gold.rows_id(head, b, n) for b in range(n)}  # the old bucket set is gone
