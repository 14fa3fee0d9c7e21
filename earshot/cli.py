"""earshot — self-hosted, real-time analytics for your Spotify listening.

Usage:
    earshot run                 the whole pipeline with the demo listener and the dashboard
    earshot stack up|down|status
    earshot test [pytest args]
    earshot <command> --help    every command explains itself

Each deployable registers its own commands (a `register(subparsers)` in its `cli.py`); nothing
heavy is imported until a command runs.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from core.errors import EarshotError
from core.logs import setup as setup_logging
from core.settings import SettingsError

# Modules that contribute sub-commands, in the order `--help` lists them.
COMMAND_MODULES = (
    "earshot.run",
    "infra.cli",
    "producer.cli",
    "consumer.cli",
    "spark_jobs.cli",
    "streamlit_app.cli",
    "streamlit_app.accounts_cli",
    "kaggle_seed.cli",
    "infra.airflow_cli",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="earshot",
        description="Self-hosted, real-time analytics for your Spotify listening.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="Configuration comes from the environment and .env (see .env.example).",
    )
    parser.add_argument("--log-level", default="INFO", choices=["DEBUG", "INFO", "WARNING", "ERROR"])
    sub = parser.add_subparsers(dest="command", required=True, metavar="command")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    setup_logging(args.log_level)
    try:
        return int(args.handler(args) or 0)
    except SettingsError as exc:
        print(exc, file=sys.stderr)  # noqa: T201
        return 2
    except KeyboardInterrupt:
        return 130
    except EarshotError as exc:  # one clear line, no traceback
        print(f"earshot: {exc}", file=sys.stderr)  # noqa: T201
        return 1


if __name__ == "__main__":
    sys.exit(main())
