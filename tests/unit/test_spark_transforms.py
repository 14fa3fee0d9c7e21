"""Pure Spark transforms of the plays job on small DataFrames (no I/O; uses the shared session)."""

from __future__ import annotations

from datetime import datetime

import pytest
from pyspark.sql import Row
from pyspark.testing import assertDataFrameEqual

from core.events import DeadLetterEvent, PlayEvent, decode, encode
from spark_jobs.sources import check, parse
from spark_jobs.transforms import batch_rows, dead_letter_messages, dead_letter_rows

pytestmark = pytest.mark.spark


@pytest.fixture(scope="module")
def local_spark(spark):
    # the shared session (with the Kafka connector jars): a second, jar-less session created first
    # would be returned by getOrCreate to the streaming tests
    return spark


def _kafka_df(spark, values: list[bytes | None]):
    rows = [
        Row(key=b"u1", value=v, topic="p.plays.v1", partition=0, offset=i, timestamp=datetime(2024, 1, 1))
        for i, v in enumerate(values)
    ]
    return spark.createDataFrame(
        rows, "key binary, value binary, topic string, partition int, offset long, timestamp timestamp"
    )


def _play(event_id: str, ms: int = 1000) -> bytes:
    return encode(
        PlayEvent(
            event_id=event_id,
            user_id="u1",
            source="api",
            ms_played=ms,
            ended_at=datetime.fromisoformat("2024-05-01T12:00:00+00:00"),
        )
    )


def test_batch_rows_split_events_and_letters_in_one_pass(local_spark):
    df = _kafka_df(local_spark, [_play("e1"), b"{oops", _play("e2", 5)])
    rows = batch_rows(check(df, PlayEvent), "spark.plays").collect()
    events = [
        (r.event.event_id, r.event.ms_played, r.event.ended_at_us, r.event.emitted_at_us)
        for r in rows
        if r.event
    ]
    assert events == [("e1", 1000, 1714564800000000, None), ("e2", 5, 1714564800000000, None)]
    (letter,) = [r.letter for r in rows if r.letter]
    assert (letter.doc["_id"], letter.doc["reason"], letter.doc["payload"]) == (
        "spark.plays:p.plays.v1:0:1",
        "not valid JSON",
        "{oops",
    )
    assert decode(DeadLetterEvent, letter.value.encode()).reason == "not valid JSON"
    assert all((r.event is None) != (r.letter is None) for r in rows)


def test_dead_letter_rows_keep_payload_reason_and_coordinates(local_spark):
    _, invalid = parse(_kafka_df(local_spark, [_play("ok"), b"{oops", b'{"schema_version": 2}']), PlayEvent)
    got = dead_letter_rows(invalid, "spark.plays").select(
        "_id", "user_id", "stage", "reason", "payload", "partition", "offset"
    )
    expected = local_spark.createDataFrame(
        [
            ("spark.plays:p.plays.v1:0:1", "u1", "spark.plays", "not valid JSON", "{oops", 0, 1),
            (
                "spark.plays:p.plays.v1:0:2",
                "u1",
                "spark.plays",
                "missing or unsupported schema_version",
                '{"schema_version": 2}',
                0,
                2,
            ),
        ],
        "_id string, user_id string, stage string, reason string, payload string, "
        "partition long, offset long",
    )
    assertDataFrameEqual(got, expected)


def test_dead_letter_messages_are_valid_dead_letter_events(local_spark):
    from core.events import DeadLetterEvent, decode

    _, invalid = parse(_kafka_df(local_spark, [b"nope"]), PlayEvent)
    (row,) = dead_letter_messages(dead_letter_rows(invalid, "spark.plays")).collect()
    event = decode(DeadLetterEvent, row["value"])
    assert (row["key"], event.reason, event.payload, event.offset) == ("u1", "not valid JSON", "nope", 0)
