"""docker-compose.yml through Compose's own loader (compose-go, built from the Go module proxy by
infra.compose_loader and cached): it loads, interpolates and validates against the Compose schema
for the default profile and each named one, with an empty environment and with `.env.example`
copied to `.env` — as a new user's `cp .env.example .env && docker compose up` would. No Docker
engine runs here; what the engine does with the result is exercised by test_compose_services.py.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from core.settings import REPO_ROOT, Settings, env_names
from infra.compose_loader import ComposeError, build_context, load
from tests.unit.test_compose import NOT_FORWARDED, PINNED

pytestmark = pytest.mark.integration

DEFAULT = {"kafka", "mongo", "init", "catalog", "consumer", "spark-plays", "spark-playlists", "demo", "app"}
PROFILES = {
    "": DEFAULT,
    "spotify": DEFAULT | {"poller"},
    "connect": DEFAULT | {"connect"},
    "cluster": DEFAULT | {"spark-master", "spark-worker"},
    "airflow": DEFAULT | {"airflow"},
}
ENV_EXAMPLE = REPO_ROOT / ".env.example"


@pytest.fixture(scope="module")
def cache_dir(settings: Settings) -> Path:
    return settings.cache_dir


def _dotenv(path: Path) -> dict[str, str]:
    pairs = (line.split("=", 1) for line in path.read_text().splitlines() if "=" in line and line[0] != "#")
    return {k.strip(): v.strip() for k, v in pairs}


@pytest.mark.parametrize("env_file", [None, ENV_EXAMPLE], ids=["empty-env", "env-example"])
@pytest.mark.parametrize("profile", list(PROFILES))
def test_every_profile_loads_with_composes_own_loader(cache_dir, profile, env_file):
    project = load(cache_dir, profiles=[profile] if profile else [], env_file=env_file, environ={})
    assert set(project["services"]) == PROFILES[profile]


def test_env_example_values_reach_the_containers_and_never_move_the_layout(cache_dir, tmp_path):
    dotenv = tmp_path / ".env"
    shutil.copy(ENV_EXAMPLE, dotenv)  # `cp .env.example .env`
    with dotenv.open("a") as fh:  # what a user edits, and layout values a user might copy over
        fh.write("EARSHOT_STREAM_THRESHOLD_MS=45000\nSPOTIFY_CLIENT_SECRET=s3cret\nEARSHOT_CACHE_DIR=/x\n")
    example = _dotenv(dotenv)
    environ = {"EARSHOT_DATA_DIR": "/home/me/earshot", "EARSHOT_BIND_HOST": "127.0.0.1"}
    project = load(cache_dir, profiles=["spotify", "airflow"], env_file=dotenv, environ=environ)
    services: dict[str, Any] = project["services"]
    earshot = {n: s for n, s in services.items() if s["image"] == "earshot:local"}
    for name, service in earshot.items():
        env = service["environment"]
        for field in Settings.model_fields:
            var = env_names(field)[0]
            if field in PINNED:
                assert env[var] == PINNED[field], f"{name}: .env moved {var}"
            elif var in env and field not in NOT_FORWARDED:
                assert env[var] == example.get(var, ""), f"{name}: {var} is not the .env value"
    assert services["consumer"]["environment"]["EARSHOT_STREAM_THRESHOLD_MS"] == "45000"
    assert services["poller"]["environment"]["SPOTIFY_CLIENT_SECRET"] == "s3cret"
    assert "SPOTIFY_CLIENT_SECRET" not in services["app"]["environment"]


@pytest.mark.parametrize(
    ("snippet", "needle"),
    [
        (
            "    environment:\n      TOKEN: ${TOKEN:?set TOKEN}\n",
            "required variable TOKEN is missing a value",
        ),
        ("    bogus_key: 1\n", "bogus_key"),
    ],
    ids=["required-variable", "unknown-key"],
)
def test_the_loader_refuses_a_required_variable_and_an_unknown_key(cache_dir, tmp_path, snippet, needle):
    compose = tmp_path / "docker-compose.yml"
    compose.write_text("services:\n  one:\n    image: busybox\n" + snippet)
    with pytest.raises(ComposeError, match=needle):
        load(cache_dir, compose_dir=tmp_path, environ={})
    compose.write_text("services:\n  one:\n    image: busybox\n")  # the same file without it loads
    assert set(load(cache_dir, compose_dir=tmp_path, environ={})["services"]) == {"one"}


def test_build_context_keeps_secrets_and_user_downloads_out(cache_dir, tmp_path):
    shutil.copy(REPO_ROOT / ".dockerignore", tmp_path)
    for rel in (
        ".env",
        ".env.local",
        ".env.example",
        "kaggle_seed/data/dataset.csv",
        "kaggle_seed/data/tracks_features.csv",
        "kaggle_seed/data/sample_dataset.csv",
        "core/settings.py",
        ".venv/bin/python",
        "core/__pycache__/settings.cpython-311.pyc",
    ):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("x")
    sent = set(build_context(cache_dir, tmp_path))
    assert sent == {
        ".dockerignore",
        ".env.example",
        "kaggle_seed/data/sample_dataset.csv",
        "core/settings.py",
    }


def test_the_real_build_context_holds_what_the_image_needs(cache_dir):
    sent = set(build_context(cache_dir))
    assert {"Dockerfile", "pyproject.toml", "constraints.txt", "README.md"} <= sent
    assert "kaggle_seed/data/sample_dataset.csv" in sent  # the catalog service loads it
    assert "infra/maven/spark-kafka.pom.xml" in sent and "airflow/dags/kaggle_backfill.py" in sent
    assert not any(p == ".env" or p.startswith((".git/", ".venv/")) for p in sent)
