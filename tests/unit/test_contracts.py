"""Event contracts and the Spark schema derived from them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from pydantic import ValidationError

from core.events import CatalogEvent, PlayEvent, decode, encode, stable_id
from core.topics import Topic, all_topic_names, topic_name


def _play(**kw):
    base = dict(event_id="e1", user_id="u1", source="api", ended_at="2024-05-01T23:30:00Z", ms_played=1000)
    return PlayEvent(**{**base, **kw})


def test_play_round_trip_is_lossless_and_utc():
    play = _play(
        ended_at=datetime(2024, 5, 2, 1, 30, tzinfo=timezone(timedelta(hours=2))), artist_names=["A"]
    )
    again = decode(PlayEvent, encode(play))
    assert again == play
    assert again.ended_at == datetime(2024, 5, 1, 23, 30, tzinfo=UTC)
    assert b'"schema_version":1' in encode(play)


@pytest.mark.parametrize(
    "bad",
    [
        {"ended_at": "2024-05-01T23:30:00"},  # no zone
        {"ms_played": -5},
        {"source": "radio"},
        {"surprise": 1},  # unknown field
        {"schema_version": 2},
    ],
)
def test_bad_plays_are_rejected(bad):
    with pytest.raises(ValidationError):
        _play(**bad)


def test_stable_ids_are_deterministic_and_distinct():
    assert stable_id("u", "2024-01-01", 3) == stable_id("u", "2024-01-01", 3)
    assert stable_id("u", "2024-01-01", 3) != stable_id("u", "2024-01-01", 4)
    assert stable_id("a", "bc") != stable_id("ab", "c")


def test_topic_names_are_prefixed_and_versioned():
    assert topic_name(Topic.PLAYS) == "earshot.plays.v1"
    assert topic_name(Topic.DEADLETTER, "t1") == "t1.deadletter.v1"
    assert len(set(all_topic_names())) == len(Topic)


def test_spark_schema_follows_the_model():
    from pyspark.sql.types import ArrayType, LongType, StringType, StructType, TimestampType

    from core.spark_schema import struct_for

    play = struct_for(PlayEvent)
    assert play.fieldNames() == list(PlayEvent.model_fields)
    assert play["ended_at"].dataType == TimestampType() and not play["ended_at"].nullable
    assert play["ms_played"].dataType == LongType()
    assert play["artist_names"].dataType == ArrayType(StringType())
    assert play["source"].dataType == StringType()
    catalog = struct_for(CatalogEvent)
    assert isinstance(catalog["features"].dataType, StructType)
    assert "danceability" in catalog["features"].dataType.fieldNames()


def test_catalog_events_are_keyed_by_entity_for_compaction_and_plays_by_user():
    from core.events import key_for

    cat = CatalogEvent(
        event_id="c1",
        user_id="demo",
        entity="track",
        entity_id="abc",
        source="api",
        fetched_at="2024-01-01T00:00:00Z",
    )
    assert key_for(cat) == b"track:abc"
    assert key_for(_play()) == b"u1"
