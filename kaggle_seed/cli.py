"""`earshot catalog load`: the Kaggle backfill, run directly (the `kaggle_backfill` DAG runs the same).

earshot catalog load                       # kagglehub if credentials, else EARSHOT_KAGGLE_DIR
earshot catalog load --dir ~/Downloads/spotify-tracks --dataset maharshipandya
earshot catalog load --if-empty            # only while the catalog has no tracks (first start)
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from core.settings import get_settings

DATASETS = ("auto", "maharshipandya", "rodolfofigueroa", "yamaerenay")


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    cat = sub.add_parser("catalog", help="the track catalog (Kaggle audio features and genres)")
    cat_sub = cat.add_subparsers(dest="catalog_command", required=True)
    load = cat_sub.add_parser(
        "load",
        help="load the Kaggle dataset(s) into tracks/artists with Spark (kagglehub if credentials, "
        "else the folder EARSHOT_KAGGLE_DIR)",
    )
    load.add_argument(
        "--dir",
        type=Path,
        default=None,
        help="folder with dataset.csv / tracks_features.csv / tracks.csv+artists.csv (skips kagglehub)",
    )
    load.add_argument(
        "--dataset", choices=DATASETS, default="auto", help="which dataset (default: detect by header)"
    )
    load.add_argument(
        "--user", default=None, help="report catalog coverage of this user's plays (default: all)"
    )
    load.add_argument(
        "--if-empty",
        action="store_true",
        help="only when the catalog has no tracks yet (first start: what `earshot run` and "
        "compose's catalog service do)",
    )
    load.add_argument(
        "--no-reenrich",
        action="store_true",
        help="do not re-enrich the stored plays the load gave data (and their rollups) afterwards",
    )
    load.set_defaults(handler=_catalog_load)


def _catalog_load(args: argparse.Namespace) -> int:
    from kaggle_seed.load import backfill, backfill_if_empty

    if args.if_empty:
        backfill_if_empty(get_settings(), args.dir, args.dataset)
        return 0

    report = backfill(
        get_settings(), args.dir, args.dataset, user_id=args.user, reenrich=not args.no_reenrich
    )
    print(json.dumps(report, indent=2, default=str))  # noqa: T201
    return 0
