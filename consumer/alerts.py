"""Pipeline problems → alerts, and milestones → notifications: the alerts loop's one tick.

Problems checked every `alert_interval_seconds`:
- dead-letter spike: ≥ `alert_deadletter_threshold` dead letters in the last
  `alert_deadletter_window_seconds`;
- a Spotify account that lost its authorisation (users.spotify.status 'needs_reconnect');
- growing consumer lag (kafka_lag health documents the lag monitor marks `growing`);
- a missing heartbeat: a producer, Spark or consumer component whose last beat is older than
  `heartbeat_stale_seconds` (a component that stopped cleanly reports status 'down' and is not
  alerted on).
Each problem is one alert while it lasts (see consumer.notify); new notifications wake the
webhook worker.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from pymongo.database import Database

from consumer import milestones
from consumer.notify import Problem, store, sync_alerts
from core.collections import Coll
from core.events import utc_now
from core.health import is_stale
from core.settings import Settings

HEARTBEAT_KINDS = ["producer", "spark", "consumer"]


def dead_letter_problems(db: Database[dict[str, Any]], settings: Settings, now: datetime) -> list[Problem]:
    window = settings.alert_deadletter_window_seconds
    since = now - timedelta(seconds=window)
    count = db[Coll.DEAD_LETTERS.value].count_documents({"failed_at": {"$gte": since}})
    if count < settings.alert_deadletter_threshold:
        return []
    recent = list(
        db[Coll.DEAD_LETTERS.value]
        .find({"failed_at": {"$gte": since}}, {"stage": 1, "reason": 1})
        .sort("failed_at", -1)
        .limit(200)
    )
    stages = ", ".join(
        f"{stage} ({n})" for stage, n in Counter(d.get("stage") for d in recent).most_common(3)
    )
    episode = str(int(now.timestamp()) // window)
    return [
        Problem(
            "deadletters",
            "deadletters",
            episode,
            "error",
            f"Dead-letter spike: {count} rejected messages in {window // 60 or 1} min",
            f"Stages: {stages}. Latest reason: {recent[0].get('reason', '?') if recent else '?'}",
        )
    ]


def reconnect_problems(db: Database[dict[str, Any]], settings: Settings, now: datetime) -> list[Problem]:
    problems = []
    for user in db[Coll.USERS.value].find({"spotify.status": "needs_reconnect"}):
        spotify = user.get("spotify") or {}
        name = user.get("display_name") or user["_id"]
        problems.append(
            Problem(
                "reconnect",
                f"reconnect:{user['_id']}",
                str(spotify.get("last_poll_at") or user.get("updated_at")),
                "warning",
                f"Spotify needs reconnecting for {name}",
                (spotify.get("message") or "The poller lost its Spotify authorisation.")
                + " Open the app and connect Spotify again; plays since then are fetched on reconnect "
                "(recently-played keeps only the last 50).",
                user_id=str(user["_id"]),
            )
        )
    return problems


def lag_problems(db: Database[dict[str, Any]], settings: Settings, now: datetime) -> list[Problem]:
    stale_after = timedelta(seconds=settings.heartbeat_stale_seconds)
    problems = []
    for doc in db[Coll.PIPELINE_HEALTH.value].find({"kind": "kafka_lag", "details.growing": True}):
        if is_stale(doc, now, stale_after):
            continue
        details = doc.get("details") or {}
        problems.append(
            Problem(
                "lag",
                doc["_id"],
                str(details.get("growing_since")),
                "warning",
                f"Consumer lag growing: {details.get('group')} on {details.get('topic')}",
                f"{details.get('lag')} messages behind and rising; the consumer does not keep up.",
            )
        )
    return problems


def stale_problems(db: Database[dict[str, Any]], settings: Settings, now: datetime) -> list[Problem]:
    stale_after = timedelta(seconds=settings.heartbeat_stale_seconds)
    problems = []
    for doc in db[Coll.PIPELINE_HEALTH.value].find({"kind": {"$in": HEARTBEAT_KINDS}}):
        if doc.get("status") == "down" or not is_stale(doc, now, stale_after):
            continue
        silent = int((now - doc["updated_at"]).total_seconds())
        problems.append(
            Problem(
                "stale",
                f"stale:{doc['_id']}",
                doc["updated_at"].isoformat(),
                "error",
                f"{doc['_id']} stopped sending heartbeats",
                f"No heartbeat from {doc['_id']} ({doc.get('kind')}) for {silent} s. Is it running? "
                "Check its log under <data_dir>/logs/.",
            )
        )
    return problems


CHECKS: dict[str, Callable[[Database[dict[str, Any]], Settings, datetime], list[Problem]]] = {
    "deadletters": dead_letter_problems,
    "reconnect": reconnect_problems,
    "lag": lag_problems,
    "stale": stale_problems,
}


class AlertChecker:
    """One tick: every check, then milestones; `on_new` (the webhook worker's wake) after inserts."""

    def __init__(
        self, db: Database[dict[str, Any]], settings: Settings, on_new: Callable[[], None] | None = None
    ):
        self.db, self.settings, self.on_new = db, settings, on_new
        self.webhook = settings.webhook_url is not None

    def tick(self, now: datetime | None = None) -> dict[str, Any]:
        now = now or utc_now()
        new: list[str] = []
        resolved = 0
        for family, check in CHECKS.items():
            created, cleared = sync_alerts(
                self.db, family, check(self.db, self.settings, now), self.webhook, now
            )
            new += created
            resolved += cleared
        for note in milestones.scan(
            self.db, now, self.settings.milestone_streams_step, self.settings.default_time_zone
        ):
            if store(self.db, note, self.webhook, now):
                new.append(note.id)
        if new and self.on_new:
            self.on_new()
        return {"new_notifications": len(new), "resolved_alerts": resolved}
