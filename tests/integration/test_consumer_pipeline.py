"""The consumer process end to end: real broker, real FerretDB, `python -m consumer` subprocesses,
a local HTTP server standing in for the Slack webhook."""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from consumer.health import LagMonitor
from consumer.now_playing import current
from consumer.runner import group_id
from core import kafka
from core.events import NowPlayingEvent, PlayEvent, decode, utc_now
from core.health import is_stale
from core.topics import Topic, topic_name
from tests.integration.gold import listen, write_plays
from tests.processes import Consumer, wait_for

pytestmark = pytest.mark.integration


@pytest.fixture
def consumers(tmp_path: Path) -> Iterator[Callable[..., Consumer]]:
    started: list[Consumer] = []

    def start(roles: str, **env: str) -> Consumer:
        started.append(Consumer(roles, tmp_path, **env))
        return started[-1]

    yield start
    for proc in started:
        proc.stop()


class Hook(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        server: Any = self.server
        with server.lock:
            status = 500 if server.failing else 200
            server.calls.append((status, body))
        self.send_response(status)
        self.end_headers()
        self.wfile.write(b"ok" if status == 200 else b"boom")

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def webhook_server() -> Iterator[Any]:
    server: Any = ThreadingHTTPServer(("127.0.0.1", 0), Hook)
    server.lock, server.calls, server.failing = threading.Lock(), [], False
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    server.url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    yield server
    server.shutdown()
    server.server_close()


def calls_matching(server: Any, text: str) -> list[tuple[int, dict[str, Any]]]:
    with server.lock:
        return [(status, body) for status, body in server.calls if text in body["text"]]


def assigned(db: Any, component: str) -> bool:
    doc = db.pipeline_health.find_one({"_id": component})
    return bool(doc and doc["status"] == "ok" and doc["details"].get("assigned_partitions"))


def _play(i: int, user: str) -> PlayEvent:
    return PlayEvent(
        event_id=f"{user}-{i}",
        user_id=user,
        source="demo",
        ms_played=120_000,
        ended_at=datetime(2024, 5, 1, tzinfo=UTC) + timedelta(minutes=3 * i),
        track_name=f"Song {i}",
    )


def _history(streams: int, skips: int) -> list[dict[str, Any]]:
    """Plays on one old day (no streak, no #1 artist of the current month): only the streams
    milestone can fire."""
    start = datetime(2025, 1, 15, 8, tzinfo=UTC)
    return [listen(start + timedelta(minutes=4 * i), f"Song {i}", f"Artist {i}") for i in range(streams)] + [
        listen(start + timedelta(hours=5, minutes=i), "Skipped", "Artist", ms=5_000) for i in range(skips)
    ]


def test_raw_landing_holds_every_message_exactly_once_after_a_sigkill(stack, mongo_db, consumers):
    user, total = f"raw-{uuid.uuid4().hex[:6]}", 3000
    first = consumers("raw")
    wait_for(lambda: assigned(mongo_db, "consumer.raw"), 60, "the raw consumer to join its group")

    prod = kafka.producer(stack)
    futures: list[Any] = []
    finished = threading.Event()

    def publish() -> None:
        for i in range(total):
            futures.append(kafka.send(prod, stack, Topic.PLAYS, _play(i, user)))
            if i % 100 == 99:
                prod.flush()
                time.sleep(0.1)  # a stream, not one burst
        prod.flush()
        finished.set()

    threading.Thread(target=publish, daemon=True).start()
    landed = lambda: mongo_db.raw_events.count_documents({"key": user})  # noqa: E731
    wait_for(lambda: landed() >= 300, 60, "the first messages to land")
    first.proc.kill()  # SIGKILL: no clean shutdown, no final commit
    first.proc.wait(10)
    at_kill = landed()
    assert not finished.is_set() and at_kill < total, "the consumer must die in the middle of the stream"

    # (a bulk write in flight at the kill may still complete server-side: written, never committed,
    # so the restarted consumer gets those messages again — the case exactly-once is about)
    assert finished.wait(60)
    consumers("raw")
    wait_for(lambda: landed() >= total, 90, "every message after the restart")

    expected = {f"{md.topic}:{md.partition}:{md.offset}" for md in (f.get(timeout=10) for f in futures)}
    docs = list(mongo_db.raw_events.find({"key": user}))
    assert len(docs) == total and {d["_id"] for d in docs} == expected
    assert sorted(decode(PlayEvent, d["value"]).event_id for d in docs) == sorted(
        f"{user}-{i}" for i in range(total)
    )
    plays_topic = topic_name(Topic.PLAYS, stack.topic_prefix)
    assert all(d["topic"] == plays_topic and d["received_at"].tzinfo for d in docs)

    # and the offsets were committed behind the writes: the restarted group ends with no lag
    monitor = LagMonitor(mongo_db, stack)
    try:
        lag = wait_for(
            lambda: monitor.measure().get((group_id(stack, "raw"), plays_topic)) or None,
            30,
            "committed offsets of the raw group",
        )
        wait_for(
            lambda: sum(monitor.measure()[(group_id(stack, "raw"), plays_topic)].values()) == 0,
            30,
            f"zero lag (was {lag})",
        )
    finally:
        monitor.close()


def test_now_playing_shows_up_quickly_keeps_the_newest_and_expires(stack, mongo_db, consumers):
    proc = consumers("now-playing")
    wait_for(lambda: assigned(mongo_db, "consumer.now_playing"), 60, "the now-playing consumer to join")
    user, old_user = f"np-{uuid.uuid4().hex[:6]}", f"np-old-{uuid.uuid4().hex[:6]}"
    prod = kafka.producer(stack)
    stale = stack.now_playing_stale_seconds
    live = NowPlayingEvent(
        event_id="np-1",
        user_id=user,
        source="demo",
        observed_at=utc_now(),
        is_playing=True,
        progress_ms=1000,
        duration_ms=180_000,
        track_name="Live Song",
        artist_names=["Live Artist"],
        device_name="Kitchen",
        device_type="Speaker",
    )
    sent = time.monotonic()
    kafka.send(prod, stack, Topic.NOW_PLAYING, live).get(timeout=10)
    doc = wait_for(
        lambda: mongo_db.now_playing.find_one({"_id": user}), 10, "the now-playing document", 0.005
    )
    latency = time.monotonic() - sent
    assert latency < 2.0, f"now-playing took {latency:.3f}s"
    state = current(doc, utc_now(), stale)
    assert state and state.is_playing and state.track_name == "Live Song" and state.device_name == "Kitchen"

    # an older observation arriving late never replaces the newer one
    late = live.model_copy(
        update={
            "event_id": "np-0",
            "observed_at": live.observed_at - timedelta(seconds=30),
            "track_name": "Earlier Song",
        }
    )
    kafka.send(prod, stack, Topic.NOW_PLAYING, late).get(timeout=10)
    # same key → same partition → handled after `late`: once its dead letter is stored, `late` was seen
    prod.send(
        topic_name(Topic.NOW_PLAYING, stack.topic_prefix),
        key=user.encode(),
        value=b'{"user_id": "' + user.encode() + b'", "is_playing": "maybe"}',
    ).get(timeout=10)
    letter = wait_for(
        lambda: mongo_db.dead_letters.find_one({"stage": "consumer.now_playing", "user_id": user}),
        10,
        "the dead letter of the invalid message",
    )
    assert "invalid NowPlayingEvent" in letter["reason"] and "is_playing" in letter["reason"]
    assert mongo_db.now_playing.find_one({"_id": user})["track_name"] == "Live Song"

    # an old observation is stored but already expired; the live one expires after the window
    old = live.model_copy(
        update={
            "event_id": "np-old",
            "user_id": old_user,
            "observed_at": utc_now() - timedelta(seconds=stale + 60),
        }
    )
    kafka.send(prod, stack, Topic.NOW_PLAYING, old).get(timeout=10)
    old_doc = wait_for(lambda: mongo_db.now_playing.find_one({"_id": old_user}), 10, "the old observation")
    assert current(old_doc, utc_now(), stale) is None and old_doc["expires_at"] < utc_now()
    assert current(doc, doc["observed_at"] + timedelta(seconds=stale + 1), stale) is None
    prod.close()
    assert proc.stop() == 0
    assert mongo_db.pipeline_health.find_one({"_id": "consumer.now_playing"})["status"] == "down"


def test_a_milestone_and_a_stopped_component_each_notify_once(stack, mongo_db, consumers, webhook_server):
    fast = {"EARSHOT_HEARTBEAT_STALE_SECONDS": "4", "EARSHOT_ALERT_INTERVAL_SECONDS": "0.5"}
    worker = consumers("raw", **fast)
    wait_for(lambda: assigned(mongo_db, "consumer.raw"), 60, "the raw consumer's heartbeat")
    consumers("alerts", EARSHOT_WEBHOOK_URL=webhook_server.url, EARSHOT_MILESTONE_STREAMS_STEP="10", **fast)
    wait_for(
        lambda: (
            (d := mongo_db.pipeline_health.find_one({"_id": "consumer.alerts"})) and d["details"].get("ticks")
        ),
        60,
        "the alerts loop",
    )

    user = f"ms-{uuid.uuid4().hex[:6]}"
    write_plays(mongo_db, stack, user, _history(23, 2))  # 23 streams: the 20th is a milestone (step 10)
    wait_for(lambda: calls_matching(webhook_server, "20 streams"), 30, "the milestone webhook call")

    worker.proc.kill()  # the raw consumer dies without a word
    wait_for(
        lambda: calls_matching(webhook_server, "consumer.raw stopped sending heartbeats"),
        30,
        "the missing-heartbeat webhook call",
    )
    raw = mongo_db.pipeline_health.find_one({"_id": "consumer.raw"})
    assert is_stale(raw, utc_now(), timedelta(seconds=4)) and raw["status"] == "ok"  # never said goodbye
    alerts = mongo_db.pipeline_health.find_one({"_id": "consumer.alerts"})
    assert not is_stale(alerts, utc_now(), timedelta(seconds=4))

    time.sleep(3)  # six more checks: nothing is notified twice
    milestone = list(mongo_db.notifications.find({"user_id": user, "kind": "milestone"}))
    stale = list(mongo_db.notifications.find({"kind": "alert", "key": "stale:consumer.raw"}))
    assert len(milestone) == 1 and milestone[0]["title"] == "20 streams!"
    assert len(stale) == 1 and stale[0]["severity"] == "error" and stale[0]["resolved_at"] is None
    assert len(calls_matching(webhook_server, "20 streams")) == 1
    assert len(calls_matching(webhook_server, "consumer.raw stopped")) == 1
    for note in (milestone[0], stale[0]):
        assert note["webhook"]["status"] == "sent" and note["webhook"]["attempts"] == 1
    status, body = calls_matching(webhook_server, "20 streams")[0]
    assert status == 200 and body["blocks"][0]["text"]["text"] == "20 streams!"

    # the component comes back: the alert resolves
    consumers("raw", **fast)
    wait_for(
        lambda: mongo_db.notifications.find_one({"_id": stale[0]["_id"]})["resolved_at"],
        30,
        "the alert to resolve",
    )


def test_a_failing_webhook_is_retried_and_never_blocks_the_consumer(
    stack, mongo_db, consumers, webhook_server
):
    webhook_server.failing = True
    proc = consumers(
        "raw,alerts",
        EARSHOT_WEBHOOK_URL=webhook_server.url,
        EARSHOT_ALERT_INTERVAL_SECONDS="0.5",
        EARSHOT_MILESTONE_STREAMS_STEP="10",
    )
    wait_for(lambda: assigned(mongo_db, "consumer.raw"), 60, "the raw consumer")
    user = f"wh-{uuid.uuid4().hex[:6]}"
    write_plays(mongo_db, stack, user, _history(12, 1))
    wait_for(lambda: len(calls_matching(webhook_server, "10 streams")) >= 2, 30, "a retried delivery")
    note = mongo_db.notifications.find_one({"user_id": user})
    assert note["webhook"]["status"] in {"retrying", "queued"} and note["webhook"]["attempts"] >= 1

    prod = kafka.producer(stack)  # meanwhile the stream goes on
    for i in range(200):
        kafka.send(prod, stack, Topic.PLAYS, _play(i, user))
    prod.flush()
    prod.close()
    wait_for(lambda: mongo_db.raw_events.count_documents({"key": user}) == 200, 30, "plays during the outage")
    assert all(status == 500 for status, _ in calls_matching(webhook_server, "10 streams"))

    webhook_server.failing = False
    sent = wait_for(
        lambda: (
            (n := mongo_db.notifications.find_one({"user_id": user}))["webhook"]["status"] == "sent" and n
        ),
        60,
        "delivery once the webhook recovers",
    )
    calls = calls_matching(webhook_server, "10 streams")
    assert [s for s, _ in calls].count(200) == 1 and calls[-1][0] == 200
    assert sent["webhook"]["attempts"] == len(calls) >= 3
    assert proc.alive()
