"""The plays job's store path (`pipeline.store.process_user`, what each executor runs per user)
on mongo-java-server: dedupe against stored plays, the silver replace and the gold recompute,
a redelivered batch that changes nothing, and a late play that lands in its own day."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from core import gold
from core.collections import Coll
from core.events import PlayEvent
from pipeline.job import JobConfig
from pipeline.store import process_user

USER = "erin"
START = datetime(2024, 6, 1, 18, 0, tzinfo=UTC)
Doc = dict[str, Any]


def _event(i: int, source: str = "demo", shift_s: int = 0, at: datetime | None = None) -> Doc:
    ended = (at or START + timedelta(minutes=5 * i)) + timedelta(seconds=shift_s)
    return PlayEvent(
        event_id=f"{source}-{USER}-{i}",
        user_id=USER,
        source=source,
        ended_at=ended,
        ms_played=200_000,
        track_id=f"track{i % 4}",
        track_name=f"Song {i % 4}",
        artist_names=["Band"],
        duration_ms=210_000,
    ).model_dump()


@pytest.fixture(scope="module")
def cfg(contract_settings: Any) -> JobConfig:
    return JobConfig.from_settings(contract_settings)


def _gold(db: Any) -> dict[str, Doc]:
    return {
        d["_id"]: {k: v for k, v in d.items() if k not in ("updated_at", "enriched_at")}
        for coll in (Coll.PLAYS, Coll.ROLLUP_TOTALS, Coll.ROLLUP_ENTITIES, Coll.ROLLUP_ENTITY_ROWS)
        for d in db[coll.value].find({"user_id": USER})
    }


def test_a_batch_is_deduplicated_stored_and_rolled_up(contract_db, cfg):
    batch = [_event(i) for i in range(8)]
    batch += [_event(2), _event(5, source="api", shift_s=40)]  # a redelivery; the API's view of play 5
    assert process_user(contract_db, cfg, USER, batch) == {"events": 10, "changed": 8}

    plays = {p["_id"]: p for p in contract_db[Coll.PLAYS.value].find({"user_id": USER})}
    assert len(plays) == 8
    merged = plays[gold.play_id(_event(5)["event_id"])]
    assert sorted(merged["sources"]) == ["api", "demo"]
    all_time = contract_db[Coll.ROLLUP_TOTALS.value].find_one({"_id": gold.period_id(USER, "all", "all")})
    assert all_time is not None and all_time["streams"] == all_time["plays"] == 8
    day = contract_db[Coll.ROLLUP_TOTALS.value].find_one({"_id": gold.period_id(USER, "day", "2024-06-01")})
    assert day is not None and sorted(day["play_ids"]) == sorted(plays)


def test_a_redelivered_batch_changes_nothing(contract_db, cfg):
    before = _gold(contract_db)
    batch = [_event(i) for i in range(8)] + [_event(5, source="api", shift_s=40)]
    assert process_user(contract_db, cfg, USER, batch) == {"events": 9, "changed": 0}
    assert _gold(contract_db) == before


def test_a_late_play_lands_in_its_own_day(contract_db, cfg):
    late = _event(100, at=datetime(2016, 2, 29, 12, 0, tzinfo=UTC))
    assert process_user(contract_db, cfg, USER, [late])["changed"] == 1
    tree = {d["_id"]: d for d in gold.totals_tree(contract_db, USER)}
    assert tree[gold.period_id(USER, "day", "2016-02-29")]["streams"] == 1
    assert tree[gold.period_id(USER, "all", "all")]["streams"] == 9
    assert set(tree[gold.period_id(USER, "all", "all")]["series"]) == {"2016", "2024"}
