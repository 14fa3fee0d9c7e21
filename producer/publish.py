"""A small publishing helper over `core.kafka`: keyed sends, delivery errors collected, flush.

with Publisher(settings) as pub:
    pub.send(Topic.PLAYS, play)
# leaving the block flushes and raises EarshotError if any message was not delivered
"""

from __future__ import annotations

import logging
from types import TracebackType
from typing import Any

from kafka import KafkaProducer

from core import kafka
from core.errors import EarshotError
from core.events import Event
from core.settings import Settings
from core.topics import Topic

log = logging.getLogger(__name__)

# Bulk imports trade a little latency for much larger batches.
BULK = {"linger_ms": 50, "batch_size": 1 << 20, "max_in_flight_requests_per_connection": 5}


class Publisher:
    """Counts what was sent and what failed; `flush()` raises if anything failed."""

    def __init__(self, settings: Settings, prod: KafkaProducer | None = None, **overrides: Any):
        self.settings = settings
        self._own = prod is None
        self.prod = prod or kafka.producer(settings, **overrides)
        self.sent = 0
        self.failures: list[str] = []

    def send(self, topic: Topic, event: Event) -> None:
        future = kafka.send(self.prod, self.settings, topic, event)
        future.add_errback(self._failed)
        self.sent += 1

    def _failed(self, exc: BaseException) -> None:
        self.failures.append(repr(exc))

    def flush(self, timeout: float = 60.0) -> None:
        self.prod.flush(timeout=timeout)
        if self.failures:
            count, first = len(self.failures), self.failures[0]
            self.failures.clear()
            raise EarshotError(f"{count} message(s) were not delivered to Kafka (first: {first})")

    def close(self) -> None:
        try:
            self.flush()
        finally:
            if self._own:
                self.prod.close(timeout=10)

    def __enter__(self) -> Publisher:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
