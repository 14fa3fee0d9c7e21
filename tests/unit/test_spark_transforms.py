"""Pure Spark transforms of the plays job on small DataFrames (no I/O; uses the shared session)."""

from __future__ import annotations

from datetime import datetime

import pytest
from pyspark.sql import Row
from pyspark.testing import assertDataFrameEqual

from core.collections import Coll
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


def _day_plays(name_key) -> list[dict]:
    """Plays of two days: music with and without a track id (account-export names), the same
    time twice, a podcast episode, a play below the stream threshold."""
    from datetime import UTC, timedelta

    t0 = datetime(2024, 5, 1, 21, 0, tzinfo=UTC)
    plays = []
    shapes = [  # (minutes after t0, track id, track name, artist, kind, counted)
        (0, "t1", "Halo", "Beyoncé", "track", True),
        (-2, None, "HALO", "beyonce", "track", True),  # earlier, but no id: the row keeps p0's names
        (0, None, "halo", "Beyonce", "track", False),  # the same time as p0
        (9, "t2", "So What", "Miles Davis", "track", True),
        (30, None, "Ep 12", "Some Show", "episode", True),
        (200, "t1", "Halo", "Beyoncé", "track", True),  # the next day
    ]
    for i, (minutes, tid, name, artist, kind, counted) in enumerate(shapes):
        at = t0 + timedelta(minutes=minutes)
        plays.append(
            {
                "_id": f"p{i}",
                "local_day": at.strftime("%Y-%m-%d"),
                "ended_at": at,
                "ms_played": 200_000 + 1_111 * i,
                "minutes": (200_000 + 1_111 * i) / 60000.0,
                "counted": counted,
                "skip": not counted,
                "kind": kind,
                "track_id": tid,
                "track_name": name,
                "artist_names": [artist],
                "album_name": "Some Show" if kind == "episode" else "I Am... Sasha Fierce",
                "name_key": name_key([artist], name),
                "genres": ["pop", "r&b"] if tid == "t1" else [],
                "release_year": 2008 if tid == "t1" else None,
                "features": {"danceability": 0.1 * i, "tempo": 100.0 + i} if tid else None,
                "platform": "ios",
                "weekday": at.weekday(),
                "local_hour": at.hour,
            }
        )
    return plays


def test_spark_sums_the_day_facts_as_python_does(local_spark):
    """The plays job sums the day facts in the JVM (spark_jobs.aggregates); the jobs without
    Spark sum them in Python (pipeline.day_facts): the sums and the day documents agree."""
    from pipeline import day_facts
    from pipeline.dedupe import name_key
    from pipeline.rollups import day_documents
    from spark_jobs.aggregates import FACTS_SCHEMA, PASSED, sum_facts

    plays = _day_plays(name_key)
    sessions = {
        "2024-05-01": [
            {
                "start": plays[0]["ended_at"],
                "end": plays[4]["ended_at"],
                "plays": 5,
                "streams": 4,
                "minutes": 17.0,
            }
        ]
    }
    infos = day_facts.day_infos(plays, {"2024-05-01", "2024-05-02", "2024-05-03"}, sessions, "UTC")
    cols = day_facts.facts("u1", plays, infos)
    rows = [(*r, None) for r in zip(*(cols[c] for c in day_facts.FACT_COLUMNS), strict=True)]
    df = local_spark.createDataFrame(rows, FACTS_SCHEMA).repartition("user_id")
    in_spark = [{k: v for k, v in s.items() if k != PASSED} for s in sum_facts(df).toArrow().to_pylist()]
    in_python = day_facts.sum_facts(cols)

    def group(s):
        return repr(tuple(s[c] for c in day_facts.GROUP_COLUMNS))

    assert sorted(in_spark, key=group) == sorted(in_python, key=group)
    spellings = [s for s in in_python if s["table"] == "track" and s["key"] == "beyonce|halo"]
    assert sorted((s["day"], s["name"], s["plays"]) for s in spellings) == [
        ("2024-05-01", "HALO", 1),
        ("2024-05-01", "Halo", 1),
        ("2024-05-01", "halo", 1),
        ("2024-05-02", "Halo", 1),
    ]
    now = datetime(2024, 6, 1)
    assert day_documents("u1", in_spark, now) == day_documents("u1", in_python, now)
    days = day_documents("u1", in_python, now)
    (first,) = [d for d in days[Coll.ROLLUP_TOTALS] if d["period"] == "2024-05-01"]
    assert (first["plays"], first["other"]["episode"]["plays"], first["sessions"]) == (4, 1, 1)
    assert first["play_ids"] == ["p1", "p0", "p2", "p3", "p4"]
    (head,) = [
        d for d in days[Coll.ROLLUP_ENTITIES] if d["period"] == "2024-05-01" and d["entity_type"] == "track"
    ]
    halo = next(r for r in head["top"] if r["key"] == "beyonce|halo")  # the id'd play's names
    assert (halo["plays"], halo["streams"], halo["name"], halo["track_id"]) == (3, 2, "Halo", "t1")
    assert {d["period"] for d in days[Coll.TASTE_PROFILES]} == {"2024-05-01", "2024-05-02"}
