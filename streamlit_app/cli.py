"""`earshot app`: start the dashboard (Streamlit) on settings.bind_host:app_port."""

from __future__ import annotations

import argparse
import subprocess
import sys


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    app = sub.add_parser("app", help="start the dashboard on http://127.0.0.1:8501 (EARSHOT_APP_PORT)")
    app.add_argument("--port", type=int, default=None, help="override EARSHOT_APP_PORT")
    app.set_defaults(handler=_app)


def command(host: str, port: int) -> list[str]:
    from streamlit_app import server_args

    return [sys.executable, "-m", "streamlit", *server_args(host, port)]


def _app(args: argparse.Namespace) -> int:
    from core.settings import get_settings

    settings = get_settings()
    port = args.port or settings.app_port
    print(f"earshot dashboard on http://{settings.connect_host}:{port}")  # noqa: T201
    try:
        return subprocess.call(command(settings.bind_host, port))
    except KeyboardInterrupt:
        return 130
