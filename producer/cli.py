"""`earshot import|demo|connect|poll`: the producer's commands.

earshot import ~/Downloads/my_spotify_data.zip --user alice
earshot demo --speed 30 --users 3 --history-days 14
earshot connect --user alice          # Spotify Authorization Code flow on the loopback redirect
earshot poll                          # the Spotify poller for every connected user
"""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    imp = sub.add_parser(
        "import",
        help="import Spotify's 'Download your data' export (zip, folder or JSON files)",
        description="Publishes every play, podcast and audiobook of the export (both the account-data "
        "and the extended streaming history) and the export's playlists. Re-importing the same "
        "files changes nothing: event ids are deterministic.",
    )
    imp.add_argument("path", help="the export .zip, a folder holding it or its files, or one .json file")
    imp.add_argument("--user", required=True, help="the earshot user id the plays belong to")
    imp.set_defaults(handler=_import)

    demo = sub.add_parser(
        "demo", help="simulate listeners (demo data) so the dashboard has something to show"
    )
    from producer.demo.args import add_arguments

    add_arguments(demo)
    demo.set_defaults(handler=_demo)

    connect = sub.add_parser(
        "connect",
        help="connect a Spotify account (opens the browser; the callback lands on the "
        "redirect URI's loopback port)",
    )
    connect.add_argument("--user", required=True, help="the earshot user id to store the tokens under")
    connect.add_argument(
        "--no-browser", action="store_true", help="print the URL instead of opening a browser"
    )
    connect.add_argument("--timeout", type=float, default=300, help="seconds to wait for the callback")
    connect.set_defaults(handler=_connect)

    poll = sub.add_parser("poll", help="run the Spotify poller for every connected user (until Ctrl-C)")
    poll.add_argument("--once", action="store_true", help="poll every user once and exit")
    poll.set_defaults(handler=_poll)


def _import(args: argparse.Namespace) -> int:
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    from core.settings import get_settings
    from producer.importer import import_path
    from producer.importer.render import render_report

    console = Console(stderr=True)
    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
    ) as bar:
        task = bar.add_task("importing", total=None)
        report = import_path(
            get_settings(),
            args.path,
            args.user,
            progress=lambda done, total: bar.update(task, completed=done, total=total),
        )
    render_report(report, Console())
    return 0 if report.status == "done" else 1


def _demo(args: argparse.Namespace) -> int:
    from producer.demo.run import run_from_args

    return run_from_args(args)


def _connect(args: argparse.Namespace) -> int:
    from core.settings import get_settings
    from producer.poller.connect import connect

    user = connect(get_settings(), args.user, open_browser=not args.no_browser, timeout_s=args.timeout)
    print(f"connected Spotify account {user!r} as earshot user {args.user!r}")  # noqa: T201
    return 0


def _poll(args: argparse.Namespace) -> int:
    from producer.poller.service import run

    return run(once=args.once)
