"""Heartbeats of a streaming job on a timer, whether or not data arrives.

Spark runs no micro-batch while a topic is idle, so a heartbeat written only from the batch
function goes silent on a healthy job (and during one long batch). `QueryPulse` beats from a
daemon thread on the driver every `core.health.beat_interval` while the query is active, with
the query's status (`details.state`, e.g. "Waiting for data to arrive") and the last batch's
numbers (handed over by the batch function through `batch(...)`, which also beats at once).

Silence therefore means the process or its query is gone: when the query stops cleanly (also
on SIGTERM / Ctrl-C: `session.run_stream` stops it and `wait_reported`) the pulse reports
status 'down' (no alert, also not when the stack starts again later); when the query fails or
the process is killed the beats stop and the alerts consumer raises "… stopped sending
heartbeats" after the stale window.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from pyspark.sql.streaming import StreamingQuery

from core import health, mongo
from core.outage import reason
from core.settings import Settings

log = logging.getLogger("earshot.spark.pulse")
_threads: list[threading.Thread] = []


def wait_reported(timeout: float = 10.0) -> None:
    """After stopping the queries: let their pulses write the final 'down' before the process
    exits (the threads are daemons)."""
    for thread in _threads:
        thread.join(timeout)


class QueryPulse:
    """The `pipeline_health` document of one streaming job (`component`, kind 'spark')."""

    def __init__(self, settings: Settings, component: str) -> None:
        self.settings, self.component = settings, component
        self.every = health.beat_interval(settings.heartbeat_stale_seconds)
        self.last_batch: dict[str, Any] = {}
        self.state = "starting"
        self._lock = threading.Lock()
        self._client: Any = None

    def batch(self, details: dict[str, Any]) -> None:
        """A batch finished: remember its numbers and beat now."""
        with self._lock:
            self.last_batch = dict(details)
        self._beat_quietly()  # the batch is written: a heartbeat that fails must not fail it

    def beat(self, status: health.Status = "ok", **extra: Any) -> None:
        with self._lock:
            details = {**self.last_batch, "state": self.state, **extra}
            if self._client is None:
                self._client = mongo.client(self.settings)
            client = self._client
        health.beat(client[self.settings.mongo_db], self.component, "spark", status, details)

    def watch(self, query: StreamingQuery) -> threading.Thread:
        """Beat on a timer while `query` runs (a daemon thread: it dies with the process)."""
        name = f"pulse-{self.component}"
        thread = threading.Thread(target=self._run, args=(query,), name=name, daemon=True)
        thread.start()
        _threads.append(thread)
        return thread

    def _run(self, query: StreamingQuery) -> None:
        stop = threading.Event()
        try:
            while query.isActive:
                self.state = str(query.status.get("message") or "running")
                self._beat_quietly()
                stop.wait(self.every)
            failed = query.exception()
        except Exception as exc:  # the session went away under us (shutdown): nothing to report
            log.debug("%s: pulse stopped: %s", self.component, exc)
            return
        if failed is None:
            self.state = "stopped"
            self._beat_quietly("down", stopped="query stopped cleanly")
        else:  # stay silent: the stale alert follows, and the log has the error
            log.error("%s: query failed: %s", self.component, failed)

    def _beat_quietly(self, status: health.Status = "ok", **extra: Any) -> None:
        try:
            self.beat(status, **extra)
        except Exception as exc:  # MongoDB away for a moment: the next beat tries again
            log.warning("%s: heartbeat failed: %s", self.component, reason(exc))
