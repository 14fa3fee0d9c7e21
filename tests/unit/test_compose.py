"""docker-compose.yml and the Dockerfile, read as files (no Docker engine here): every command
parses with the same `earshot` CLI the local stack uses, compose and `earshot run` start the same
components, one service builds the image, `.env` settings reach the containers while the
container layout stays compose's, and no address a client connects to is a wildcard bind.

Compose's own loader runs over the same file in tests/integration/test_compose_loader.py, and
each service's command runs against the local stack in tests/integration/test_compose_services.py.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any

import pytest
import yaml

from core.settings import REPO_ROOT, Settings, env_names, load_settings
from earshot.cli import build_parser
from earshot.run import COMPONENTS

TEXT = (REPO_ROOT / "docker-compose.yml").read_text()
COMPOSE = yaml.safe_load(TEXT)
SERVICES: dict[str, Any] = COMPOSE["services"]
EARSHOT = {n: s for n, s in SERVICES.items() if s.get("image") == "earshot:local"}
DOCKERFILE = (REPO_ROOT / "Dockerfile").read_text()

# Settings compose sets itself for every container: where the image keeps things, the bind
# host inside the network (0.0.0.0), the container ports and the service addresses. Literal
# values, so a user's .env (say EARSHOT_DATA_DIR=~/.local/share/earshot) never moves them.
PINNED = {
    "cache_dir": "/opt/earshot/cache",
    "data_dir": "/data",
    "bind_host": "0.0.0.0",
    "kafka_bootstrap": "kafka:19092",
    "mongo_uri": "mongodb://mongo:27017/",
    "app_port": "8501",
    "airflow_port": "8080",
}
# Settings that have no meaning inside a container, so compose does not forward them:
NOT_FORWARDED = {
    "kafka_port",  # the local stack's broker port; compose publishes Kafka on it (ports:)
    "kafka_controller_port",  # the local stack's KRaft controller; compose's is internal (9093)
    "mongo_port",  # the local stack's server port; compose publishes MongoDB on it (ports:)
    "kaggle_dir",  # a host path; the image's default holds the bundled sample, a full dataset
    # loads with `docker compose run -v <dir>:/kaggle:ro catalog earshot catalog load --dir /kaggle`
}
SPOTIFY_SECRETS = {"spotify_client_secret", "token_key", "spotify_api_base", "spotify_accounts_base"}
# Forwarded with compose's own default, the one its `ports:` use
WITH_DEFAULT = {"publish_host": "${EARSHOT_PUBLISH_HOST:-127.0.0.1}"}
# Secrets of one service each: the dashboard's cookie secret, Airflow's UI sign-in.
ONE_SERVICE = {"cookie_secret": "app", "airflow_user": "airflow", "airflow_password": "airflow"}


def _command(service: dict[str, Any]) -> list[str]:
    cmd = service.get("command", [])
    return shlex.split(cmd) if isinstance(cmd, str) else [str(c) for c in cmd]


def _substitute_defaults(word: str) -> str:
    return re.sub(r"\$\{[A-Z_]+:-([^}]*)\}", r"\1", word)


def _env(service: str) -> dict[str, str]:
    return {k: str(v) for k, v in (SERVICES[service].get("environment") or {}).items()}


@pytest.mark.parametrize("name", [n for n, s in SERVICES.items() if _command(s)[:1] == ["earshot"]])
def test_every_earshot_command_parses_with_the_real_cli(name):
    argv = [_substitute_defaults(w) for w in _command(SERVICES[name])[1:]]
    if "--help" in argv:  # the one-off `connect` service: its real command comes from the README
        with pytest.raises(SystemExit) as done:
            build_parser().parse_args(argv)
        assert done.value.code == 0
        return
    args = build_parser().parse_args(argv)
    assert callable(args.handler)


def test_compose_and_earshot_run_start_the_same_components():
    in_compose = {_command(s)[2] for s in SERVICES.values() if _command(s)[:2] == ["earshot", "component"]}
    assert in_compose == {c.name for c in COMPONENTS}


def test_every_component_module_exists():
    import importlib.util

    missing = [c.module for c in COMPONENTS if importlib.util.find_spec(c.module) is None]
    assert not missing, f"components without code: {missing}"


def test_one_service_builds_each_image_and_the_others_never_pull_it():
    builders: dict[str, list[str]] = {}
    for name, service in SERVICES.items():
        if "build" in service:
            builders.setdefault(service["image"], []).append(name)
    assert builders == {"earshot:local": ["init"]}
    for name, service in EARSHOT.items():
        if name != "init":
            # `up` builds every image before it creates any container; a pull could only fail
            assert "build" not in service and service["pull_policy"] == "never", name


def test_build_context_and_copied_files_exist():
    build = SERVICES["init"]["build"]
    context = REPO_ROOT / build["context"]
    dockerfile = context / build.get("dockerfile", "Dockerfile")
    assert dockerfile.is_file()
    for line in dockerfile.read_text().splitlines():
        if line.startswith("COPY ") and "--from" not in line:
            for src in line.split()[1:-1]:
                assert src == "." or (context / src).exists(), f"COPY source {src} missing"


def test_stateful_services_are_healthchecked_and_waited_for():
    for name in ("kafka", "mongo"):
        assert "healthcheck" in SERVICES[name]
        assert SERVICES["init"]["depends_on"][name]["condition"] == "service_healthy"
    assert SERVICES["catalog"]["depends_on"] == {"init": {"condition": "service_completed_successfully"}}
    for name, service in SERVICES.items():
        if _command(service)[:2] == ["earshot", "component"]:
            for first in ("init", "catalog"):
                assert service["depends_on"][first]["condition"] == "service_completed_successfully", name


def test_first_start_loads_the_catalog_like_earshot_run():
    assert _command(SERVICES["catalog"]) == ["earshot", "catalog", "load", "--if-empty"]
    assert SERVICES["catalog"]["restart"] == "no"


def test_kafka_healthcheck_starts_no_jvm():
    check = " ".join(SERVICES["kafka"]["healthcheck"]["test"])
    assert "kafka-" not in check and "java" not in check, check


def test_host_ports_bind_to_loopback_and_data_lives_in_named_volumes():
    """Kafka and MongoDB (no auth of their own) only ever on loopback; the dashboard and Airflow
    (both behind sign-in) on EARSHOT_PUBLISH_HOST, loopback by default; only the opt-in proxy
    listens on every interface."""
    publishable = {"app", "airflow"}
    for name, service in SERVICES.items():
        for port in service.get("ports", []):
            port = str(port)
            if name == "proxy":
                assert SERVICES["proxy"]["profiles"] == ["proxy"]
            elif name in publishable:
                assert port.startswith("${EARSHOT_PUBLISH_HOST:-127.0.0.1}:"), f"{name}: {port}"
            else:
                assert port.startswith("127.0.0.1:"), f"{name} publishes {port} beyond loopback"
    assert {"kafka-data", "mongo-data", "earshot-data"} <= set(COMPOSE["volumes"])


def test_the_proxy_serves_the_dashboard_over_tls_for_the_domain():
    caddyfile = (REPO_ROOT / "infra" / "caddy" / "Caddyfile").read_text()
    assert "{$EARSHOT_DOMAIN} {" in caddyfile and "reverse_proxy app:8501" in caddyfile
    assert "tls {$EARSHOT_TLS}" in caddyfile and "Strict-Transport-Security" in caddyfile
    mount = SERVICES["proxy"]["volumes"][0].split(":")[0]
    assert (REPO_ROOT / mount).resolve() == REPO_ROOT / "infra" / "caddy" / "Caddyfile"
    assert SERVICES["proxy"]["depends_on"]["app"]["condition"] == "service_healthy"


def test_official_images_for_kafka_and_mongo_and_matching_kafka_version():
    from infra.services import kafka_version

    assert SERVICES["kafka"]["image"] == f"apache/kafka:{kafka_version()}"
    assert SERVICES["mongo"]["image"].startswith("mongo:")


def test_no_required_variables_so_every_profile_starts_without_spotify():
    # `${VAR:?msg}` / `${VAR?msg}` are evaluated for every service of every profile: one missing
    # Spotify secret stopped the default `docker compose up`. The poller checks at start instead.
    assert re.findall(r"\$\{[A-Za-z_][A-Za-z0-9_]*:?\?", TEXT) == []
    assert SERVICES["poller"]["profiles"] == ["spotify"]
    assert SERVICES["airflow"]["profiles"] == ["airflow"] and SERVICES["proxy"]["profiles"] == ["proxy"]


def test_every_setting_is_forwarded_or_pinned_or_exempt():
    forwarded: dict[str, set[str]] = {}
    for name in EARSHOT:
        for key, value in _env(name).items():
            if value == f"${{{key}:-}}":
                forwarded.setdefault(key, set()).add(name)
    for field in Settings.model_fields:
        var = env_names(field)[0]
        if field in PINNED:
            for name in EARSHOT:
                assert _env(name)[var] == PINNED[field], f"{name}: {var} must be compose's own value"
        elif field in NOT_FORWARDED:
            assert all(var not in _env(n) for n in EARSHOT), f"{var} is exempt but set"
        elif field in WITH_DEFAULT:
            assert all(_env(n)[var] == WITH_DEFAULT[field] for n in EARSHOT), var
            assert all(
                WITH_DEFAULT[field] in " ".join(SERVICES[n].get("ports", [])) for n in ("app", "airflow")
            )
        elif field in ONE_SERVICE:
            assert forwarded.get(var) == {ONE_SERVICE[field]}, f"{var} must reach {ONE_SERVICE[field]} only"
        elif field in SPOTIFY_SECRETS:
            assert forwarded.get(var) == {"poller", "connect"}, f"{var} must reach poller and connect only"
        else:
            assert forwarded.get(var) == set(EARSHOT), f"{var} does not reach every earshot container"
    assert {"KAGGLE_USERNAME", "KAGGLE_KEY"} <= set(_env("catalog")) & set(_env("airflow"))


def test_header_comment_lists_every_forwarded_variable():
    header = TEXT.split("\nx-earshot-env:", 1)[0]
    for name in EARSHOT:
        for key, value in _env(name).items():
            if value.startswith("${"):
                assert key in header, f"{key} missing from the compose header comment"


def test_cluster_worker_has_a_writable_work_dir_and_jobs_cap_their_cores():
    worker = _command(SERVICES["spark-worker"])
    work_dir = worker[worker.index("--work-dir") + 1]
    assert work_dir.startswith("/data/") and _env("spark-worker")["SPARK_WORKER_DIR"] == work_dir
    assert any(v.endswith(":/data") for v in SERVICES["spark-worker"]["volumes"])
    from spark_jobs.session import session_conf

    conf = session_conf(load_settings(spark_master="spark://spark-master:7077", spark_cores_max=2), "")
    assert conf["spark.cores.max"] == "2"
    assert session_conf(load_settings(), "")["spark.cores.max"] == "1"


def test_every_spark_session_is_built_by_the_shared_session():
    # so every streaming job and every Airflow-launched job gets spark.cores.max
    builders = [
        p.relative_to(REPO_ROOT)
        for top in ("airflow", "batch", "consumer", "kaggle_seed", "producer", "spark_jobs", "streamlit_app")
        for p in (REPO_ROOT / top).rglob("*.py")
        if "SparkSession.builder" in p.read_text()
    ]
    assert builders == [Path("spark_jobs/session.py")]


def test_no_client_url_is_built_from_a_wildcard_bind_address(monkeypatch):
    from infra.airflow_cli import airflow_env
    from spark_jobs.session import session_conf

    monkeypatch.delenv("AIRFLOW__API__BASE_URL", raising=False)
    s = load_settings(bind_host="0.0.0.0", airflow_password="x")  # off loopback Airflow needs one
    assert (s.connect_host, s.kafka_servers, s.mongo_url) == (
        "127.0.0.1",
        "127.0.0.1:9092",
        "mongodb://127.0.0.1:27017/",
    )
    local = session_conf(s, "")
    assert (local["spark.driver.bindAddress"], local["spark.driver.host"]) == ("0.0.0.0", "127.0.0.1")
    cluster = session_conf(load_settings(bind_host="0.0.0.0", spark_master="spark://m:7077"), "")
    assert cluster["spark.driver.host"] not in {"0.0.0.0", "127.0.0.1", ""}
    env = airflow_env(s)
    assert env["AIRFLOW__API__HOST"] == "0.0.0.0"
    assert env["AIRFLOW__API__BASE_URL"] == "http://127.0.0.1:8080"
    assert env["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"] == "http://127.0.0.1:8080/execution/"
    # compose: 0.0.0.0 only as the bind host; the browser-facing Airflow URL is the published port
    for name in EARSHOT:
        assert [k for k, v in _env(name).items() if "0.0.0.0" in v] == ["EARSHOT_BIND_HOST"], name
    assert _env("airflow")["AIRFLOW__API__BASE_URL"] == "http://127.0.0.1:${EARSHOT_AIRFLOW_PORT:-8080}"


def test_connect_callback_is_published_at_the_redirect_uri():
    redirect = Settings.model_fields["spotify_redirect_uri"].default
    assert redirect == "http://127.0.0.1:8888/callback"
    assert SERVICES["connect"]["ports"] == ["127.0.0.1:8888:8888"]
    assert SERVICES["connect"]["profiles"] == ["connect"]  # one-off: `up` never starts it
    assert "ports" not in SERVICES["poller"]  # so `run --service-ports connect` next to it works


def test_dockerfile_installs_dependencies_before_the_code_and_keeps_no_maven_cache():
    lines = [line for line in DOCKERFILE.replace("\\\n", " ").splitlines() if line.strip()]
    copy_all = lines.index("COPY . .")
    deps = next(i for i, line in enumerate(lines) if "-r pyproject.toml" in line)
    assert deps < copy_all, "dependencies must be a layer of their own, before the code"
    after = " ".join(lines[copy_all:])
    assert "--no-deps" in after and "stack fetch" not in after, "a code edit must not reinstall"
    maven = next(line for line in lines if "install" in line and " maven" in line)
    assert "/root/.m2" in maven and "purge" in maven, "Maven and its repository leave in their layer"
    assert "chown -R" not in DOCKERFILE, "a recursive chown copies every file into a new layer"


def test_env_example_documents_every_setting():
    documented = Path(REPO_ROOT / ".env.example").read_text()
    for name in Settings.model_fields:
        names = env_names(name)
        assert any(f"{n}=" in documented for n in names), f"{names[0]} missing from .env.example"
