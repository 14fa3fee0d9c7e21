"""`earshot consume` (the consumer process) and `earshot export` (a user's data as files, for
that user's account or an admin)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from core.settings import Settings, get_settings


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    consume = sub.add_parser(
        "consume",
        help="run the consumers: raw landing zone, live now-playing, alerts/notifications, lag monitor",
        description="Run the consumer loops in the foreground until Ctrl-C / SIGTERM (what `earshot run` "
        "starts as its `consumer` component). Webhook: EARSHOT_WEBHOOK_URL; file archive: "
        "EARSHOT_ARCHIVE_ENABLED=true.",
    )
    consume.add_argument(
        "--only",
        metavar="ROLES",
        default="",
        help="comma-separated subset of: raw, now-playing, alerts, health (default: all)",
    )
    consume.set_defaults(handler=_consume)

    export = sub.add_parser(
        "export",
        help="export one user's plays and statistics as CSV, JSON or Parquet files",
        description="Writes plays, user_stats, rollup_totals and rollup_entities of one user into a folder.",
    )
    export.add_argument("--user", required=True, help="the user id (as in the app's user picker)")
    export.add_argument(
        "--format", choices=["csv", "json", "parquet"], default="csv", help="file format (default csv)"
    )
    export.add_argument("--out", type=Path, required=True, help="output directory (created if missing)")
    export.add_argument(
        "--account",
        help="your dashboard account (it must own the user or be an admin); asks for its password",
    )
    export.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    export.set_defaults(handler=_export)


def _consume(args: argparse.Namespace) -> int:
    from consumer.app import parse_roles, run

    return run(get_settings(), parse_roles(args.only))


def _authorize(db: Any, settings: Settings, args: argparse.Namespace) -> None:
    """With sign-in on, only the listener's own account or an admin exports (docs/security.md)."""
    if not settings.auth:
        return
    from core import accounts, signin
    from core.errors import EarshotError

    if not args.account:
        raise EarshotError(
            "export needs --account NAME: the dashboard account that owns this user, or an admin "
            "(EARSHOT_AUTH=off turns this check off on a single-user machine)"
        )
    password = accounts.read_password(args.password_stdin, prompt=f"Password of {args.account}: ")
    signin.authorize(db, settings, args.account, password, args.user)


def _export(args: argparse.Namespace) -> int:
    from rich.console import Console

    from consumer.export import export_user
    from core import mongo

    settings = get_settings()
    console = Console(stderr=True)
    out_dir = args.out.expanduser()
    with mongo.client(settings) as client:
        _authorize(client[settings.mongo_db], settings, args)
    with mongo.client(settings) as client, console.status("exporting…") as status:
        counts = export_user(
            client[settings.mongo_db],
            args.user,
            args.format,
            out_dir,
            on_progress=lambda name, n: status.update(f"exporting {name}: {n:,} rows"),
        )
    for name, rows in counts.items():
        where = out_dir / f"{name}.{args.format}" if rows else "(none)"
        console.print(f"{name:16} {rows:>9,} rows  {where}")
    return 0
