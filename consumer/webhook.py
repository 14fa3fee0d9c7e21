"""Webhook delivery of notifications: Slack-compatible JSON, retried with back-off, off the hot path.

Anyone may post directly (the Airflow weekly digest does):

    from consumer.webhook import post, slack_payload
    post(url, slack_payload("Your week", "42 streams, 2.5 h", severity="info", kind="digest"))

Inside the consumer, notifications are stored first with `webhook.status = 'pending'`; the
`WebhookWorker` thread claims pending ones, posts them and records the outcome in
`notification.webhook` ({status 'pending'|'queued'|'retrying'|'sent'|'failed'|'disabled',
attempts, last_status, last_error, sent_at}). Failures are retried with exponential back-off
(1 s, 2 s, 4 s, … capped at 60 s, up to 8 attempts); the Kafka loops never wait for it. A
notification that any other component inserts with status 'pending' is delivered the same way.
The URL is a secret: it is never logged.
"""

from __future__ import annotations

import heapq
import json
import logging
import threading
import time
import urllib.error
import urllib.request
from datetime import datetime, timedelta
from typing import Any

from pymongo.database import Database

from consumer.runner import Context, Pulse
from core.collections import Coll
from core.events import utc_now

log = logging.getLogger("earshot.consumer.webhook")
EMOJI = {"info": ":information_source:", "warning": ":warning:", "error": ":rotating_light:"}
RECLAIM_AFTER = timedelta(minutes=2)  # a claim older than this belonged to a process that died


class WebhookError(Exception):
    """The webhook did not accept the message (network error or non-2xx answer)."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


def slack_payload(
    title: str, body: str, severity: str = "info", kind: str = "alert", created_at: datetime | None = None
) -> dict[str, Any]:
    """A Slack incoming-webhook body (`text` is the fallback; `blocks` the rich layout)."""
    when = (created_at or utc_now()).strftime("%Y-%m-%d %H:%M UTC")
    return {
        "text": f"{EMOJI.get(severity, '')} {title}".strip(),
        "blocks": [
            {"type": "header", "text": {"type": "plain_text", "text": title[:150]}},
            {"type": "section", "text": {"type": "mrkdwn", "text": body[:3000] or title}},
            {
                "type": "context",
                "elements": [{"type": "mrkdwn", "text": f"earshot · {kind} · {severity} · {when}"}],
            },
        ],
    }


def post(url: str, payload: dict[str, Any], timeout: float = 10.0) -> int:
    """POST `payload` as JSON; returns the HTTP status or raises `WebhookError`."""
    request = urllib.request.Request(
        url,
        data=json.dumps(payload).encode("utf-8"),
        method="POST",
        headers={"Content-Type": "application/json", "User-Agent": "earshot"},
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        raise WebhookError(f"webhook answered HTTP {exc.code}", exc.code) from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise WebhookError(f"webhook unreachable: {reason}") from None


def backoff_delay(attempt: int, base: float = 1.0, cap: float = 60.0) -> float:
    """Seconds to wait after the `attempt`-th failure (1-based): base·2^(attempt-1), capped."""
    return float(min(cap, base * 2 ** max(attempt - 1, 0)))


def payload_for(note: dict[str, Any]) -> dict[str, Any]:
    return slack_payload(
        note["title"],
        note.get("body", ""),
        note.get("severity", "info"),
        note.get("kind", "alert"),
        note.get("created_at"),
    )


class WebhookWorker:
    """Delivers pending notifications in its own thread; `wake()` after inserting one."""

    component = "consumer.webhook"

    def __init__(
        self,
        db: Database[dict[str, Any]],
        url: str,
        base_delay: float = 1.0,
        max_attempts: int = 8,
        scan_every: float = 2.0,
    ) -> None:
        self.db, self.url = db, url
        self.base_delay, self.max_attempts, self.scan_every = base_delay, max_attempts, scan_every
        self.coll = db[Coll.NOTIFICATIONS.value]
        self.queue: list[tuple[float, str, int]] = []  # (due monotonic, notification id, attempts so far)
        self.sent = self.failed = 0
        self._wake = threading.Event()

    def wake(self) -> None:
        self._wake.set()

    def run(self, ctx: Context) -> None:
        pulse = Pulse(ctx, self.component)
        next_scan = 0.0
        while not ctx.stop.is_set():
            if self._wake.is_set() or time.monotonic() >= next_scan:
                self._wake.clear()
                self.claim_pending()
                next_scan = time.monotonic() + self.scan_every
            while self.queue and self.queue[0][0] <= time.monotonic() and not ctx.stop.is_set():
                _, note_id, attempts = heapq.heappop(self.queue)
                self.deliver(note_id, attempts)
            pulse.beat("ok", {"queued": len(self.queue), "sent": self.sent, "failed": self.failed})
            due = self.queue[0][0] - time.monotonic() if self.queue else self.scan_every
            self._wake.wait(max(0.02, min(due, next_scan - time.monotonic(), 0.5)))

    def claim_pending(self) -> int:
        """Take over notifications waiting for delivery (new ones, and ones a dead process held)."""
        queued = {note_id for _, note_id, _ in self.queue}
        stale = utc_now() - RECLAIM_AFTER
        claimed = 0
        candidates = self.coll.find(
            {"webhook.status": {"$in": ["pending", "queued", "retrying"]}}, {"webhook": 1}
        ).limit(500)
        for note in candidates:
            hook = note.get("webhook") or {}
            if note["_id"] in queued:
                continue
            if hook.get("status") != "pending" and (hook.get("updated_at") or stale) > stale:
                continue  # another worker holds it
            result = self.coll.update_one(
                {"_id": note["_id"], "webhook.status": hook.get("status")},
                {"$set": {"webhook.status": "queued", "webhook.updated_at": utc_now()}},
            )
            if result.modified_count:
                heapq.heappush(self.queue, (time.monotonic(), note["_id"], int(hook.get("attempts", 0))))
                claimed += 1
        return claimed

    def deliver(self, note_id: str, attempts: int) -> bool:
        note = self.coll.find_one({"_id": note_id})
        if note is None:
            return False
        attempts += 1
        try:
            status = post(self.url, payload_for(note))
        except WebhookError as exc:
            final = attempts >= self.max_attempts
            delay = backoff_delay(attempts, self.base_delay)
            log.warning(
                "webhook delivery of %s failed (%s), attempt %d%s",
                note_id,
                exc,
                attempts,
                "; giving up" if final else f"; retrying in {delay:.0f}s",
            )
            self.coll.update_one(
                {"_id": note_id},
                {
                    "$set": {
                        "webhook": {
                            "status": "failed" if final else "retrying",
                            "attempts": attempts,
                            "last_status": exc.status,
                            "last_error": str(exc),
                            "updated_at": utc_now(),
                        }
                    }
                },
            )
            if final:
                self.failed += 1
            else:
                heapq.heappush(self.queue, (time.monotonic() + delay, note_id, attempts))
            return False
        self.coll.update_one(
            {"_id": note_id},
            {
                "$set": {
                    "webhook": {
                        "status": "sent",
                        "attempts": attempts,
                        "last_status": status,
                        "sent_at": utc_now(),
                        "updated_at": utc_now(),
                    }
                }
            },
        )
        self.sent += 1
        return True
