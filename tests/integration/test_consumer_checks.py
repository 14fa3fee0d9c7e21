"""Alert checks, lag measurement and export against the real FerretDB server and Kafka broker,
called in-process (the subprocess tests cover the loops around them)."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta

import pandas as pd
import pytest

from consumer.alerts import AlertChecker
from consumer.export import export_user
from consumer.health import LagMonitor
from consumer.runner import group_id
from core import kafka
from core.errors import EarshotError
from core.events import CommandEvent, utc_now
from core.settings import load_settings
from core.topics import Topic, topic_name

pytestmark = pytest.mark.integration


def _alerts(db, family):
    return list(db.notifications.find({"kind": "alert", "family": family}))


def test_dead_letter_spike_and_lost_spotify_auth_alert_once_and_resolve(stack, mongo_db):
    settings = load_settings(alert_deadletter_threshold=3, heartbeat_stale_seconds=3600)
    checker = AlertChecker(mongo_db, settings)
    now = utc_now()
    user = f"rc-{uuid.uuid4().hex[:6]}"
    mongo_db.dead_letters.insert_many(
        [
            {
                "_id": f"spike-{i}",
                "stage": "spark.plays",
                "reason": "ms_played: must be ≥ 0",
                "failed_at": now,
                "user_id": user,
            }
            for i in range(3)
        ]
    )
    mongo_db.users.insert_one(
        {
            "_id": user,
            "display_name": "Robin",
            "spotify": {"status": "needs_reconnect", "message": "refresh token revoked", "last_poll_at": now},
        }
    )
    checker.tick(now)
    checker.tick(now + timedelta(seconds=5))  # still true: still one alert each
    spike, reconnect = _alerts(mongo_db, "deadletters"), _alerts(mongo_db, "reconnect")
    in_window = mongo_db.dead_letters.count_documents({"failed_at": {"$gte": now - timedelta(minutes=5)}})
    assert (
        len(spike) == 1
        and f"{in_window} rejected" in spike[0]["title"]
        and "spark.plays (3)" in spike[0]["body"]
    )
    assert len(reconnect) == 1 and reconnect[0]["user_id"] == user and "Robin" in reconnect[0]["title"]
    assert reconnect[0]["webhook"] == {"status": "disabled", "attempts": 0}  # no URL configured

    mongo_db.users.update_one({"_id": user}, {"$set": {"spotify.status": "connected"}})
    later = now + timedelta(seconds=settings.alert_deadletter_window_seconds + 1)  # spike out of the window
    checker.tick(later)
    assert all(
        a["resolved_at"] is not None
        for a in _alerts(mongo_db, "deadletters") + _alerts(mongo_db, "reconnect")
    )

    mongo_db.users.update_one(
        {"_id": user}, {"$set": {"spotify.status": "needs_reconnect", "spotify.last_poll_at": later}}
    )
    checker.tick(later)  # a recurrence is a new alert
    assert len(_alerts(mongo_db, "reconnect")) == 2


def test_lag_is_measured_per_group_and_growing_lag_alerts(stack, mongo_db):
    prod = kafka.producer(stack)
    group = group_id(stack, f"lagtest-{uuid.uuid4().hex[:4]}")
    topic = topic_name(Topic.COMMANDS, stack.topic_prefix)

    def publish(n: int) -> None:
        for i in range(n):
            kafka.send(
                prod,
                stack,
                Topic.COMMANDS,
                CommandEvent(
                    event_id=uuid.uuid4().hex, user_id=f"u{i}", action="poll_now", requested_at=utc_now()
                ),
            )
        prod.flush()

    publish(10)
    cons = kafka.consumer(stack, group, Topic.COMMANDS, consumer_timeout_ms=10_000, max_poll_records=4)
    taken = 0
    while taken < 4:
        taken += sum(len(v) for v in cons.poll(timeout_ms=1000, max_records=4 - taken).values())
    cons.commit()
    cons.close(autocommit=False)

    monitor = LagMonitor(mongo_db, stack, min_lag=5)
    try:
        before = sum(monitor.measure()[(group, topic)].values())
        checker = AlertChecker(mongo_db, load_settings(heartbeat_stale_seconds=3600))
        for _ in range(4):  # the consumer is gone: every check finds more waiting
            publish(3)
            monitor.tick()
        doc = mongo_db.pipeline_health.find_one({"_id": f"lag:{group}:{topic}"})
        checker.tick()
        checker.tick()
    finally:
        monitor.close()
        prod.close()
    # the 4 committed messages are not lag; everything else on the topic is
    assert before >= 6 and doc["details"]["lag"] == before + 12
    assert doc["kind"] == "kafka_lag" and doc["status"] == "degraded" and doc["details"]["growing"]
    lag_alerts = [a for a in _alerts(mongo_db, "lag") if a["key"] == f"lag:{group}:{topic}"]
    assert len(lag_alerts) == 1 and group in lag_alerts[0]["title"]


def test_export_writes_a_users_plays_and_stats_in_every_format(mongo_db, tmp_path):
    user = f"ex-{uuid.uuid4().hex[:6]}"
    now = utc_now().replace(microsecond=0)
    mongo_db.plays.insert_many(
        [
            {
                "_id": f"{user}|{i}",
                "user_id": user,
                "ended_at": now - timedelta(minutes=i),
                "track_name": f"Song {i}",
                "artist_names": ["A", "B"],
                "ms_played": 1000 * i,
                "features": {"energy": 0.5} if i else None,
            }
            for i in range(5)
        ]
    )
    mongo_db.user_stats.insert_one({"_id": user, "longest_streak": 4, "total_streams": 5})
    mongo_db.plays.insert_one({"_id": "someone-else", "user_id": "other", "ended_at": now})
    for fmt in ("csv", "json", "parquet"):
        counts = export_user(mongo_db, user, fmt, tmp_path / fmt)
        assert counts == {"plays": 5, "user_stats": 1, "rollup_totals": 0, "rollup_entities": 0}
        path = tmp_path / fmt / f"plays.{fmt}"
        frame = (
            pd.read_json(path)
            if fmt == "json"
            else pd.read_csv(path)
            if fmt == "csv"
            else pd.read_parquet(path)
        )
        assert list(frame["track_name"]) == [f"Song {i}" for i in reversed(range(5))]  # oldest first
        assert set(frame["_id"]) == {f"{user}|{i}" for i in range(5)}
        assert not (tmp_path / fmt / "rollup_totals.csv").exists()
    assert json.loads(pd.read_csv(tmp_path / "csv" / "plays.csv")["artist_names"][0]) == ["A", "B"]
    with pytest.raises(EarshotError, match="no plays or statistics"):
        export_user(mongo_db, "nobody-at-all", "csv", tmp_path / "none")
