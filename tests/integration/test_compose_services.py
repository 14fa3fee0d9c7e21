"""Everything a compose container runs, run here without Docker: each service's command (the same
`earshot component NAME` entry points, `spark-class` for the cluster) from the project Compose's
own loader resolves, with the environment compose gives it (tests/compose_local.py maps service
host names to the local stack, container paths to a copy of the image's /app and one data dir),
started in compose's dependency order and held until it is ready. A wrong flag, a file the image
leaves out, or a setting compose fails to pass fails here.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import re
import shutil
import subprocess
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import requests
from cryptography.fernet import Fernet

from core import kafka
from core.settings import REPO_ROOT, Settings
from infra.compose_loader import load
from tests.compose_local import Host, LocalService, Running, free_port, image_layout, local_service
from tests.fake_spotify.server import FakeSpotify
from tests.publish import publish_play

pytestmark = pytest.mark.integration

DEADLINE_S = 420  # for all of them together, on 2 shared cores
EXTERNAL = {"kafka", "mongo"}  # the local stack, already up


@pytest.fixture(scope="module")
def host(stack: Settings, tmp_path_factory: pytest.TempPathFactory) -> Host:
    root = tmp_path_factory.mktemp("compose")
    return Host(stack, image_layout(stack.cache_dir, root), root / "data", root / "home")


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeSpotify]:
    with FakeSpotify() as server:
        yield server


def project(stack: Settings, profiles: list[str], **environ: str) -> dict[str, Any]:
    """The resolved project, with the stack's topics and database as a user's .env values."""
    user_env = {"EARSHOT_TOPIC_PREFIX": stack.topic_prefix, "EARSHOT_MONGO_DB": stack.mongo_db}
    return load(stack.cache_dir, profiles=profiles, environ=user_env | environ)


@contextlib.contextmanager
def own_deployment(stack: Settings, suffix: str) -> Iterator[tuple[Settings, Any]]:
    """Topics and a database of their own, as a separate install would have: the demo listener
    and the jobs started here never write into what other tests of this session read."""
    from core import mongo
    from tests.conftest import delete_topics

    other = stack.model_copy(
        update={"topic_prefix": f"{stack.topic_prefix}{suffix}", "mongo_db": f"{stack.mongo_db}_{suffix}"}
    )
    kafka.ensure_topics(other)
    with mongo.client(other) as client:
        try:
            yield other, client[other.mongo_db]
        finally:
            delete_topics(other)
            client.drop_database(other.mongo_db)


@pytest.fixture
def deployment(stack: Settings) -> Iterator[tuple[Settings, Any]]:
    with own_deployment(stack, "k") as pair:
        yield pair


@pytest.fixture
def cluster_deployment(stack: Settings) -> Iterator[tuple[Settings, Any]]:
    with own_deployment(stack, "c") as pair:
        yield pair


def _since(doc: dict[str, Any] | None, t0: datetime) -> bool:
    return doc is not None and doc["updated_at"].replace(tzinfo=UTC) >= t0


def _http_json(url: str) -> Any:
    try:
        with urllib.request.urlopen(url, timeout=5) as resp:
            return json.loads(resp.read())
    except (OSError, ValueError):
        return None


@dataclasses.dataclass
class Step:
    svc: LocalService
    ready: Callable[[Running, datetime], bool]
    one_shot: bool = False
    before: Callable[[], None] | None = None


def run_in_order(steps: dict[str, Step], logs: Path) -> dict[str, float]:
    """Start each step when compose would (its depends_on), stop it once ready and no pending step
    needs it; returns seconds to ready. Fails with the log tail of whatever broke or timed out."""
    running: dict[str, Running] = {}
    started: dict[str, datetime] = {}
    ready_after: dict[str, float] = {}
    stopped: set[str] = set()
    deadline = time.monotonic() + DEADLINE_S

    def can_start(step: Step) -> bool:
        for dep, condition in step.svc.depends_on.items():
            if dep in EXTERNAL:
                continue
            if condition == "service_started" and dep in running:
                continue
            if dep not in ready_after:
                return False
        return True

    try:
        while len(ready_after) < len(steps):
            pending = [n for n in steps if n not in ready_after]
            assert time.monotonic() < deadline, f"not ready in {DEADLINE_S}s: {pending}\n" + "\n".join(
                f"--- {n} ---\n{running[n].output()[-2500:]}" for n in pending if n in running
            )
            for name in pending:
                step = steps[name]
                if name not in running and can_start(step):
                    if step.before:
                        step.before()
                    started[name] = datetime.now(UTC)
                    running[name] = Running(step.svc, logs)
            for name in [n for n in pending if n in running]:
                run, step = running[name], steps[name]
                code = run.proc.poll()
                if code is not None and not (step.one_shot and code == 0):
                    raise AssertionError(f"{name} exited {code}:\n{run.output()[-4000:]}")
                if (code == 0 or not step.one_shot) and step.ready(run, started[name]):
                    ready_after[name] = (datetime.now(UTC) - started[name]).total_seconds()
            for name in list(running):  # stop what nothing pending still needs
                needed = any(name in steps[p].svc.depends_on for p in steps if p not in ready_after)
                if name in ready_after and name not in stopped and not needed:
                    running[name].stop()
                    stopped.add(name)
            time.sleep(0.5)
    finally:
        for run in running.values():
            run.stop()
    return ready_after


def test_every_compose_service_starts_and_gets_ready(deployment, cluster_deployment, host, fake, tmp_path):
    stack, mongo_db = deployment
    cluster_stack, cluster_db = cluster_deployment
    ports = {"EARSHOT_APP_PORT": str(free_port()), "EARSHOT_AIRFLOW_PORT": str(free_port())}
    spotify = {
        "SPOTIFY_CLIENT_ID": "client-id",
        "SPOTIFY_CLIENT_SECRET": "client-secret",
        "EARSHOT_TOKEN_KEY": Fernet.generate_key().decode(),
        "EARSHOT_SPOTIFY_API_BASE": fake.api_base,
        "EARSHOT_SPOTIFY_ACCOUNTS_BASE": fake.accounts_base,
    }
    full = project(stack, ["spotify", "cluster", "airflow"], **ports, **spotify)
    # the cluster profile as the README runs it: SPARK_MASTER pointing at the master service
    on_cluster = project(cluster_stack, ["cluster"], **ports, SPARK_MASTER="spark://spark-master:7077")
    master_ui, worker_ui = free_port(), free_port()
    cluster_host = dataclasses.replace(host, data=host.data.parent / "data-cluster")

    def svc(name: str, **extra: str) -> LocalService:
        return local_service(full, name, host, extra_env=extra or None)

    def beat(component: str, db: Any = mongo_db) -> Callable[[Running, datetime], bool]:
        return lambda run, t0: _since(db.pipeline_health.find_one({"_id": component}), t0)

    def logged(pattern: str) -> Callable[[Running, datetime], bool]:
        return lambda run, t0: re.search(pattern, run.output()) is not None

    def healthcheck(run: Running, t0: datetime) -> bool:
        assert run.svc.healthcheck, "the app has a healthcheck"
        return subprocess.run(run.svc.healthcheck, env=run.svc.env, capture_output=True).returncode == 0

    def airflow_healthy(run: Running, t0: datetime) -> bool:
        health = _http_json(f"http://127.0.0.1:{ports['EARSHOT_AIRFLOW_PORT']}/api/v2/monitor/health")
        return bool(health) and health["scheduler"]["status"] == "healthy"

    def on_the_cluster(run: Running, t0: datetime) -> bool:
        master = _http_json(f"http://127.0.0.1:{master_ui}/json/")
        apps = (master or {}).get("activeapps", [])
        if not beat("spark.plays", cluster_db)(run, t0) or not apps:
            return False
        assert [a["name"] for a in apps] == ["earshot-plays"], apps
        assert master["coresused"] == 1, master  # spark.cores.max: the worker keeps its other cores
        assert list((host.data / "spark-worker").glob("app-*")), "executors got no work dir"
        return True

    # README: docker compose run --rm -v "$PWD/kaggle_seed/data:/kaggle:ro" catalog \
    #     earshot catalog load --dir /kaggle   — here a folder holding a "downloaded" dataset.csv
    download = tmp_path / "kaggle"
    download.mkdir()
    shutil.copy(REPO_ROOT / "kaggle_seed" / "data" / "sample_dataset.csv", download / "dataset.csv")
    mounted = dataclasses.replace(host, mounts={"/kaggle": download})
    full_load = local_service(
        full, "catalog", mounted, command=["earshot", "catalog", "load", "--dir", "/kaggle"]
    )
    full_load = dataclasses.replace(full_load, name="catalog-from-folder", depends_on={"catalog": "done"})
    cluster_plays = local_service(on_cluster, "spark-plays", cluster_host)
    cluster_plays = dataclasses.replace(
        cluster_plays,
        name="spark-plays-on-cluster",
        depends_on={"spark-master": "service_started", "spark-worker": "service_healthy"},
    )
    steps = {
        "init": Step(svc("init"), lambda run, t0: True, one_shot=True),
        "catalog": Step(
            svc("catalog"), lambda run, t0: mongo_db.tracks.estimated_document_count() > 0, one_shot=True
        ),
        "consumer": Step(
            svc("consumer"),
            lambda run, t0: any(
                _since(d, t0) for d in mongo_db.pipeline_health.find({"kind": "consumer", "status": "ok"})
            ),
        ),
        "spark-plays": Step(
            svc("spark-plays"),
            beat("spark.plays"),
            before=lambda: publish_play(stack, "compose-1", "compose-user"),
        ),
        "spark-playlists": Step(svc("spark-playlists"), logged(r"earshot-playlists running")),
        "demo": Step(svc("demo"), beat("producer.demo")),
        "poller": Step(svc("poller"), beat("producer.poller")),
        "app": Step(svc("app"), healthcheck),
        "airflow": Step(svc("airflow"), airflow_healthy),
        "spark-master": Step(
            svc("spark-master", SPARK_MASTER_WEBUI_PORT=str(master_ui)), logged("Registering worker")
        ),
        "spark-worker": Step(
            svc("spark-worker", SPARK_WORKER_WEBUI_PORT=str(worker_ui)),
            logged("Successfully registered with master"),
        ),
        "catalog-from-folder": Step(full_load, logged(r'"obtained_with": "folder"'), one_shot=True),
        "spark-plays-on-cluster": Step(
            cluster_plays,
            on_the_cluster,
            before=lambda: publish_play(cluster_stack, "compose-2", "compose-user"),
        ),
    }
    compose_services = {n for n, s in full["services"].items() if n not in EXTERNAL}
    assert compose_services == set(steps) - {"spark-plays-on-cluster", "catalog-from-folder"}
    seconds = run_in_order(steps, tmp_path)
    print("ready after (s):", {k: round(v, 1) for k, v in seconds.items()})
    # README: the Airflow admin password, `docker compose exec airflow cat …` in the data volume
    assert (host.data / "airflow" / "simple_auth_manager_passwords.json.generated").is_file()
    again = steps["catalog"].svc  # a restart of the stack: the one-shot finds the catalog loaded
    rerun = subprocess.run(
        again.argv, env=again.env, cwd=again.cwd, capture_output=True, text=True, timeout=120
    )
    assert rerun.returncode == 0 and "catalog already loaded" in rerun.stderr, rerun.stderr[-2000:]


def test_poller_without_spotify_settings_exits_with_one_line(stack, host, tmp_path):
    poller = local_service(project(stack, ["spotify"]), "poller", host)
    result = subprocess.run(
        poller.argv, env=poller.env, cwd=poller.cwd, capture_output=True, text=True, timeout=120
    )
    assert result.returncode != 0
    lines = (result.stdout + result.stderr).strip().splitlines()
    assert len(lines) == 1 and "SPOTIFY_CLIENT_ID" in lines[0] and "SPOTIFY_CLIENT_SECRET" in lines[0], lines


def test_readme_connect_command_runs_the_oauth_flow_in_the_connect_service(deployment, host, fake):
    stack, mongo_db = deployment
    port = free_port()
    fake.add_user("compose-alice")
    resolved = project(
        stack,
        ["connect"],  # what `docker compose run connect` enables by naming the service
        SPOTIFY_CLIENT_ID="client-id",
        SPOTIFY_CLIENT_SECRET="client-secret",
        SPOTIFY_REDIRECT_URI=f"http://127.0.0.1:{port}/callback",
        EARSHOT_TOKEN_KEY=Fernet.generate_key().decode(),
        EARSHOT_SPOTIFY_API_BASE=fake.api_base,
        EARSHOT_SPOTIFY_ACCOUNTS_BASE=fake.accounts_base,
    )
    # README: docker compose run --rm --service-ports connect earshot connect --user ID --no-browser
    connect = local_service(
        resolved, "connect", host, command=["earshot", "connect", "--user", "compose-alice", "--no-browser"]
    )
    assert connect.env["EARSHOT_BIND_HOST"] == "0.0.0.0"  # the callback server listens on every interface
    proc = subprocess.Popen(connect.argv, env=connect.env, cwd=connect.cwd, stdout=subprocess.PIPE, text=True)
    pages: list[int] = []
    try:
        assert proc.stdout is not None
        url = ""
        for line in proc.stdout:
            if line.strip().startswith("http"):
                url = line.strip()
                break
        assert f"redirect_uri=http%3A%2F%2F127.0.0.1%3A{port}%2Fcallback" in url, url
        browser = threading.Thread(target=lambda: pages.append(requests.get(url, timeout=20).status_code))
        browser.start()
        out, _ = proc.communicate(timeout=60)
        browser.join(30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0 and "connected Spotify account 'compose-alice'" in out, out
    assert pages == [200]
    assert mongo_db.users.find_one({"_id": "compose-alice"})["spotify"]["status"] == "connected"
