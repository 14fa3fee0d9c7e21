"""Command-line options of the demo listener (shared by `earshot demo` and `python -m producer.demo`)."""

from __future__ import annotations

import argparse
from pathlib import Path

from producer.demo.sim import PERSONAS


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--speed",
        type=float,
        default=30.0,
        help="time acceleration: a 3-minute song lasts 6 s at 30 (1 = real time; default 30)",
    )
    parser.add_argument(
        "--users",
        type=int,
        default=3,
        choices=range(1, len(PERSONAS) + 1),
        metavar="N",
        help=f"number of simulated listeners, 1-{len(PERSONAS)} (demo-alice, demo-bob, …; default 3)",
    )
    parser.add_argument(
        "--history-days",
        type=int,
        default=14,
        metavar="DAYS",
        help="backfill this many past days of listening first (default 14; 0 = none)",
    )
    parser.add_argument(
        "--duration",
        type=float,
        default=None,
        metavar="SECONDS",
        help="stop the live simulation after this many seconds (default: run until stopped)",
    )
    parser.add_argument("--no-live", action="store_true", help="only backfill history, then exit")
    parser.add_argument(
        "--catalog",
        type=Path,
        default=None,
        help="Kaggle CSV (maharshipandya columns); default: EARSHOT_KAGGLE_DIR/dataset.csv "
        "or sample_dataset.csv",
    )
    parser.add_argument("--seed", type=int, default=None, help="random seed of the live simulation")
