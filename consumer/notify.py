"""Storing notifications: deterministic ids, so the same milestone or alert is never notified twice.

Shape (core/collections.py): _id, user_id | None, kind 'milestone'|'alert'|'digest', severity
'info'|'warning'|'error', title, body, created_at, webhook {status, attempts}; alerts also carry
`family` and `key` (what is wrong, e.g. 'stale:consumer.raw') and `resolved_at` (None while the
problem lasts). A problem that persists stays one open alert; once resolved, a recurrence is a
new one.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from pymongo.database import Database
from pymongo.errors import DuplicateKeyError

from core.collections import Coll
from core.events import stable_id, utc_now

Kind = Literal["milestone", "alert", "digest"]
Severity = Literal["info", "warning", "error"]


@dataclass(frozen=True)
class Notification:
    id: str
    kind: Kind
    severity: Severity
    title: str
    body: str
    user_id: str | None = None
    family: str | None = None
    key: str | None = None


@dataclass(frozen=True)
class Problem:
    """An alert condition that holds now. `episode` pins the id of this occurrence."""

    family: str  # 'deadletters' | 'reconnect' | 'lag' | 'stale'
    key: str
    episode: str
    severity: Severity
    title: str
    body: str
    user_id: str | None = None

    def notification(self) -> Notification:
        return Notification(
            stable_id("alert", self.key, self.episode),
            "alert",
            self.severity,
            self.title,
            self.body,
            self.user_id,
            self.family,
            self.key,
        )


def store(
    db: Database[dict[str, Any]], note: Notification, webhook: bool, now: datetime | None = None
) -> bool:
    """Insert the notification unless its id exists; True when it is new."""
    doc: dict[str, Any] = {
        "_id": note.id,
        "user_id": note.user_id,
        "kind": note.kind,
        "severity": note.severity,
        "title": note.title,
        "body": note.body,
        "created_at": now or utc_now(),
        "webhook": {"status": "pending" if webhook else "disabled", "attempts": 0},
    }
    if note.kind == "alert":
        doc.update(family=note.family, key=note.key, resolved_at=None)
    try:
        db[Coll.NOTIFICATIONS.value].insert_one(doc)
    except DuplicateKeyError:
        return False
    return True


def sync_alerts(
    db: Database[dict[str, Any]],
    family: str,
    problems: Iterable[Problem],
    webhook: bool,
    now: datetime | None = None,
) -> tuple[list[str], int]:
    """Open an alert for each new problem of `family`; resolve its open alerts that cleared.

    Returns (ids of new notifications, number resolved).
    """
    now = now or utc_now()
    coll = db[Coll.NOTIFICATIONS.value]
    open_keys = {
        d["key"] for d in coll.find({"kind": "alert", "family": family, "resolved_at": None}, {"key": 1})
    }
    created, active = [], set()
    for problem in problems:
        active.add(problem.key)
        if problem.key in open_keys:
            continue
        note = problem.notification()
        if store(db, note, webhook, now):
            created.append(note.id)
    resolved = 0
    for key in open_keys - active:
        resolved += coll.update_many(
            {"kind": "alert", "key": key, "resolved_at": None}, {"$set": {"resolved_at": now}}
        ).modified_count
    return created, resolved
