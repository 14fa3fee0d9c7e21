"""`earshot app`: start the dashboard (Streamlit) on settings.bind_host:app_port.

`streamlit_args` is the one Streamlit command line (also `earshot run`'s and compose's): the
address, XSRF protection and CORS on, a strict SameSite XSRF cookie, no error details in the
browser, no developer menu, and the secrets file of `st.login` (<repo>/.streamlit/secrets.toml).
Sign-in may be off only on loopback (streamlit_app/guard.py).
"""

from __future__ import annotations

import argparse
import logging
import os
import subprocess
import sys

from core.settings import REPO_ROOT, Settings

log = logging.getLogger("earshot.app")


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    app = sub.add_parser("app", help="start the dashboard on http://127.0.0.1:8501 (EARSHOT_APP_PORT)")
    app.add_argument("--port", type=int, default=None, help="override EARSHOT_APP_PORT")
    app.set_defaults(handler=_app)


def streamlit_args(host: str, port: int) -> list[str]:
    """`streamlit run …` arguments (after `python -m streamlit`)."""
    from streamlit_app import APP_SCRIPT

    secrets = [REPO_ROOT / ".streamlit" / "secrets.toml", "~/.streamlit/secrets.toml"]
    return [
        "run",
        str(APP_SCRIPT),
        "--server.address",
        host,
        "--server.port",
        str(port),
        "--server.headless",
        "true",
        "--server.enableXsrfProtection",
        "true",
        "--server.enableCORS",
        "true",
        "--server.xsrfCookieSameSite",
        "strict",
        "--client.showErrorDetails",
        "none",
        "--client.toolbarMode",
        "minimal",
        "--browser.gatherUsageStats",
        "false",
        *(arg for path in secrets for arg in ("--secrets.files", os.path.expanduser(str(path)))),
    ]


def command(host: str, port: int) -> list[str]:
    return [sys.executable, "-m", "streamlit", *streamlit_args(host, port)]


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
    print(f"earshot dashboard on http://{settings.bind_host}:{port}")  # noqa: T201
    try:
        return subprocess.call(command(settings.bind_host, port))
    except KeyboardInterrupt:
        return 130
