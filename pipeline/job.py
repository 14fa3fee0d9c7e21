"""What a plays job needs per batch: its settings (`JobConfig`), an executor's MongoDB client, and a
user's counting rules (time zone, stream threshold)."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from pymongo import MongoClient
from pymongo.database import Database

from core.collections import Coll
from core.settings import Settings

Doc = dict[str, Any]


@dataclass(frozen=True)
class JobConfig:
    """What executors need (plain values, picklable)."""

    mongo_url: str
    mongo_db: str
    tolerance_s: int
    threshold_ms: int
    default_zone: str
    gap_minutes: int
    outage_s: float  # how long a batch is retried while MongoDB is unreachable (core.outage)

    @classmethod
    def from_settings(cls, settings: Settings) -> JobConfig:
        return cls(
            settings.mongo_url,
            settings.mongo_db,
            settings.dedup_tolerance_seconds,
            settings.stream_threshold_ms,
            settings.default_time_zone,
            settings.session_gap_minutes,
            settings.mongo_outage_seconds,
        )


@functools.cache
def executor_client(url: str) -> MongoClient[Doc]:
    """One client per Python worker process (Spark reuses workers across batches)."""
    return MongoClient(url, tz_aware=True, appname="earshot-spark")


def user_rules(db: Database[Doc], cfg: JobConfig, user_id: str) -> tuple[str, int]:
    user = db[Coll.USERS.value].find_one({"_id": user_id}, {"time_zone": 1, "stream_threshold_ms": 1})
    user = user or {}
    return (
        user.get("time_zone") or cfg.default_zone,
        int(user.get("stream_threshold_ms") or cfg.threshold_ms),
    )
