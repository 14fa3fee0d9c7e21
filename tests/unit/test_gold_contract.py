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
    assert gold.period_id("a|day", "x", "y") != gold.head_id("a", "day", "x", "y")
    assert gold.split(gold.head_id("a|b", "year", "2024", "artist")) == ["a|b", "year", "2024", "artist"]


def test_plain_ids_keep_their_readable_form() -> None:
    assert gold.period_id("alice", "month", "2024-05") == "alice|month|2024-05"
    assert gold.rows_id(gold.head_id("alice", "all", "all", "track"), 3, 8) == "alice|all|all|track|b3of8"
    assert gold.keys_id(gold.head_id("alice", "all", "all", "track"), 0, 1) == "alice|all|all|track|k0of1"
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
    assert gold.unpack_rows(None) == gold.row_lists([]) == gold.unpack_keys(None) == []
    assert gold.unpack_keys(gold.pack_keys(["a|b", "id1"])) == ["a|b", "id1"]


def test_rows_are_stored_plain_without_empty_fields() -> None:
    row = dict(gold.EXAMPLE_ROW, track_id=None, series={})
    (stored,) = gold.pack_rows([row])
    assert "track_id" not in stored and "series" not in stored
    assert list(stored) == [f for f in gold.ENTITY_FIELDS if f in stored]  # in ENTITY_FIELDS order
    assert all(isinstance(v, str | int | float | datetime) for v in stored.values())
    naive = {k: v.replace(tzinfo=None) if isinstance(v, datetime) else v for k, v in stored.items()}
    (back,) = gold.unpack_rows([naive])  # a client without tz_aware reads naive UTC times
    assert back == row | {"series": None}


def test_rows_of_the_old_packed_format_say_how_to_rebuild_them() -> None:
    with pytest.raises(gold.PackedRowsError, match="earshot spark reprocess"):
        gold.unpack_rows(b"x\x9c...")  # type: ignore[arg-type]
    with pytest.raises(gold.PackedRowsError):
        gold.unpack_keys(b"x\x9c...")  # type: ignore[arg-type]


def test_the_examples_decode_to_the_example_row() -> None:
    (head,) = gold.EXAMPLES["rollup_entities"]
    (rows_doc,) = gold.EXAMPLES["rollup_entity_rows"]
    assert gold.top_rows(head) == gold.top_rows(head, "minutes") == [gold.EXAMPLE_ROW]
    assert gold.entity_rows(rows_doc) == [gold.EXAMPLE_ROW]
    (keys_doc,) = gold.EXAMPLES["rollup_entity_keys"]
    assert gold.unpack_keys(keys_doc["keys"]) == [gold.EXAMPLE_ROW["key"], gold.EXAMPLE_ROW["track_id"]]
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
        "ms_played": 255_000,
        "skip": False,
        "name_key": "radiohead|nude",
        "track_name": "Nude",
        "track_id": "3Ox1ovBOGc1R6mjSCZ8LV5",
        "artist_names": ["Radiohead"],
        "weekday": 2,
        "local_hour": 22,
    }
    built = {c.value: docs for c, docs in day_rollups("alice", [play]).items()}
    for coll in ("rollup_entities", "rollup_entity_rows", "rollup_entity_keys", "rollup_heatmap"):
        example = gold.EXAMPLES[coll][0]
        (doc,) = [d for d in built[coll] if d["_id"] == example["_id"]]
        assert set(doc) == set(example), coll
    (head,) = [d for d in built["rollup_entities"] if d["entity_type"] == "track"]
    assert gold.top_rows(head) == [gold.EXAMPLE_ROW]
    (day,) = built["rollup_totals"]
    assert set(day) - {"session_list", "play_ids"} <= set(gold.EXAMPLES["rollup_totals"][1])


def test_only_the_contract_builds_ids_or_decodes_packed_fields() -> None:
    # zlib's one-shot codec is the packed fields' (the importer's zip inflater is another matter)
    pattern = re.compile(r"\bzlib\.(compress|decompress)\(|\brollup_id\(|[\"']\|[\"']\.join")
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
