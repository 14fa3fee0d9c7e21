"""Pure logic of the consumers: now-playing expiry, milestones, lag, webhook body, raw documents."""

from __future__ import annotations

import argparse
import json
from datetime import UTC, datetime, timedelta

import pytest
from kafka.consumer.fetcher import ConsumerRecord
from kafka.structs import TopicPartition

from consumer import archive, health, milestones, webhook
from consumer.app import ROLES, parse_roles
from consumer.now_playing import current, latest_per_user
from consumer.raw import to_document
from core.errors import EarshotError
from core.events import NowPlayingEvent

T0 = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


def _np_doc(**over):
    doc = {
        "_id": "alice",
        "user_id": "alice",
        "observed_at": T0,
        "is_playing": True,
        "progress_ms": 10_000,
        "duration_ms": 200_000,
        "track_name": "Song",
        "artist_names": ["A"],
        "device_name": "Phone",
    }
    doc.update(over)
    return doc


def test_now_playing_fresh_state_extrapolates_progress():
    state = current(_np_doc(), T0 + timedelta(seconds=5), stale_seconds=120)
    assert state is not None
    assert state.progress_ms == 15_000
    assert state.track_name == "Song" and state.device_name == "Phone"
    assert state.age_seconds == pytest.approx(5)


def test_now_playing_progress_never_passes_the_track_length():
    state = current(_np_doc(progress_ms=199_000), T0 + timedelta(seconds=60), stale_seconds=120)
    assert state is not None and state.progress_ms == 200_000


def test_now_playing_paused_progress_stays_put():
    state = current(_np_doc(is_playing=False), T0 + timedelta(seconds=30), stale_seconds=120)
    assert state is not None and not state.is_playing and state.progress_ms == 10_000


def test_now_playing_expires_after_the_stale_window():
    assert current(_np_doc(), T0 + timedelta(seconds=120), stale_seconds=120) is not None
    assert current(_np_doc(), T0 + timedelta(seconds=121), stale_seconds=120) is None


def test_nothing_playing_without_a_document_or_a_track():
    assert current(None, T0, 120) is None
    assert current(_np_doc(is_playing=False, track_name=None, track_id=None), T0, 120) is None


def test_naive_observation_times_are_treated_as_utc():
    state = current(_np_doc(observed_at=T0.replace(tzinfo=None)), T0 + timedelta(seconds=1), 120)
    assert state is not None and state.observed_at == T0


def _np_event(user: str, seconds: int) -> NowPlayingEvent:
    return NowPlayingEvent(
        event_id=f"{user}-{seconds}",
        user_id=user,
        source="demo",
        observed_at=T0 + timedelta(seconds=seconds),
        is_playing=True,
    )


def test_latest_per_user_keeps_the_newest_observation_whatever_the_order():
    batch = [_np_event("a", 5), _np_event("b", 1), _np_event("a", 2), _np_event("a", 9), _np_event("a", 7)]
    latest = {e.user_id: e.event_id for e in latest_per_user(batch)}
    assert latest == {"a": "a-9", "b": "b-1"}


@pytest.mark.parametrize(
    ("streams", "step", "expected"),
    [(999, 1000, None), (1000, 1000, 1000), (2345, 1000, 2000), (0, 1000, None), (12, 5, 10)],
)
def test_streams_milestone_is_the_highest_step_reached(streams, step, expected):
    assert milestones.streams_reached(streams, step) == expected


def test_streak_record_only_while_the_current_streak_holds_it():
    assert milestones.streak_record({"longest_streak": 7, "current_streak": 7}) == 7
    assert milestones.streak_record({"longest_streak": 7, "current_streak": 3}) is None
    assert (
        milestones.streak_record({"longest_streak": 2, "current_streak": 2}) is None
    )  # too short to celebrate


def test_month_is_taken_in_the_users_time_zone():
    just_after_midnight_utc = datetime(2024, 6, 1, 0, 30, tzinfo=UTC)
    assert milestones.month_of(just_after_midnight_utc, "UTC") == "2024-06"
    assert milestones.month_of(just_after_midnight_utc, "America/New_York") == "2024-05"
    assert milestones.month_of(just_after_midnight_utc, "Not/AZone") == "2024-06"


def test_streaks_are_recomputed_from_active_days_as_of_the_users_today():
    stats = {"active_days": ["2024-05-28", "2024-05-29", "2024-05-30", "2024-05-31"], "current_streak": 4}
    # 1 June 00:30 UTC is still 31 May in New York: the streak holds there, and is a record
    now = datetime(2024, 6, 1, 0, 30, tzinfo=UTC)
    assert milestones.streak_record(milestones.current_streaks(stats, now, "America/New_York")) == 4
    assert milestones.streak_record(milestones.current_streaks(stats, now, "UTC")) == 4  # yesterday counts
    # two days later the stored current_streak (4) is stale: no record any more
    later = milestones.current_streaks(stats, now + timedelta(days=2), "UTC")
    assert (later["current_streak"], later["longest_streak"]) == (0, 4)
    assert milestones.streak_record(later) is None
    assert milestones.current_streaks({}, now, "Not/AZone")["longest_streak"] == 0


