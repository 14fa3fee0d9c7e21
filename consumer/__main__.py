"""Run the earshot consumers in one process (one thread per loop) until SIGTERM / Ctrl-C.

Usage:
    python -m consumer                         # raw landing, now-playing, alerts, health
    python -m consumer --only raw,now-playing  # a subset (roles: raw, now-playing, alerts, health)

Configuration comes from the environment / .env (EARSHOT_*; see .env.example), e.g.
EARSHOT_WEBHOOK_URL for Slack-compatible notifications, EARSHOT_ARCHIVE_ENABLED=true for the
JSON Lines archive. `earshot run` starts this module as its `consumer` component.
"""

from __future__ import annotations

import argparse
import sys

from consumer.app import ROLES


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m consumer", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument(
        "--only",
        metavar="ROLES",
        default="",
        help=f"comma-separated roles to run (default: all of {', '.join(ROLES)})",
    )
    p.add_argument("--log-level", default="INFO", choices=["DEBUG", "INFO", "WARNING", "ERROR"])
    return p


def main(argv: list[str] | None = None) -> int:
    from consumer.app import parse_roles, run
    from core.errors import EarshotError
    from core.logs import setup
    from core.settings import get_settings

    args = parser().parse_args(argv)
    setup(args.log_level)
    try:
        return run(get_settings(), parse_roles(args.only))
    except EarshotError as exc:
        print(f"earshot consumer: {exc}", file=sys.stderr)  # noqa: T201
        return 1


if __name__ == "__main__":
    sys.exit(main())
