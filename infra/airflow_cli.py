"""`earshot airflow up|standalone|down|status`: Airflow standalone with earshot's DAGs.

airflow up      start `airflow standalone` on 127.0.0.1:<EARSHOT_AIRFLOW_PORT> with SQLite metadata
                under <EARSHOT_DATA_DIR>/airflow and the DAG folder airflow/dags; idempotent.
airflow down    stop it.    airflow status    is it running, where, and the admin password file.

On loopback the UI signs in standalone's generated admin. On any other address (compose, or
EARSHOT_BIND_HOST=0.0.0.0) it signs in only EARSHOT_AIRFLOW_USER with EARSHOT_AIRFLOW_PASSWORD
(Airflow's simple auth manager with that one user, its password file written here with mode
0600): no generated admin, no password in the logs, never the everyone-is-admin mode.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from core.errors import EarshotError
from core.settings import REPO_ROOT, Settings, get_settings

PASSWORDS = "earshot_auth_passwords.json"  # the password file of EARSHOT_AIRFLOW_USER (off loopback)


def airflow_env(settings: Settings) -> dict[str, str]:
    """Environment of the Airflow process: its home, SQLite DB, DAG folder, port, and sign-in."""
    home = settings.data_dir / "airflow"
    url = f"http://{settings.connect_host}:{settings.airflow_port}"  # what clients use, never 0.0.0.0
    # compose publishes the port elsewhere on the host and says so in AIRFLOW__API__BASE_URL
    base_url = os.environ.get("AIRFLOW__API__BASE_URL") or url
    return {
        **_auth_env(settings, home),
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(REPO_ROOT / "airflow" / "dags"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home}/airflow.db",
        "AIRFLOW__API__HOST": settings.bind_host,
        "AIRFLOW__API__PORT": str(settings.airflow_port),
        "AIRFLOW__API__BASE_URL": base_url,
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"{url}/execution/",
        "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO_ROOT), os.environ.get("PYTHONPATH", "")])),
        # standalone starts its scheduler, API server etc. as `airflow …` by name
        "PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]),
    }


def _auth_env(settings: Settings, home: Path) -> dict[str, str]:
    env = {"AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS": "False"}
    if settings.loopback:
        return env
    if settings.airflow_password is None:
        raise EarshotError(
            f"Airflow on {settings.publish_host or settings.bind_host} would be reachable from the "
            "network: set EARSHOT_AIRFLOW_PASSWORD (the password of EARSHOT_AIRFLOW_USER in Airflow's "
            "UI), or keep EARSHOT_BIND_HOST (compose: EARSHOT_PUBLISH_HOST) at 127.0.0.1"
        )
    return env | {
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": f"{settings.airflow_user}:admin",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(home / PASSWORDS),
    }


def write_passwords(settings: Settings, env: dict[str, str]) -> None:
    """The one user's password where Airflow's simple auth manager reads it (owner-only file)."""
    path = env.get("AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE")
    if not path or settings.airflow_password is None:
        return
    secret = json.dumps({settings.airflow_user: settings.airflow_password.get_secret_value()})
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as out:
        out.write(secret + "\n")
    os.chmod(path, 0o600)


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


def _proc(settings: Settings):  # type: ignore[no-untyped-def]
    from infra.procs import Proc

    return Proc("airflow", settings)


def _up(args: argparse.Namespace) -> int:
    settings = get_settings()
    proc = _proc(settings)
    if proc.pid() is None:
        env = airflow_env(settings)
        Path(env["AIRFLOW_HOME"]).mkdir(parents=True, exist_ok=True)
        write_passwords(settings, env)
        proc.start([str(Path(sys.executable).parent / "airflow"), "standalone"], env=env, cwd=REPO_ROOT)
    return _status(args)


def _standalone(args: argparse.Namespace) -> int:
    settings = get_settings()
    env = {**os.environ, **airflow_env(settings)}
    Path(env["AIRFLOW_HOME"]).mkdir(parents=True, exist_ok=True)
    write_passwords(settings, env)
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
    print(f"airflow: {state} — http://{settings.connect_host}:{settings.airflow_port}  log: {proc.log_file}")  # noqa: T201
    if pid and settings.loopback:
        print(f"admin password: {home / 'simple_auth_manager_passwords.json.generated'}")  # noqa: T201
    elif pid:
        print(f"sign in as {settings.airflow_user} with EARSHOT_AIRFLOW_PASSWORD")  # noqa: T201
    return 0
