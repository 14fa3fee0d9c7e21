"""`earshot app`: start the dashboard (Streamlit) on settings.bind_host:app_port.

The Streamlit command line is `streamlit_app.server_args` (also `earshot run`'s, compose's and
the browser test's). `prepare` runs before the dashboard starts: sign-in may be off only on
loopback (streamlit_app/guard.py), the cookie secret goes through the environment.
"""

from __future__ import annotations

import argparse
import logging
import os
import subprocess
import sys

from core.settings import Settings

log = logging.getLogger("earshot.app")


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    app = sub.add_parser("app", help="start the dashboard on http://127.0.0.1:8501 (EARSHOT_APP_PORT)")
    app.add_argument("--port", type=int, default=None, help="override EARSHOT_APP_PORT")
    app.set_defaults(handler=_app)


def command(host: str, port: int) -> list[str]:
    from streamlit_app import server_args

    return [sys.executable, "-m", "streamlit", *server_args(host, port)]


def prepare(settings: Settings) -> None:
    """Before the dashboard starts: refuse an open bind, hint at the first account, hand the
    cookie secret to Streamlit through its environment (never on the command line)."""
    from streamlit_app.guard import first_account_hint, refuse_open

    refuse_open(settings, settings.bind_host)
    if settings.cookie_secret:
        os.environ["STREAMLIT_SERVER_COOKIE_SECRET"] = settings.cookie_secret.get_secret_value()
    try:
        hint = first_account_hint(settings)
    except Exception as exc:  # the database may come up later (compose); the app says it too
        log.info("could not check for dashboard accounts yet (%s)", type(exc).__name__)
        return
    if hint:
        log.warning(hint)


def _app(args: argparse.Namespace) -> int:
    from core.settings import get_settings

    settings = get_settings()
    prepare(settings)
    port = args.port or settings.app_port
    print(f"earshot dashboard on http://{settings.connect_host}:{port}")  # noqa: T201
    try:
        return subprocess.call(command(settings.bind_host, port))
    except KeyboardInterrupt:
        return 130
