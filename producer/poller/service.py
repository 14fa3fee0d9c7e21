"""The Spotify poller: every connected user's plays and now-playing, plus the app's commands.

    python -m producer.poller            # until Ctrl-C / SIGTERM
    earshot poll --once                  # one round for every user

One thread, a schedule of small non-blocking calls: spotipy runs with retries disabled, so a
429 never sleeps inside a call — the loop that got it waits `Retry-After` (on the injectable
clock) while other users' loops and the now-playing loops carry on. QUOTA_EXCEEDED pauses all
loops; 401 refreshes the token; a revoked token marks the user `needs_reconnect`; 5xx and
network errors back off (bounded). Commands (connect/disconnect/list playlists, poll now)
arrive on the commands topic.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import signal
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import spotipy
from pydantic import ValidationError

from core import kafka, mongo
from core.collections import Coll
from core.errors import EarshotError
from core.events import CommandEvent, DeadLetterEvent, decode, utc_now
from core.health import beat, beat_interval
from core.logs import setup as setup_logging
from core.settings import Settings, get_settings
from core.topics import Topic
from producer.poller import backoff, commands
from producer.poller.metadata import Metadata
from producer.poller.spotify import ApiError, client, require_credentials
from producer.poller.tokens import TokenStore
from producer.poller.user_loops import Loop, UserLoops
from producer.publish import Publisher

log = logging.getLogger("producer.poller")
COMPONENT = "producer.poller"
ClientFactory = Callable[[Settings, TokenStore], spotipy.Spotify]


class Poller:
    def __init__(
        self,
        settings: Settings,
        db: Any,
        pub: Publisher,
        clock: backoff.Clock | None = None,
        make_client: ClientFactory = client,
    ):
        self.settings, self.db, self.pub = settings, db, pub
        self.clock = clock or backoff.SystemClock()
        self.make_client = make_client
        self.meta = Metadata(db, pub)
        self.users: dict[str, UserLoops] = {}
        self.published = 0

    # --- users -----------------------------------------------------------------------------------
    def refresh_users(self) -> None:
        connected = {
            d["_id"] for d in self.db[Coll.USERS.value].find({"spotify.status": "connected"}, {"_id": 1})
        }
        for user in connected - set(self.users):
            store = TokenStore(self.settings, self.db, user)
            self.users[user] = UserLoops.start(
                user, self.make_client(self.settings, store), store, self.clock.now()
            )
        for user in set(self.users) - connected:
            del self.users[user]

    def _status(self, user: str, **fields: Any) -> None:
        self.db[Coll.USERS.value].update_one(
            {"_id": user},
            {"$set": {**{f"spotify.{k}": v for k, v in fields.items()}, "updated_at": utc_now()}},
        )

    # --- the schedule ----------------------------------------------------------------------------
    def step(self) -> int:
        """Run every loop that is due now; returns how many ran."""
        ran = 0
        for user in list(self.users.values()):
            for loop in list(user.loops.values()):
                if user.user_id in self.users and loop.due <= self.clock.now():
                    self._run(user, loop)
                    ran += 1
        return ran

    def next_due(self) -> float:
        dues = [loop.due for u in self.users.values() for loop in u.loops.values()]
        return min(dues) if dues else self.clock.now() + 60

    def _run(self, user: UserLoops, loop: Loop) -> None:
        now = self.clock.now()
        try:
            if loop.kind == "recent":
                self.published += user.poll_recent(self.db, self.pub, self.meta, now)
                self.meta.lookup_artists(user.sp)
            else:
                user.poll_now(self.pub, now)
            loop.failures = 0
            loop.due = now + loop.interval
        except ApiError as exc:
            self._failed(user, loop, exc, now)

    def _failed(self, user: UserLoops, loop: Loop, exc: ApiError, now: float) -> None:
        loop.failures += 1
        if exc.kind == "revoked":
            log.warning(
                "%s: Spotify access was revoked; run `earshot connect --user %s` again",
                user.user_id,
                user.user_id,
            )
            self._status(
                user.user_id, status="needs_reconnect", message="Spotify access was revoked: reconnect"
            )
            del self.users[user.user_id]
            return
        if exc.kind == "unauthorized":
            user.store.force_expiry()
        delay = backoff.failure_delay(exc.kind, exc.retry_after, loop.failures)
        until = now + delay
        if exc.kind == "quota":
            log.warning("Spotify quota exhausted (QUOTA_EXCEEDED): pausing every loop for %.0f s", delay)
            for other in self.users.values():
                for each in other.loops.values():
                    each.due = max(each.due, until)
        else:
            log.warning("%s/%s: %s; next try in %.0f s", user.user_id, loop.kind, exc, delay)
            loop.due = until
        if exc.kind in ("rate_limited", "quota"):
            self._status(
                user.user_id,
                retry_after_until=datetime.fromtimestamp(until, UTC),
                message=f"{exc} — waiting {delay:.0f} s",
            )

    # --- commands --------------------------------------------------------------------------------
    def find_user(self, user_id: str) -> UserLoops | None:
        """A connected user's loops (re-reading the connected users once if it is new)."""
        if user_id not in self.users:
            self.refresh_users()
        return self.users.get(user_id)

    def handle(self, cmd: CommandEvent) -> None:
        commands.handle(cmd, db=self.db, pub=self.pub, find_user=self.find_user, now=self.clock.now())

    def poll_commands(self, consumer: Any) -> None:
        for records in consumer.poll(timeout_ms=200, max_records=20).values():
            for record in records:
                try:
                    self.handle(decode(CommandEvent, record.value))
                except (ValidationError, ValueError) as exc:
                    self.pub.send(
                        Topic.DEADLETTER,
                        DeadLetterEvent(
                            event_id=f"{COMPONENT}:{record.topic}:{record.partition}:{record.offset}",
                            user_id=(record.key or b"unknown").decode(errors="replace"),
                            stage=COMPONENT,
                            reason=f"bad command: {str(exc).splitlines()[0]}",
                            failed_at=utc_now(),
                            source_topic=record.topic,
                            partition=record.partition,
                            offset=record.offset,
                            payload=record.value.decode(errors="replace"),
                        ),
                    )
        self.pub.flush()
        consumer.commit()

    def run(self, stop: threading.Event, once: bool = False) -> None:
        consumer = kafka.consumer(self.settings, "earshot-producer", Topic.COMMANDS)
        last_users = last_beat = 0.0
        every = beat_interval(self.settings.heartbeat_stale_seconds)
        try:
            while not stop.is_set():
                now = self.clock.now()
                if now - last_users >= 60:
                    last_users = now
                    self.refresh_users()
                self.poll_commands(consumer)
                self.step()
                self.pub.prod.flush(timeout=10)
                if now - last_beat >= every:
                    last_beat = now
                    beat(
                        self.db,
                        COMPONENT,
                        "producer",
                        details={"users": len(self.users), "plays": self.published},
                    )
                if once:
                    return
                stop.wait(max(0.05, min(1.0, self.next_due() - self.clock.now())))
        finally:
            consumer.close()


