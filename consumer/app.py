"""Wiring of the consumer process: which loops a role runs, threads, clean shutdown.

`run(settings, roles)` waits (bounded) for Kafka and MongoDB, makes sure topics and indexes
exist, starts one thread per loop and returns when SIGTERM/SIGINT arrives (exit 0) or a loop
dies of an unexpected error (exit 1, so `earshot run` restarts the process). On a clean stop
every component reports status 'down', so no "missing heartbeat" alert follows.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable, Sequence
from typing import Protocol

from consumer.alerts import AlertChecker
from consumer.archive import Archive, archive_dir
from consumer.health import LagMonitor
from consumer.now_playing import NowPlayingSink
from consumer.raw import RawSink
from consumer.runner import Context, KafkaLoop, TickLoop
from consumer.webhook import WebhookWorker
from core import health, kafka, mongo
from core.errors import EarshotError
from core.settings import Settings
from core.topics import TOPIC_SPECS, Topic

log = logging.getLogger("earshot.consumer")
ROLES = ("raw", "now-playing", "alerts", "health")


class Loop(Protocol):
    component: str

    def run(self, ctx: Context) -> None: ...


def parse_roles(value: str | None) -> list[str]:
    """'raw,now-playing' → ['raw', 'now-playing']; None or '' → every role."""
    if not value:
        return list(ROLES)
    roles = [r.strip().replace("_", "-") for r in value.split(",") if r.strip()]
    unknown = sorted(set(roles) - set(ROLES))
    if unknown:
        raise EarshotError(f"unknown consumer role(s) {', '.join(unknown)}; choose from {', '.join(ROLES)}")
    return roles


def build_loops(ctx: Context, roles: Sequence[str], cleanup: list[Callable[[], None]]) -> list[Loop]:
    settings, db = ctx.settings, ctx.db
    loops: list[Loop] = []
    if "raw" in roles:
        archive = Archive(archive_dir(settings.data_dir)) if settings.archive_enabled else None
        topics = tuple(spec.topic for spec in TOPIC_SPECS)
        loops.append(
            KafkaLoop("consumer.raw", "raw", topics, RawSink(db, settings, archive), max_records=2000)
        )
    if "now-playing" in roles:
        producer = kafka.producer(settings)
        cleanup.append(lambda: producer.close(timeout=5))
        loops.append(
            KafkaLoop(
                "consumer.now_playing",
                "now_playing",
                (Topic.NOW_PLAYING,),
                NowPlayingSink(db, settings, producer),
                poll_timeout_ms=100,
                max_records=500,
                overrides={"fetch_max_wait_ms": 50},
            )
        )
    if "alerts" in roles:
        worker = None
        if settings.webhook_url is not None:
            worker = WebhookWorker(db, settings.webhook_url.get_secret_value())
            loops.append(worker)
        checker = AlertChecker(db, settings, on_new=worker.wake if worker else None)
        loops.append(TickLoop("consumer.alerts", settings.alert_interval_seconds, checker.tick))
    if "health" in roles:
        monitor = LagMonitor(db, settings)
        cleanup.append(monitor.close)
        loops.append(TickLoop("consumer.health", settings.alert_interval_seconds, monitor.tick))
    return loops


def _wait_for_services(settings: Settings) -> None:
    try:
        kafka.wait_ready(settings, timeout_s=60)
        mongo.wait_ready(settings, timeout_s=60)
    except TimeoutError as exc:
        raise EarshotError(f"{exc} (is the stack up? `earshot stack up`)") from None


def run(settings: Settings, roles: Sequence[str], install_signals: bool = True) -> int:
    _wait_for_services(settings)
    kafka.ensure_topics(settings)
    client = mongo.client(settings)
    ctx = Context(settings, client[settings.mongo_db])
    mongo.ensure_indexes(ctx.db)
    if install_signals:
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: ctx.stop.set())
    cleanup: list[Callable[[], None]] = [client.close]
    loops = build_loops(ctx, roles, cleanup)
    failed: list[str] = []
    threads = [
        threading.Thread(target=_guard, args=(loop, ctx, failed), name=loop.component, daemon=True)
        for loop in loops
    ]
    for thread in threads:
        thread.start()
    log.info("consumer running: %s (Ctrl-C or SIGTERM to stop)", ", ".join(roles))
    while not ctx.stop.wait(0.5):
        pass
    for thread in threads:
        thread.join(timeout=15)
    if not failed:
        for loop in loops:
            _report_down(ctx, loop.component)
    for step in reversed(cleanup):
        try:
            step()
        except Exception as exc:
            log.warning("cleanup: %s", exc)
    return 1 if failed else 0


def _guard(loop: Loop, ctx: Context, failed: list[str]) -> None:
    try:
        loop.run(ctx)
    except Exception:
        log.exception("%s crashed; stopping the consumer process", loop.component)
        failed.append(loop.component)
        ctx.stop.set()


def _report_down(ctx: Context, component: str) -> None:
    try:
        health.beat(ctx.db, component, "consumer", "down", {"stopped": "clean shutdown"})
    except Exception as exc:
        log.warning("could not report %s down: %s", component, exc)
