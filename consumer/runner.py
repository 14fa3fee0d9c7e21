"""The loops every consumer role runs in: a Kafka batch loop and a periodic tick loop.

`KafkaLoop`: poll a batch → hand it to the role's handler (which writes MongoDB) → commit the
batch's offsets → heartbeat. Offsets are committed only after the handler returned, so a crash
at any point redelivers the batch and the idempotent writes make that harmless. A database
failure rewinds to the start of the batch and retries with back-off; nothing is skipped.

`TickLoop`: run a function every few seconds (alerts, milestones, lag) and heartbeat.

Both stop when the shared `threading.Event` is set (SIGTERM), within one poll timeout.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from kafka.consumer.fetcher import ConsumerRecord
from kafka.errors import KafkaError
from kafka.structs import OffsetAndMetadata, TopicPartition
from pymongo.database import Database
from pymongo.errors import PyMongoError

from core import health, kafka
from core.outage import reason
from core.settings import Settings
from core.topics import Topic

log = logging.getLogger("earshot.consumer")

Details = dict[str, Any]


def group_id(settings: Settings, role: str) -> str:
    """Consumer group of a role: `<topic_prefix>.consumer.<role>` (the lag monitor watches these)."""
    return f"{settings.topic_prefix}.consumer.{role}"


@dataclass
class Context:
    settings: Settings
    db: Database[dict[str, Any]]
    stop: threading.Event = field(default_factory=threading.Event)


class Pulse:
    """Heartbeats of one component, at most every `every` seconds unless forced."""

    def __init__(self, ctx: Context, component: str, kind: health.Kind = "consumer") -> None:
        self.ctx, self.component, self.kind = ctx, component, kind
        self.every = health.beat_interval(ctx.settings.heartbeat_stale_seconds)
        self.last = 0.0

    def beat(self, status: health.Status = "ok", details: Details | None = None, force: bool = False) -> None:
        if not force and time.monotonic() - self.last < self.every:
            return
        try:
            health.beat(self.ctx.db, self.component, self.kind, status, details)
            self.last = time.monotonic()
        except PyMongoError as exc:
            log.warning("%s: heartbeat failed: %s", self.component, reason(exc))


class BatchHandler(Protocol):
    def handle(self, records: list[ConsumerRecord]) -> None: ...


@dataclass
class KafkaLoop:
    """One consumer group reading `topics` and handing batches to `handler`."""

    component: str
    role: str
    topics: tuple[Topic, ...]
    handler: BatchHandler
    poll_timeout_ms: int = 500
    max_records: int = 1000
    overrides: dict[str, Any] = field(default_factory=dict)
    processed: int = 0
    batches: int = 0
    failures: int = 0
    last_batch_at: float | None = None

    def run(self, ctx: Context) -> None:
        pulse = Pulse(ctx, self.component)
        group = group_id(ctx.settings, self.role)
        # A crashed member holds its partitions until its session times out: keep that short
        # (the broker's minimum is 6 s) so a restarted consumer resumes within seconds.
        config = {"session_timeout_ms": 10_000, "heartbeat_interval_ms": 2_000, **self.overrides}
        consumer = kafka.consumer(ctx.settings, group, *self.topics, **config)
        log.info("%s: consuming %s as group %s", self.component, ", ".join(self.topics), group)
        backoff = 0.5
        try:
            while not ctx.stop.is_set():
                try:
                    records = consumer.poll(timeout_ms=self.poll_timeout_ms, max_records=self.max_records)
                except KafkaError as exc:
                    log.warning("%s: poll failed: %s", self.component, exc)
                    pulse.beat("degraded", self._details(consumer, group, reason(exc)))
                    ctx.stop.wait(1.0)
                    continue
                if records and not self._process(consumer, records):
                    pulse.beat(
                        "degraded", self._details(consumer, group, "database write failed"), force=True
                    )
                    ctx.stop.wait(backoff)
                    backoff = min(backoff * 2, 10.0)
                    continue
                backoff = 0.5
                pulse.beat("ok", self._details(consumer, group))
        finally:
            consumer.close(autocommit=False)
            log.info("%s: stopped after %d messages", self.component, self.processed)

    def _process(self, consumer: Any, records: dict[TopicPartition, list[ConsumerRecord]]) -> bool:
        batch = [record for part in records.values() for record in part]
        try:
            self.handler.handle(batch)
        except PyMongoError as exc:
            self.failures += 1
            log.warning("%s: write failed, retrying the batch: %s", self.component, reason(exc))
            for tp, part in records.items():
                consumer.seek(tp, part[0].offset)  # re-read exactly this batch
            return False
        offsets = {tp: OffsetAndMetadata(part[-1].offset + 1, "", -1) for tp, part in records.items()}
        try:
            consumer.commit(offsets)
        except KafkaError as exc:  # e.g. a rebalance: the batch comes again, writes are idempotent
            log.warning("%s: commit failed (batch will be redelivered): %s", self.component, exc)
        self.processed += len(batch)
        self.batches += 1
        self.last_batch_at = time.time()
        return True

    def _details(self, consumer: Any, group: str, error: str | None = None) -> Details:
        details: Details = {
            "group": group,
            "topics": list(self.topics),
            "assigned_partitions": len(consumer.assignment()),
            "processed": self.processed,
            "batches": self.batches,
            "failures": self.failures,
            "last_batch_at": self.last_batch_at,
        }
        if error:
            details["error"] = error
        return details


@dataclass
class TickLoop:
    """Calls `tick()` every `every` seconds; its returned dict goes into the heartbeat details."""

    component: str
    every: float
    tick: Callable[[], Details | None]
    ticks: int = 0

    def run(self, ctx: Context) -> None:
        pulse = Pulse(ctx, self.component)
        status: health.Status = "ok"
        details: Details = {}
        next_at = time.monotonic()
        while not ctx.stop.is_set():
            if time.monotonic() >= next_at:
                next_at = time.monotonic() + self.every
                try:
                    details = {**(self.tick() or {}), "ticks": self.ticks}
                    status = "ok"
                except (PyMongoError, KafkaError, OSError) as exc:
                    log.warning("%s: check failed: %s", self.component, reason(exc))
                    status, details = "degraded", {"error": reason(exc)}
                self.ticks += 1
                pulse.beat(status, details, force=True)
            pulse.beat(status, details)
            ctx.stop.wait(max(0.05, min(next_at - time.monotonic(), pulse.every)))
        log.info("%s: stopped after %d checks", self.component, self.ticks)
