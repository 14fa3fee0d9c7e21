"""docker-compose.yml can't run here (no Docker engine), so check what a `docker compose up`
relies on: every command parses with the same `earshot` CLI the local stack uses, every build
context and copied file exists, compose and `earshot run` start the same components, stateful
services have healthchecks, and host ports stay on loopback."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
import yaml

from core.settings import REPO_ROOT
from earshot.cli import build_parser
from earshot.run import COMPONENTS

COMPOSE = yaml.safe_load((REPO_ROOT / "docker-compose.yml").read_text())
SERVICES: dict = COMPOSE["services"]


def _command(service: dict) -> list[str]:
    cmd = service.get("command", [])
    return shlex.split(cmd) if isinstance(cmd, str) else [str(c) for c in cmd]


def _substitute_defaults(word: str) -> str:
    return re.sub(r"\$\{[A-Z_]+:-([^}]*)\}", r"\1", word)


@pytest.mark.parametrize("name", [n for n, s in SERVICES.items() if _command(s)[:1] == ["earshot"]])
def test_every_earshot_command_parses_with_the_real_cli(name):
    argv = [_substitute_defaults(w) for w in _command(SERVICES[name])[1:]]
    args = build_parser().parse_args(argv)
    assert callable(args.handler)


def test_compose_and_earshot_run_start_the_same_components():
    in_compose = {_command(s)[2] for s in SERVICES.values() if _command(s)[:2] == ["earshot", "component"]}
    assert in_compose == {c.name for c in COMPONENTS}


def test_every_component_module_exists():
    import importlib.util

    missing = [c.module for c in COMPONENTS if importlib.util.find_spec(c.module) is None]
    assert not missing, f"components without code: {missing}"


def test_build_contexts_and_copied_files_exist():
    for name, service in SERVICES.items():
        build = service.get("build")
        if not build:
            continue
        context = REPO_ROOT / build["context"]
        dockerfile = context / build.get("dockerfile", "Dockerfile")
        assert dockerfile.is_file(), f"{name}: {dockerfile} missing"
        for line in dockerfile.read_text().splitlines():
            if line.startswith("COPY ") and "--from" not in line:
                for src in line.split()[1:-1]:
                    assert src == "." or (context / src).exists(), f"{name}: COPY source {src} missing"


def test_stateful_services_are_healthchecked_and_waited_for():
    for name in ("kafka", "mongo"):
        assert "healthcheck" in SERVICES[name]
        assert SERVICES["init"]["depends_on"][name]["condition"] == "service_healthy"
    for name, service in SERVICES.items():
        if _command(service)[:2] == ["earshot", "component"]:
            assert service["depends_on"]["init"]["condition"] == "service_completed_successfully", name


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


def test_secrets_are_required_only_by_their_profiles():
    text = (REPO_ROOT / "docker-compose.yml").read_text()
    required = set(re.findall(r"\$\{([A-Z_]+):\?", text))
    assert required == {
        "SPOTIFY_CLIENT_ID",
        "SPOTIFY_CLIENT_SECRET",
        "EARSHOT_TOKEN_KEY",
        "EARSHOT_AIRFLOW_PASSWORD",
        "EARSHOT_DOMAIN",
    }
    assert SERVICES["poller"]["profiles"] == ["spotify"]
    assert SERVICES["airflow"]["profiles"] == ["airflow"] and SERVICES["proxy"]["profiles"] == ["proxy"]


def test_env_example_documents_every_setting():
    from core.settings import Settings

    documented = Path(REPO_ROOT / ".env.example").read_text()
    for name, info in Settings.model_fields.items():
        alias = info.validation_alias
        names = list(alias.choices) if alias is not None else [f"EARSHOT_{name.upper()}"]
        assert any(f"{n}=" in documented for n in names), f"{names[0]} missing from .env.example"
