"""Accounts of the dashboard tests and signing an AppTest in.

`signed_in` gives the AppTest a session token the way the sign-in form does after a verified
password (`auth.start_session`); test_app_privacy.py also signs in through the form itself."""

from __future__ import annotations

from typing import Any

from streamlit.testing.v1 import AppTest

from core import accounts
from streamlit_app import auth
from tests.seed import DEMO, EMPTY, USER

ADMIN, ALICE, DEMO_OWNER = "admin", "alice", "demo-owner"
PASSWORDS = {ADMIN: "admin-pass-1234", ALICE: "alice-pass-1234", DEMO_OWNER: "demo-pass-1234"}


def add_accounts(db: Any) -> None:
    """An admin; alice, who owns the seeded listener and the empty one; the demo's owner."""
    for name, kwargs in (
        (ADMIN, {"admin": True}),
        (ALICE, {"owns": [USER, EMPTY]}),
        (DEMO_OWNER, {"owns": [DEMO]}),
    ):
        if accounts.get(db, name) is None:
            accounts.add(db, name, PASSWORDS[name], **kwargs)


def signed_in(at: AppTest, name: str) -> AppTest:
    at.session_state[auth.TOKEN] = auth.start_session(name)
    return at
