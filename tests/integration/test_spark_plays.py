"""The plays job end to end against real Kafka, FerretDB and Spark.

Ground truth: the test invents the *logical* plays, publishes several representations of them
(API, extended export, account export), duplicates, a re-import, years-late plays and malformed
messages, stops and restarts the query from its checkpoint in the middle, then compares every
rollup with a plain-Python recomputation from the logical plays (`tests/integration/ground_truth.py`,
written there, not with the job; the fault tests reuse it).
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from core import gold, kafka
from core.events import DeadLetterEvent, PlayEvent, decode
from core.topics import Topic, topic_name
from tests.integration.ground_truth import assert_rollups_match, events, load_catalog, logical_plays

pytestmark = [pytest.mark.integration, pytest.mark.spark]

USER, TZ_USER, ZONE = "gt-user", "tz-user", "America/New_York"


def _logical_plays() -> list[dict]:
    plays = logical_plays(36, seed=7)
    # the same track replayed within the tolerance from the same source: two real plays
    last = plays[-1]["ended"] + timedelta(minutes=10)
    plays.append(
        {
            "i": 100,
            "track": "t1",
            "ended": last,
            "shape": "api",
            "ms": 20_000,
            "platform": None,
            "skipped": True,
        }
    )
    plays.append(
        {
            "i": 101,
            "track": "t1",
            "ended": last + timedelta(seconds=50),
            "shape": "api",
            "ms": 50_000,
            "platform": None,
            "skipped": False,
        }
    )
    for j, year in enumerate((2016, 2016, 2019)):  # years-late plays, imported last
        plays.append(
            {
                "i": 200 + j,
                "track": "t2",
                "ended": datetime(year, 12, 31, 23, 40 + j, tzinfo=UTC),
                "shape": "ext",
                "ms": 180_000,
                "platform": "web",
                "skipped": False,
                "late": True,
            }
        )
    return plays


def _publish(settings, events, raw: list[bytes] = ()) -> None:
    prod = kafka.producer(settings)
    for event in events:
        kafka.send(prod, settings, Topic.PLAYS, event)
    for value in raw:
        prod.send(topic_name(Topic.PLAYS, settings.topic_prefix), key=USER.encode(), value=value)
    prod.flush()
    prod.close()


def _run_once(spark, settings, checkpoint) -> None:
    from spark_jobs.plays import build_stream

    query = build_stream(spark, settings, checkpoint=checkpoint)
    try:
        query.processAllAvailable()
    finally:
        query.stop()
    assert query.exception() is None


def test_rollups_equal_ground_truth_across_restart(stack, spark, mongo_db, checkpoint_root):
    load_catalog(mongo_db)
    mongo_db.users.insert_one({"_id": USER, "time_zone": ZONE})
    plays = _logical_plays()
    live = [p for p in plays if not p.get("late")]
    first, second = live[: len(live) // 2], live[len(live) // 2 :]
    events_1 = [e for p in first for e in events(p, USER)]
    rng = random.Random(3)
    _publish(stack, events_1 + rng.sample(events_1, 5))  # redeliveries inside the stream
    checkpoint = checkpoint_root / "plays-gt"
    _run_once(spark, stack, checkpoint)

    # restart from the checkpoint: the rest out of order, a re-import of every export event,
    # years-late plays and malformed messages
    events_2 = [e for p in second for e in events(p, USER)]
    rng.shuffle(events_2)
    reimport = [e for p in live for e in events(p, USER) if e.source != "api"]
    late = [e for p in plays if p.get("late") for e in events(p, USER)]
    bad = [b"{broken json", b'{"schema_version": 1, "event_id": "x1", "user_id": "gt-user"}']
    _publish(stack, events_2 + reimport + late, raw=bad)
    _run_once(spark, stack, checkpoint)

    assert_rollups_match(mongo_db, USER, plays, ZONE)
    # the 2016 plays landed in 2016 (New York is still on Dec 31st at 23:40 UTC)
    assert mongo_db.rollup_totals.find_one({"_id": gold.period_id(USER, "year", "2016")})["plays"] == 2

    # the malformed messages: in dead_letters with their reason, and on the dead-letter topic
    letters = {d["payload"]: d for d in mongo_db.dead_letters.find({"stage": "spark.plays"})}
    assert "not valid JSON" in letters["{broken json"]["reason"]
    assert "required field" in letters[bad[1].decode()]["reason"]
    cons = kafka.consumer(stack, None, Topic.DEADLETTER, consumer_timeout_ms=10_000)
    seen = set()
    wanted = {b.decode() for b in bad}
    for message in cons:  # the topic is shared by the session: read until ours are all there
        seen.add(decode(DeadLetterEvent, message.value).payload)
        if wanted <= seen:
            break
    cons.close()
    assert wanted <= seen
    health = mongo_db.pipeline_health.find_one({"_id": "spark.plays"})
    assert health["kind"] == "spark" and "last_batch" in health["details"]


def test_late_evening_utc_play_lands_on_next_local_day(stack, spark, mongo_db, checkpoint_root):
    mongo_db.users.insert_one({"_id": TZ_USER, "time_zone": "Etc/GMT-2"})  # UTC+2, no DST
    play = PlayEvent(
        event_id="tz-1",
        user_id=TZ_USER,
        source="demo",
        track_id="t1",
        track_name="Halo",
        artist_names=["Beyoncé"],
        ended_at=datetime(2024, 6, 30, 23, 30, tzinfo=UTC),
        ms_played=200_000,
    )
    _publish(stack, [play])
    _run_once(spark, stack, checkpoint_root / "plays-tz")
    doc = mongo_db.plays.find_one({"user_id": TZ_USER})
    assert (doc["local_day"], doc["local_hour"]) == ("2024-07-01", 1)
    day = mongo_db.rollup_totals.find_one({"user_id": TZ_USER, "grain": "day"})
    assert day["period"] == "2024-07-01" and day["streams"] == 1
    assert mongo_db.rollup_totals.find_one({"user_id": TZ_USER, "grain": "month"})["period"] == "2024-07"


def test_a_dead_letter_the_broker_refuses_fails_the_batch(stack):
    """A letter larger than the producer's max.request.size (1 MiB) is refused by the real Kafka
    client: the publish raises (the batch runs again from its checkpoint) instead of logging
    it as sent."""
    from core.errors import EarshotError
    from spark_jobs.sinks import DeadLetters

    letters = DeadLetters(stack, "spark.plays")
    letters.publish([("u1", '{"reason": "small"}')])  # a normal one goes through
    with pytest.raises(EarshotError, match="1 dead letter"):
        letters.publish([("u1", '{"reason": "ok"}'), ("u1", "x" * 2_000_000)])
