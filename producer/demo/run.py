"""The demo listener: simulated users whose plays, now-playing states, playlists and catalogue
feed the real pipeline, so the dashboard moves without a Spotify account. All data is labelled
demo (`source='demo'`, users `demo-*` with `demo: true`).

    python -m producer.demo --speed 30 --users 3 --history-days 14
    earshot demo --help

First it publishes the demo users, a few demo playlists and a backfill of past days (the same
ids every time, so restarts change nothing downstream), then it plays live: at speed N a song
lasts 1/N of its length, and plays end at wall-clock time so the live view updates.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import random
import signal
import threading
import time
from collections.abc import Sequence
from datetime import datetime, timedelta

from core import kafka, mongo
from core.collections import Coll
from core.errors import EarshotError
from core.events import PlayEvent, stable_id, utc_now
from core.health import beat
from core.logs import setup as setup_logging
from core.settings import Settings, get_settings
from core.topics import Topic
from producer.demo.args import add_arguments
from producer.demo.catalog import DemoTrack, catalog_event, find_catalog, load_catalog
from producer.demo.live import LiveListener
from producer.demo.playlists import publish_playlists
from producer.demo.sim import Listener, Picker, SimPlay, ended_at, make_listeners, simulate_day
from producer.publish import Publisher

log = logging.getLogger("producer.demo")
COMPONENT = "producer.demo"


def play_event(
    listener: Listener, play: SimPlay, end: datetime | None = None, live: bool = False
) -> PlayEvent:
    end = end or ended_at(play)
    natural = ("demo-live", end.isoformat()) if live else ("demo", play.started_at.isoformat())
    t = play.track
    return PlayEvent(
        event_id=stable_id(*natural, listener.user_id, t.track_id, play.ms_played),
        user_id=listener.user_id,
        source="demo",
        kind="track",
        ended_at=end,
        ms_played=play.ms_played,
        track_id=t.track_id,
        track_uri=t.uri,
        track_name=t.name,
        artist_names=t.artists,
        album_name=t.album,
        duration_ms=t.duration_ms,
        context_uri=play.context_uri,
        platform=play.platform,
        shuffle=play.shuffle,
        skipped=play.skipped,
        offline=False,
        reason_start=play.reason_start,
        reason_end=play.reason_end,
        conn_country=listener.country,
        emitted_at=utc_now(),
    )


class Demo:
    def __init__(self, settings: Settings, catalog: Sequence[DemoTrack], users: int, publisher: Publisher):
        self.settings, self.pub = settings, publisher
        self.catalog = list(catalog)
        self.listeners = make_listeners(self.catalog, users)
        self.pickers = {lst.user_id: Picker(lst, self.catalog) for lst in self.listeners}
        self.db = mongo.database(settings)
        self.announced: set[str] = set()
        self.plays = 0

    def setup(self) -> None:
        now = utc_now()
        for lst in self.listeners:
            self.db[Coll.USERS.value].update_one(
                {"_id": lst.user_id},
                {
                    "$set": {
                        "display_name": lst.display_name,
                        "time_zone": lst.time_zone,
                        "demo": True,
                        "updated_at": now,
                    },
                    "$setOnInsert": {"spotify": {"status": "not_connected"}, "created_at": now},
                },
                upsert=True,
            )
            publish_playlists(self.pub, self.db, lst, self.pickers[lst.user_id])

    def publish(
        self, listener: Listener, play: SimPlay, end: datetime | None = None, live: bool = False
    ) -> None:
        if play.track.track_id not in self.announced:
            self.announced.add(play.track.track_id)
            self.pub.send(Topic.CATALOG, catalog_event(play.track))
        self.pub.send(Topic.PLAYS, play_event(listener, play, end, live))
        self.plays += 1

    def backfill(self, days: int, now: datetime | None = None) -> int:
        """Whole past local days (not today: the live simulation covers it). Returns plays published."""
        now = now or utc_now()
        before = self.plays
        for lst in self.listeners:
            today = now.astimezone(_zone(lst)).date()
            for back in range(days, 0, -1):
                for play in simulate_day(lst, self.pickers[lst.user_id], today - timedelta(days=back)):
                    self.publish(lst, play)
        self.pub.flush()
        log.info(
            "backfilled %d plays over %d days for %d demo users",
            self.plays - before,
            days,
            len(self.listeners),
        )
        return self.plays - before

    def live(
        self,
        speed: float,
        stop: threading.Event,
        duration: float | None = None,
        seed: int | None = None,
        tick: float = 1.0,
    ) -> None:
        rng = random.Random(seed if seed is not None else time.time_ns())
        now = utc_now()
        players = [
            LiveListener(lst, self.pickers[lst.user_id], random.Random(rng.random()), speed, now)
            for lst in self.listeners
        ]
        deadline = time.monotonic() + duration if duration is not None else None
        last_beat = 0.0
        while not stop.is_set() and (deadline is None or time.monotonic() < deadline):
            now = utc_now()
            for player in players:
                for play, end in player.advance(now):
                    self.publish(player.listener, play, end, live=True)
                state = player.now_playing(now)
                if state is not None:
                    self.pub.send(Topic.NOW_PLAYING, state)
            self.pub.prod.flush(timeout=10)
            if time.monotonic() - last_beat >= 5:
                last_beat = time.monotonic()
                beat(
                    self.db,
                    COMPONENT,
                    "producer",
                    details={"users": len(players), "plays": self.plays, "speed": speed},
                )
            stop.wait(tick)


def _zone(listener: Listener):  # type: ignore[no-untyped-def]
    from zoneinfo import ZoneInfo

    return ZoneInfo(listener.time_zone)


def run_from_args(args: argparse.Namespace) -> int:
    settings = get_settings()
    catalog = load_catalog(args.catalog or find_catalog(settings.kaggle_dir))
    kafka.wait_ready(settings, timeout_s=60)
    mongo.wait_ready(settings, timeout_s=60)
    kafka.ensure_topics(settings)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with Publisher(settings) as pub:
        demo = Demo(settings, catalog, args.users, pub)
        demo.setup()
        if args.history_days > 0:
            demo.backfill(args.history_days)
        beat(demo.db, COMPONENT, "producer", details={"users": len(demo.listeners), "plays": demo.plays})
        if not args.no_live:
            log.info(
                "demo listeners %s playing live at speed %g",
                [lst.user_id for lst in demo.listeners],
                args.speed,
            )
            with contextlib.suppress(KeyboardInterrupt):
                demo.live(args.speed, stop, args.duration, args.seed)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m producer.demo",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_arguments(parser)
    parser.add_argument("--log-level", default="INFO")
    args = parser.parse_args(argv)
    setup_logging(args.log_level)
    try:
        return run_from_args(args)
    except EarshotError as exc:
        log.error("%s", exc)
        return 1
