"""Dashboard accounts: who may sign in and which earshot users (listeners) each may see.

Passwords are hashed with argon2id by argon2-cffi's `PasswordHasher` (its recommended
parameters; a hash made with older parameters is upgraded at the next sign-in). The hash stays in
this module: `Account` has no hash field, readers project it away, and nothing logs it.
Sign-in with rate limiting is `core.signin`; the model is described in docs/security.md.

    from core import accounts
    accounts.add(db, "alice", "correct horse battery", owns=["alice", "alice-2019"])
    accounts.verify(db, "alice", "correct horse battery")   # Account | None (no rate limit)
"""

from __future__ import annotations

import getpass
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from pymongo.database import Database
from pymongo.errors import DuplicateKeyError

from core.collections import Coll
from core.errors import EarshotError
from core.events import utc_now

Doc = dict[str, Any]
NAME = re.compile(r"^[a-z0-9][a-z0-9_.@\-]{0,63}$")
MIN_PASSWORD = 8
PUBLIC = {"password_hash": 0}  # every read of an account leaves the hash out

_hasher = PasswordHasher()
# Verified against when the account does not exist, so a wrong name costs as long as a wrong password.
_DUMMY = _hasher.hash("earshot: no such account")


class AccountError(EarshotError):
    """An account cannot be created or changed as asked (the message says why)."""


@dataclass(frozen=True)
class Account:
    """A signed-in person: an admin sees every listener, anyone else the ones they own."""

    name: str
    admin: bool = False
    owns: tuple[str, ...] = ()
    email: str | None = None
    household: bool = False

    def may_see(self, user_id: str) -> bool:
        return self.admin or user_id in self.owns

    def visible(self, user_ids: Iterable[str]) -> list[str]:
        return [u for u in user_ids if self.may_see(u)]


def normalize(name: str) -> str:
    """The account's key: trimmed, lower case, checked against NAME."""
    key = name.strip().lower()
    if not NAME.match(key):
        raise AccountError(
            f"invalid account name {name!r}: use 1–64 letters, digits, '.', '_', '-' or '@', "
            "starting with a letter or digit"
        )
    return key


def read_password(from_stdin: bool = False, confirm: bool = False, prompt: str = "Password: ") -> str:
    """A password from the terminal without echo (or one line of stdin, for scripts)."""
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    password = getpass.getpass(prompt)
    if confirm and getpass.getpass("Password again: ") != password:
        raise AccountError("the two passwords differ")
    return password


def _account(doc: Doc) -> Account:
    return Account(
        name=doc["_id"],
        admin=bool(doc.get("admin")),
        owns=tuple(doc.get("owns") or ()),
        email=doc.get("email"),
        household=bool(doc.get("household")),
    )


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"the password needs at least {MIN_PASSWORD} characters")


def add(
    db: Database[Doc],
    name: str,
    password: str,
    *,
    admin: bool = False,
    owns: Iterable[str] = (),
    email: str | None = None,
) -> Account:
    """Create an account; it owns the listener of its own name unless `owns` says otherwise."""
    key = normalize(name)
    _check_password(password)
    now = utc_now()
    doc = {
        "_id": key,
        "password_hash": _hasher.hash(password),
        "admin": admin,
        "owns": sorted(set(owns)) or [key],
        "email": email.strip().lower() if email else None,
        "household": False,
        "created_at": now,
        "updated_at": now,
    }
    try:
        db[Coll.ACCOUNTS.value].insert_one(doc)
    except DuplicateKeyError:
        raise AccountError(f"account {key!r} exists already") from None
    return _account(doc)


def set_password(db: Database[Doc], name: str, password: str) -> None:
    _check_password(password)
    _update(db, name, {"password_hash": _hasher.hash(password)})


def remove(db: Database[Doc], name: str) -> None:
    """Delete an account (its listeners' data stays; its open sessions end at their next run)."""
    key = normalize(name)
    if not db[Coll.ACCOUNTS.value].delete_one({"_id": key}).deleted_count:
        raise AccountError(f"no account {key!r}")


def set_household(db: Database[Doc], name: str, agreed: bool) -> None:
    """Whether the account's listeners take part in the household comparison (consent)."""
    _update(db, name, {"household": agreed})


def _update(db: Database[Doc], name: str, fields: Doc) -> None:
    key = normalize(name)
    done = db[Coll.ACCOUNTS.value].update_one({"_id": key}, {"$set": {**fields, "updated_at": utc_now()}})
    if not done.matched_count:
        raise AccountError(f"no account {key!r}")


def get(db: Database[Doc], name: str) -> Account | None:
    doc = db[Coll.ACCOUNTS.value].find_one({"_id": name.strip().lower()}, PUBLIC)
    return _account(doc) if doc else None


def every(db: Database[Doc]) -> list[Account]:
    return [_account(d) for d in db[Coll.ACCOUNTS.value].find({}, PUBLIC).sort("_id", 1)]


def exists(db: Database[Doc]) -> bool:
    return db[Coll.ACCOUNTS.value].find_one({}, {"_id": 1}) is not None


def by_email(db: Database[Doc], email: str) -> Account | None:
    """The account a single-sign-on identity (its e-mail address) is linked to."""
    doc = db[Coll.ACCOUNTS.value].find_one({"email": email.strip().lower()}, PUBLIC)
    return _account(doc) if doc else None


def verify(db: Database[Doc], name: str, password: str) -> Account | None:
    """The account when the password is right, else None (no rate limit here: core.signin)."""
    doc = db[Coll.ACCOUNTS.value].find_one({"_id": name.strip().lower()})
    stored = doc.get("password_hash") if doc else None
    try:
        _hasher.verify(stored or _DUMMY, password)
    except (VerificationError, InvalidHashError):
        return None
    if doc is None or stored is None:
        return None
    if _hasher.check_needs_rehash(stored):
        _update(db, doc["_id"], {"password_hash": _hasher.hash(password)})
    return _account(doc)
