"""`earshot spark …`: run the streaming jobs and reprocess stored plays.

earshot spark plays                  the plays job (Kafka → plays + rollups)
earshot spark playlists              the playlist-profile job
earshot spark reprocess [--user U] [--start YYYY-MM-DD] [--end YYYY-MM-DD]
"""

from __future__ import annotations

import argparse
import datetime as dt


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    spark = sub.add_parser("spark", help="Spark jobs: plays and playlist streams, reprocessing")
    spark_sub = spark.add_subparsers(dest="spark_command", required=True)
    spark_sub.add_parser(
        "plays", help="stream plays: validate, deduplicate, enrich, write plays and rollups"
    ).set_defaults(handler=_plays)
    spark_sub.add_parser("playlists", help="stream playlist tracks into playlist_profiles").set_defaults(
        handler=_playlists
    )
    rep = spark_sub.add_parser(
        "reprocess", help="re-enrich stored plays from the catalog and rebuild their rollups"
    )
    rep.add_argument("--user", help="only this user id (default: every user)")
    rep.add_argument("--start", type=dt.date.fromisoformat, help="first day, YYYY-MM-DD")
    rep.add_argument("--end", type=dt.date.fromisoformat, help="last day, YYYY-MM-DD")
    rep.set_defaults(handler=_reprocess)


def _plays(args: argparse.Namespace) -> int:
    from spark_jobs.plays import main

    return main()


def _playlists(args: argparse.Namespace) -> int:
    from spark_jobs.playlists import main

    return main()


def _reprocess(args: argparse.Namespace) -> int:
    from core.settings import get_settings
    from pipeline.reprocess import reprocess

    result = reprocess(get_settings(), user_id=args.user, start=args.start, end=args.end)
    message = f"reprocessed {result['plays']} plays over {result['days']} days for {result['users']} user(s)"
    print(message)  # noqa: T201
    return 0
