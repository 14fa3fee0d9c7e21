"""The gold contract (core.gold): ids, the codec and the examples of docs/gold.md."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from core import gold
from core.settings import REPO_ROOT


@pytest.mark.parametrize(
    "parts",
    [["alice", "day", "2024-05-01"], ["al|ce", "all", "all", "track"], ["a\\", "|", "b\\|"], ["", ""]],
)
def test_ids_split_back_into_their_parts(parts: list[str]) -> None:
    assert gold.split(gold.key(*parts)) == parts


def test_a_separator_in_a_user_id_cannot_collide_with_another_users_ids() -> None:
    # without escaping, user "a|day" and user "a" with grain "day" would share ids
    assert gold.period_id("a|day", "x", "y") != gold.key("a", "day", "x", "y")
    assert gold.split(gold.head_id("a|b", "year", "2024", "artist")) == ["a|b", "year", "2024", "artist"]


def test_plain_ids_keep_their_readable_form() -> None:
    assert gold.period_id("alice", "month", "2024-05") == "alice|month|2024-05"
    assert gold.rows_id(gold.head_id("alice", "all", "all", "track"), 3) == "alice|all|all|track|b3"
    assert gold.play_id("ev-1") == "ev-1"
    assert gold.rows_of_cell(gold.cell_id((1, 2, 3))) == "cell|1|2|3|rows"


def test_grains() -> None:
    assert [gold.above(g, p) for g, p in [("day", "2024-05-01"), ("month", "2024-05"), ("year", "2024")]] == [
        ("month", "2024-05"),
        ("year", "2024"),
        ("all", "all"),
    ]
    assert len(gold.child_periods("month", "2024-02")) == 29
    assert gold.child_periods("year", "2024")[-1] == "2024-12"
    assert gold.child_periods("all", "all", ["2023", "2021", "2023"]) == ["2021", "2023"]
    assert all(gold.CHILD[gold.PARENT[g]] == g for g in gold.PARENT)


def test_rows_round_trip_through_the_codec() -> None:
    at = datetime(2024, 5, 1, 20, 15, 30, 123000, tzinfo=UTC)
    rows = [dict(gold.EXAMPLE_ROW, first_played=at, last_played=at, series={"2024": 3})]
    (back,) = gold.unpack_rows(gold.pack_rows(rows))
    assert back == rows[0]
    (listed,) = gold.row_lists(gold.pack_rows(rows))
    assert listed[gold.ENTITY_FIELDS.index("first_played")] == round(at.timestamp() * 1000)
    assert gold.unpack_rows(None) == gold.row_lists(b"") == gold.unpack_list(None) == []


def test_rows_packed_with_other_fields_read_in_todays_order() -> None:
    import json
    import zlib

    older = zlib.compress(json.dumps({"fields": ["streams", "key"], "rows": [[2, "k"]]}).encode())
    (row,) = gold.row_lists(older)
    assert row[gold.ENTITY_FIELDS.index("key")] == "k" and row[gold.ENTITY_FIELDS.index("streams")] == 2
    assert row[gold.ENTITY_FIELDS.index("name")] is None


def test_the_examples_decode_to_the_example_row() -> None:
    (head,) = gold.EXAMPLES["rollup_entities"]
    (rows_doc,) = gold.EXAMPLES["rollup_entity_rows"]
    assert gold.top_rows(head) == gold.top_rows(head, "minutes") == [gold.EXAMPLE_ROW]
    assert gold.entity_rows(rows_doc) == [gold.EXAMPLE_ROW]
    assert gold.played_keys(head) == {gold.EXAMPLE_ROW["key"], gold.EXAMPLE_ROW["track_id"]}
    for coll, docs in gold.EXAMPLES.items():
        for doc in docs:
            parts = gold.split(doc["_id"])
            assert parts[:3] == [doc["user_id"], doc["grain"], doc["period"]], coll


def test_the_examples_match_what_the_writer_builds() -> None:
    from pipeline.rollups import day_rollups

    play = {
        "_id": "e1",
        "local_day": "2024-05-01",
        "ended_at": datetime(2024, 5, 1, 20, 15, tzinfo=UTC),
        "counted": True,
        "minutes": 4.25,
        "skip": False,
        "name_key": "radiohead|nude",
        "track_name": "Nude",
        "track_id": "3Ox1ovBOGc1R6mjSCZ8LV5",
        "artist_names": ["Radiohead"],
        "weekday": 2,
        "local_hour": 22,
    }
    built = {c.value: docs for c, docs in day_rollups("alice", [play]).items()}
    for coll in ("rollup_entities", "rollup_entity_rows", "rollup_heatmap"):
        example = gold.EXAMPLES[coll][0]
        (doc,) = [d for d in built[coll] if d["_id"] == example["_id"]]
        assert set(doc) == set(example), coll
    (head,) = [d for d in built["rollup_entities"] if d["entity_type"] == "track"]
    assert gold.top_rows(head) == [gold.EXAMPLE_ROW]
    (day,) = built["rollup_totals"]
    assert set(day) - {"session_list", "play_ids"} <= set(gold.EXAMPLES["rollup_totals"][1])


def test_only_the_contract_builds_ids_or_decodes_packed_fields() -> None:
    pattern = re.compile(r"\bzlib\b|\brollup_id\(|[\"']\|[\"']\.join")
    offenders = []
    for package in (
        "core",
        "pipeline",
        "producer",
        "consumer",
        "spark_jobs",
        "kaggle_seed",
        "batch",
        "streamlit_app",
    ):
        for path in (REPO_ROOT / package).rglob("*.py"):
            if path.is_relative_to(REPO_ROOT / "core" / "gold"):
                continue
            if pattern.search(path.read_text()):
                offenders.append(str(path.relative_to(REPO_ROOT)))
    assert offenders == []