def run(once: bool = False) -> int:
    logging.getLogger("spotipy").setLevel(logging.CRITICAL)  # we log classified errors ourselves
    settings = get_settings()
    require_credentials(settings)  # before waiting on anything: a missing setting is one line
    if settings.token_key is None:
        log.warning(
            "EARSHOT_TOKEN_KEY is not set: Spotify tokens are stored unencrypted under %s", settings.data_dir
        )
    kafka.wait_ready(settings, timeout_s=60)
    mongo.wait_ready(settings, timeout_s=60)
    kafka.ensure_topics(settings)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with Publisher(settings) as pub:
        poller = Poller(settings, mongo.database(settings), pub)
        with contextlib.suppress(KeyboardInterrupt):
            poller.run(stop, once=once)
        # a clean end is no missing heartbeat (nor one at the next start, before the first beat)
        details = {"stopped": "clean shutdown", "plays": poller.published}
        beat(poller.db, COMPONENT, "producer", "down", details)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m producer.poller",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--once", action="store_true", help="one round for every user, then exit")
    parser.add_argument("--log-level", default="INFO")
    args = parser.parse_args(argv)
    setup_logging(args.log_level)
    try:
        return run(once=args.once)
    except EarshotError as exc:
        log.error("%s", exc)
        return 1
