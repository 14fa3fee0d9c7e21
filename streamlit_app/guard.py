"""Checks at the dashboard's start: sign-in may be off (EARSHOT_AUTH=off) only on a loopback
address, and a first start without any account says how to create one.

    guard.refuse_open(settings, host)   # EarshotError with the reason, before anything binds
    guard.first_account_hint(settings)  # the hint, or None when an account exists (or auth is off)
"""

from __future__ import annotations

from core.errors import EarshotError
from core.settings import Settings, is_loopback

OPEN = (
    "refusing to serve the dashboard on {host} with EARSHOT_AUTH=off: anyone who can reach it "
    "would read and change every listener's data. Bind it to 127.0.0.1 (EARSHOT_BIND_HOST) or "
    "turn sign-in back on (remove EARSHOT_AUTH=off, then `earshot user add NAME --admin`)."
)
FIRST_ACCOUNT = (
    "no dashboard account yet: create the first with `earshot user add NAME --admin` "
    "(it asks for the password; in Docker: `docker compose exec app earshot user add NAME --admin`)"
)


def refuse_open(settings: Settings, host: str | None) -> None:
    reach = settings.publish_host or host or ""  # compose: the container binds 0.0.0.0, published here
    if not settings.auth and not is_loopback(reach):
        raise EarshotError(OPEN.format(host=reach or "every interface"))


def first_account_hint(settings: Settings) -> str | None:
    if not settings.auth:
        return None
    from core import accounts, mongo

    with mongo.client(settings) as client:
        return None if accounts.exists(client[settings.mongo_db]) else FIRST_ACCOUNT


def check_app() -> None:
    """The same refusal inside the app, for a `streamlit run` started by hand (its default
    address is every interface); earshot's log lines (sign-ins) on the app's stderr."""
    import logging

    import streamlit as st

    from core.logs import setup
    from core.settings import get_settings

    if not logging.getLogger().handlers:
        setup()
    try:
        refuse_open(get_settings(), st.get_option("server.address"))
    except EarshotError as exc:
        st.error(str(exc))
        st.stop()
