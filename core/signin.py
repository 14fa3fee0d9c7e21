"""Signing in with a password, rate limited per account; the state lives in MongoDB
(`signin_attempts`), so restarting the app does not reset it.

After `signin_max_failures` wrong passwords for one account, each within
`signin_window_minutes` of the one before, the account is locked until the window has passed since
the last failure — the right password is refused too, so guessing gains nothing from a lucky hit.
A success clears the count. Logs name an existing account and the outcome, never a password
(nor a name that matches no account: it may be a password typed into the wrong field).

    from core import signin
    account = signin.sign_in(db, settings, "alice", password)   # Account | None; raises Locked
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from pymongo.database import Database

from core import accounts
from core.collections import Coll
from core.errors import EarshotError
from core.events import utc_now
from core.settings import Settings

log = logging.getLogger("earshot.signin")
Doc = dict[str, Any]


class Locked(EarshotError):
    """Too many wrong passwords: sign-in for this account is refused for `seconds` more."""

    def __init__(self, seconds: int) -> None:
        self.seconds = seconds
        super().__init__(f"too many wrong passwords: try again in {max(1, -(-seconds // 60))} min")


def _key(name: str) -> str:
    return name.strip().lower()[:64] or "-"


def locked_for(doc: Doc | None, settings: Settings, now: datetime) -> int:
    """Seconds the account stays locked (0: not locked), from its attempts document."""
    if not doc or doc.get("failures", 0) < settings.signin_max_failures:
        return 0
    until = doc["last_failure_at"] + timedelta(minutes=settings.signin_window_minutes)
    return max(0, int((until - now).total_seconds()))


def _record_failure(db: Database[Doc], key: str, doc: Doc | None, settings: Settings, now: datetime) -> int:
    window = timedelta(minutes=settings.signin_window_minutes)
    col = db[Coll.SIGNIN_ATTEMPTS.value]
    if doc and now - doc["last_failure_at"] <= window:
        col.update_one({"_id": key}, {"$inc": {"failures": 1}, "$set": {"last_failure_at": now}})
        return int(doc.get("failures", 0)) + 1
    fresh = {"failures": 1, "window_start": now, "last_failure_at": now}
    col.update_one({"_id": key}, {"$set": fresh}, upsert=True)
    return 1


def sign_in(
    db: Database[Doc], settings: Settings, name: str, password: str, now: datetime | None = None
) -> accounts.Account | None:
    """The account when name and password match; None when not; `Locked` while rate limited."""
    now = now or utc_now()
    key = _key(name)
    col = db[Coll.SIGNIN_ATTEMPTS.value]
    doc = col.find_one({"_id": key})
    wait = locked_for(doc, settings, now)
    if wait:
        log.warning("sign-in refused: account locked for %d s after wrong passwords", wait)
        raise Locked(wait)
    account = accounts.verify(db, key, password)
    if account is not None:
        if doc:
            col.delete_one({"_id": key})
        log.info("account %r signed in", key)
        return account
    failures = _record_failure(db, key, doc, settings, now)
    # an unknown name may be a password typed into the wrong field: never log it
    shown = repr(key) if accounts.get(db, key) else "(unknown)"
    log.warning("wrong password for account %s (%d of %d)", shown, failures, settings.signin_max_failures)
    return None


def authorize(
    db: Database[Doc], settings: Settings, name: str, password: str, user_id: str
) -> accounts.Account:
    """`sign_in`, then the account must own `user_id` or be an admin (EarshotError otherwise)."""
    account = sign_in(db, settings, name, password)
    if account is None:
        raise EarshotError("wrong account name or password")
    if not account.may_see(user_id):
        raise EarshotError(
            f"account {account.name!r} may not read listener {user_id!r} (not its own, not an admin)"
        )
    return account
