"""`earshot airflow up|standalone|down|status` (Airflow standalone) and `earshot catalog load` (no Airflow).

airflow up      start `airflow standalone` on 127.0.0.1:<EARSHOT_AIRFLOW_PORT> with SQLite metadata
                under <EARSHOT_DATA_DIR>/airflow and the DAG folder airflow/dags; idempotent.
airflow down    stop it.    airflow status    is it running, where, and the admin password file.
catalog load    the Kaggle backfill directly: `earshot catalog load [--dir D] [--dataset NAME]`.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from core.settings import REPO_ROOT, Settings, get_settings

DATASETS = ("auto", "maharshipandya", "rodolfofigueroa", "yamaerenay")


def airflow_env(settings: Settings) -> dict[str, str]:
    """Environment of the Airflow process: its home, SQLite DB, DAG folder, loopback port."""
    home = settings.data_dir / "airflow"
    url = f"http://{settings.bind_host}:{settings.airflow_port}"
    return {
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(REPO_ROOT / "airflow" / "dags"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home}/airflow.db",
        "AIRFLOW__API__HOST": settings.bind_host,
        "AIRFLOW__API__PORT": str(settings.airflow_port),
        "AIRFLOW__API__BASE_URL": url,
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"{url}/execution/",
        "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO_ROOT), os.environ.get("PYTHONPATH", "")])),
        # standalone starts its scheduler, API server etc. as `airflow …` by name
        "PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]),
    }


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    af = sub.add_parser("airflow", help="run Airflow (standalone, SQLite, loopback) with earshot's DAGs")
    af_sub = af.add_subparsers(dest="airflow_command", required=True)
    af_sub.add_parser(
        "up", help="start `airflow standalone` in the background (no-op when running)"
    ).set_defaults(handler=_up)
    af_sub.add_parser(
        "standalone", help="run `airflow standalone` in the foreground (the compose service)"
    ).set_defaults(handler=_standalone)
    af_sub.add_parser("down", help="stop the Airflow started by `up`").set_defaults(handler=_down)
    af_sub.add_parser("status", help="whether Airflow runs, its URL and log").set_defaults(handler=_status)

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
        "--no-reenrich",
        action="store_true",
        help="do not re-enrich the stored plays the load gave data (and their rollups) afterwards",
    )
    load.set_defaults(handler=_catalog_load)


def _proc(settings: Settings):  # type: ignore[no-untyped-def]
    from infra.procs import Proc

    return Proc("airflow", settings)


def _up(args: argparse.Namespace) -> int:
    settings = get_settings()
    proc = _proc(settings)
    if proc.pid() is None:
        env = airflow_env(settings)
        Path(env["AIRFLOW_HOME"]).mkdir(parents=True, exist_ok=True)
        proc.start([str(Path(sys.executable).parent / "airflow"), "standalone"], env=env, cwd=REPO_ROOT)
    return _status(args)


def _standalone(args: argparse.Namespace) -> int:
    env = {**os.environ, **airflow_env(get_settings())}
    Path(env["AIRFLOW_HOME"]).mkdir(parents=True, exist_ok=True)
    airflow = str(Path(sys.executable).parent / "airflow")
    os.execve(airflow, [airflow, "standalone"], env)
    return 0  # not reached


def _down(args: argparse.Namespace) -> int:
    stopped = _proc(get_settings()).stop()
    print("airflow stopped" if stopped else "airflow was not running")  # noqa: T201
    return 0


def _status(args: argparse.Namespace) -> int:
    settings = get_settings()
    proc = _proc(settings)
    pid = proc.pid()
    home = settings.data_dir / "airflow"
    state = f"running (pid {pid})" if pid else "stopped"
    print(f"airflow: {state} — http://{settings.bind_host}:{settings.airflow_port}  log: {proc.log_file}")  # noqa: T201
    if pid:
        print(f"admin password: {home / 'simple_auth_manager_passwords.json.generated'}")  # noqa: T201
    return 0


def _catalog_load(args: argparse.Namespace) -> int:
    from kaggle_seed.load import backfill

    report = backfill(
        get_settings(), args.dir, args.dataset, user_id=args.user, reenrich=not args.no_reenrich
    )
    print(json.dumps(report, indent=2, default=str))  # noqa: T201
    return 0