def test_top_artist_note_names_the_row_and_is_once_per_artist_and_month():
    row = {"key": "nora castell", "name": "Nora Castell", "streams": 12}
    note = milestones.top_artist_note("u", "2024-05", row)
    assert note.title == "New #1 artist this month: Nora Castell" and "(12 streams)" in note.body
    assert note.id == milestones.top_artist_note("u", "2024-05", row | {"streams": 20}).id
    assert note.id != milestones.top_artist_note("u", "2024-06", row).id
    assert note.id != milestones.top_artist_note("u", "2024-05", row | {"key": "ida"}).id


def test_milestone_ids_are_deterministic_and_distinct():
    assert milestones.streams_note("u", 2000).id == milestones.streams_note("u", 2000).id
    assert milestones.streams_note("u", 2000).id != milestones.streams_note("u", 3000).id
    assert milestones.streams_note("u", 2000).id != milestones.streams_note("v", 2000).id


def test_lag_is_end_minus_committed_or_from_the_beginning():
    tp0, tp1, tp2 = (TopicPartition("t", p) for p in range(3))
    lags = health.lag_by_topic({tp0: 40, tp1: -1}, {tp0: 50, tp1: 30, tp2: 7}, {tp0: 0, tp1: 10, tp2: 7})
    assert lags == {"t": {0: 10, 1: 20, 2: 0}}


@pytest.mark.parametrize(
    ("samples", "growing"),
    [
        ([10, 20, 30, 40], True),
        ([10, 20, 20, 40], False),
        ([40, 30, 20, 10], False),
        ([20, 30, 40], False),
        ([0, 1, 2, 3], False),  # below the minimum lag
        ([500, 5, 10, 20, 30], True),
    ],
)
def test_lag_growing_needs_a_steady_rise_above_the_minimum(samples, growing):
    assert health.is_growing(samples, min_lag=20, needed=4) is growing


def test_slack_payload_has_text_fallback_and_blocks():
    body = webhook.slack_payload(
        "Dead-letter spike", "12 rejected", severity="error", kind="alert", created_at=T0
    )
    assert body["text"].endswith("Dead-letter spike") and ":rotating_light:" in body["text"]
    assert [b["type"] for b in body["blocks"]] == ["header", "section", "context"]
    assert "2024-05-01 12:00 UTC" in body["blocks"][2]["elements"][0]["text"]
    json.dumps(body)  # serialisable as is


def test_backoff_doubles_and_is_capped():
    assert [webhook.backoff_delay(n, base=1.0, cap=10) for n in range(1, 7)] == [1, 2, 4, 8, 10, 10]


def test_raw_document_keeps_every_coordinate_and_replaces_bad_bytes():
    record = ConsumerRecord(
        "earshot.plays.v1", 2, -1, 17, 0, 0, b"alice", b'{"x": "\xff"}', [], None, 5, 8, -1
    )
    doc = to_document(record, T0)
    assert doc["_id"] == "earshot.plays.v1:2:17"
    assert (doc["topic"], doc["partition"], doc["offset"], doc["key"]) == ("earshot.plays.v1", 2, 17, "alice")
    assert doc["value"] == '{"x": "\ufffd"}' and doc["received_at"] == T0


def test_archive_appends_one_line_per_message_into_per_topic_daily_files(tmp_path):
    store = archive.Archive(tmp_path)
    docs = [
        {
            "_id": f"t:0:{i}",
            "topic": "t",
            "partition": 0,
            "offset": i,
            "key": "k",
            "value": "{}",
            "received_at": T0 + timedelta(hours=10 * i),
        }
        for i in range(3)
    ]
    store.append(docs[:2])
    store.append(docs[2:])
    files = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*.jsonl"))
    assert files == ["t/2024-05-01.jsonl", "t/2024-05-02.jsonl"]
    day1 = [json.loads(line) for line in (tmp_path / "t/2024-05-01.jsonl").read_text().splitlines()]
    assert [d["_id"] for d in day1] == ["t:0:0", "t:0:1"] and day1[0]["received_at"] == T0.isoformat()


def test_roles_parse_and_reject_unknown_names():
    assert parse_roles("") == list(ROLES)
    assert parse_roles("raw, now_playing") == ["raw", "now-playing"]
    with pytest.raises(EarshotError, match="unknown consumer role"):
        parse_roles("raw,bogus")


def test_cli_registers_consume_and_export_with_help():
    from consumer import cli

    parser = argparse.ArgumentParser()
    cli.register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["export", "--user", "alice", "--format", "parquet", "--out", "x"])
    assert (args.user, args.format, str(args.out)) == ("alice", "parquet", "x")
    assert parser.parse_args(["consume", "--only", "raw"]).only == "raw"
    with pytest.raises(SystemExit):
        parser.parse_args(["export", "--user", "a", "--format", "xml", "--out", "x"])
