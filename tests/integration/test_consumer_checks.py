"""Alert checks, lag measurement and export against the real FerretDB server and Kafka broker,
called in-process (the subprocess tests cover the loops around them)."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta

import pandas as pd
import pytest

from consumer import milestones
from consumer.alerts import AlertChecker
from consumer.export import export_user
from consumer.health import LagMonitor
from consumer.runner import group_id
from core import kafka
from core.errors import EarshotError
from core.events import CommandEvent, utc_now
from core.settings import load_settings
from core.topics import Topic, topic_name
from tests.integration.gold import listen, write_plays

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


def _frame(path):
    if path.suffix == ".json":
        return pd.read_json(path, dtype=False)
    return pd.read_csv(path, dtype={"period": str}) if path.suffix == ".csv" else pd.read_parquet(path)


def _nested(value):
    return json.loads(value) if isinstance(value, str) else value


def test_export_writes_a_users_plays_and_stats_in_every_format(stack, mongo_db, tmp_path):
    user = f"ex-{uuid.uuid4().hex[:6]}"
    march = datetime(2025, 3, 1, 10, tzinfo=UTC)
    write_plays(
        mongo_db,
        stack,
        user,
        [
            listen(march, "Song A", "Nora", ms=60_000),
            listen(march + timedelta(minutes=5), "Song B", "Nora", ms=120_000),
            listen(march + timedelta(minutes=10), "Song A", "Nora", ms=180_000),
            listen(march + timedelta(minutes=15), "Song C", "Ida", ms=6_000),  # a skip, not a stream
            listen(datetime(2025, 4, 2, 8, tzinfo=UTC), "Song A", "Nora", ms=240_000),
        ],
    )
    write_plays(mongo_db, stack, "someone-else", [listen(march, "Song A", "Nora")])
    for fmt in ("csv", "json", "parquet"):
        counts = export_user(mongo_db, user, fmt, tmp_path / fmt)
        # totals: 2 days, 2 months, 1 year, all time; entities (track + artist rows): days 5 + 2,
        # months 5 + 2, year 5, all 5
        assert counts == {"plays": 5, "user_stats": 1, "rollup_totals": 6, "rollup_entities": 24}
        plays = _frame(tmp_path / fmt / f"plays.{fmt}")
        assert list(plays["track_name"]) == ["Song A", "Song B", "Song A", "Song C", "Song A"]  # oldest first
        assert set(plays["user_id"]) == {user}
        stats = _frame(tmp_path / fmt / f"user_stats.{fmt}")
        assert list(stats["total_streams"]) == [4]
        assert _nested(stats["active_days"][0]) == ["2025-03-01", "2025-04-02"]

        totals = _frame(tmp_path / fmt / f"rollup_totals.{fmt}")
        assert [(g, str(p)) for g, p in zip(totals["grain"], totals["period"], strict=True)] == [
            ("day", "2025-03-01"),
            ("day", "2025-04-02"),
            ("month", "2025-03"),
            ("month", "2025-04"),
            ("year", "2025"),
            ("all", "all"),
        ]
        assert "play_ids" not in totals.columns
        day = totals.iloc[0]
        assert (day["streams"], day["plays"], day["skips"]) == (3, 4, 1)
        assert day["minutes"] == pytest.approx(6.1)
        assert _nested(totals.iloc[4]["series"])["2025-04"]["streams"] == 1

        ents = _frame(tmp_path / fmt / f"rollup_entities.{fmt}")
        assert set(ents["user_id"]) == {user}
        year = ents[(ents["grain"] == "year") & (ents["entity_type"] == "track")]
        assert list(year["name"]) == ["Song A", "Song B", "Song C"] and list(year["rank"]) == [1, 2, 3]
        song_a = year.iloc[0]
        assert (song_a["streams"], song_a["plays"], song_a["artist_name"]) == (3, 3, "Nora")
        assert song_a["minutes"] == pytest.approx(8.0)
        assert _nested(song_a["series"]) == {"2025-03": 2, "2025-04": 1}
        artists = ents[(ents["grain"] == "all") & (ents["entity_type"] == "artist")]
        assert list(zip(artists["name"], artists["streams"], strict=True)) == [("Nora", 4), ("Ida", 0)]
    with pytest.raises(EarshotError, match="no plays or statistics"):
        export_user(mongo_db, "nobody-at-all", "csv", tmp_path / "none")


def test_milestones_come_from_user_stats_and_the_months_artist_document(stack, mongo_db):
    """5-stream steps, #1 artist of the month with ≥ 5 streams, a streak of ≥ 3 days still going."""
    now = datetime(2026, 3, 10, 12, tzinfo=UTC)
    fan, casual = f"fan-{uuid.uuid4().hex[:6]}", f"casual-{uuid.uuid4().hex[:6]}"
    day = timedelta(days=1)
    write_plays(
        mongo_db,
        stack,
        fan,
        [listen(now - 2 * day, "Old", "Nora"), listen(now - day, "Old", "Nora")]
        + [listen(now - timedelta(minutes=5 * i), f"New {i}", "Ida Brandt") for i in range(1, 7)],
    )
    write_plays(
        mongo_db,
        stack,
        casual,
        [listen(now - 5 * day, "Once", "Nora"), listen(now - 4 * day, "Twice", "Nora")]
        + [listen(now - timedelta(minutes=5 * i), "Again", "Nora") for i in range(1, 3)],
    )
    notes = {(n.user_id, n.title): n for n in milestones.scan(mongo_db, now, 5, "UTC")}
    assert set(notes) == {
        (fan, "5 streams!"),
        (fan, "New #1 artist this month: Ida Brandt"),
        (fan, "Streak record: 3 days in a row"),
    }
    assert "(6 streams)" in notes[(fan, "New #1 artist this month: Ida Brandt")].body
    # a month later the streak is over and March's #1 no longer counts
    later = {n.title for n in milestones.scan(mongo_db, now + 31 * day, 5, "UTC") if n.user_id == fan}
    assert later == {"5 streams!"}
