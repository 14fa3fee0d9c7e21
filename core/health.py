"""Heartbeats into `pipeline_health`: every long-running component calls `beat` on a timer
(`beat_interval`), whether or not data arrives, so silence means the process is gone.

A component is stale when its `updated_at` is older than `stale_after` (the app and the
alerting consumer decide with `is_stale`).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Literal

from pymongo.database import Database

from core.collections import Coll
from core.events import utc_now

Kind = Literal["producer", "spark", "consumer", "kafka_lag", "airflow"]
Status = Literal["ok", "degraded", "down"]
DEFAULT_STALE_AFTER = timedelta(seconds=30)


def beat_interval(stale_seconds: float) -> float:
    """Heartbeat period for a stale window: a few beats per window, at most every 2 s."""
    return max(0.25, min(2.0, stale_seconds / 4))


def beat(
    db: Database[dict[str, Any]],
    component: str,
    kind: Kind,
    status: Status = "ok",
    details: dict[str, Any] | None = None,
    now: datetime | None = None,
) -> None:
    db[Coll.PIPELINE_HEALTH.value].update_one(
        {"_id": component},
        {
            "$set": {
                "kind": kind,
                "component": component,
                "status": status,
                "updated_at": now or utc_now(),
                "details": details or {},
            }
        },
        upsert=True,
    )


def is_stale(
    doc: dict[str, Any], now: datetime | None = None, stale_after: timedelta = DEFAULT_STALE_AFTER
) -> bool:
    return bool((now or utc_now()) - doc["updated_at"] > stale_after)
