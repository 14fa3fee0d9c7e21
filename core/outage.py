"""Riding out a MongoDB outage: run a unit of work again while the server is unreachable, with a
growing pause, for at most `Settings.mongo_outage_seconds`, then fail with one clear message.

    stats = retry_while_unreachable(partial(batch.run, db), limit_s=600, what="the batch of user u1")

Only connection failures are retried (pymongo's `ConnectionFailure`: refused, reset, server
selection timed out, not primary or shutting down); any other error is a bug or bad data and
raises at once. The work must be safe to run again after it failed halfway: the plays job's
per-user batch is (`pipeline.store.UserBatch`). While the server is away each attempt waits in
pymongo's server selection (30 s by default), so a returning server is used within a second.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TypeVar

from pymongo.errors import ConnectionFailure

from core.errors import EarshotError

log = logging.getLogger("earshot.outage")
T = TypeVar("T")


class DatabaseUnreachable(EarshotError):
    """MongoDB stayed unreachable for longer than the configured limit."""


def retry_while_unreachable(
    work: Callable[[], T],
    limit_s: float,
    what: str,
    first_pause_s: float = 1.0,
    max_pause_s: float = 5.0,
) -> T:
    """`work()`, run again while it fails to reach MongoDB, until `limit_s` after the first failure."""
    since: float | None = None  # when the first failing attempt started
    pause = first_pause_s
    while True:
        attempt = time.monotonic()
        try:
            result = work()
        except ConnectionFailure as exc:
            since = attempt if since is None else since
            down = time.monotonic() - since
            if down >= limit_s:
                raise DatabaseUnreachable(
                    f"MongoDB unreachable for {down:.0f} s, giving up on {what} "
                    f"(EARSHOT_MONGO_OUTAGE_SECONDS={limit_s:g}): {reason(exc)}"
                ) from exc
            log.warning(
                "MongoDB unreachable for %.0f s, retrying %s in %.0f s (gives up after %g s): %s",
                down,
                what,
                pause,
                limit_s,
                reason(exc),
            )
            time.sleep(min(pause, max(limit_s - down, 0.0)))
            pause = min(pause * 2, max_pause_s)
            continue
        if since is not None:
            log.warning("MongoDB reachable again after %.0f s: %s done", time.monotonic() - since, what)
        return result


def reason(exc: BaseException) -> str:
    """An error for a log line: pymongo's messages carry the whole topology description after the
    reason ("…, Timeout: 5.0s, Topology Description: <…>"); keep the reason."""
    return str(exc).split(", Timeout:")[0].splitlines()[0][:300]
