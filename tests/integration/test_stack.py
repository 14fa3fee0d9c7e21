"""`earshot stack up|down|status` on a second, throwaway instance (own ports and data dir, the
shared download cache): up starts and proves readiness, up again is a no-op, down stops only
what up started."""

from __future__ import annotations

import subprocess
import sys

import pytest

from core.settings import REPO_ROOT
from infra import stack
from tests.spare_stack import free_port, spare_settings

pytestmark = pytest.mark.integration


@pytest.fixture()
def spare(settings, tmp_path):
    s = spare_settings(settings, tmp_path / "data")
    yield s
    stack.down(s)


def test_up_is_idempotent_status_shows_addresses_and_down_stops_only_ours(spare):
    ours = ["kafka", "mongo"] if spare.local_mongo else ["kafka"]  # MONGO_URI: used, never started
    first = stack.up(spare, with_spark_jars=False)
    assert sorted(first.started) == ours
    assert len(first.topics_created) == 6

    again = stack.up(spare, with_spark_jars=False)
    assert again.started == [] and again.topics_created == []
    assert sorted(again.already_running) == ours

    rows = {name.split()[0]: (state, address) for name, state, address in stack.status(spare)}
    assert rows["kafka"][0].startswith("running (pid")
    assert rows["kafka"][1] == f"127.0.0.1:{spare.kafka_port}"
    if not spare.local_mongo:
        assert rows["mongo"] == ("configured", spare.mongo_uri)
        assert stack.down(spare) == ["kafka"]
        return
    assert rows["mongo"][1] == f"mongodb://127.0.0.1:{spare.mongo_port}/"

    assert stack.down(spare, only=["mongo"]) == ["mongo"]
    rows = {name.split()[0]: state for name, state, _ in stack.status(spare)}
    assert rows == {"kafka": rows["kafka"], "mongo": "stopped"}
    assert rows["kafka"].startswith("running")
    assert stack.down(spare) == ["kafka"]
    assert stack.down(spare) == []


def test_a_missing_tool_is_one_clear_line(tmp_path):
    env = {
        "PATH": str(tmp_path),  # no java, mvn or go
        "HOME": str(tmp_path),
        "EARSHOT_CACHE_DIR": str(tmp_path / "cache"),
        "EARSHOT_DATA_DIR": str(tmp_path / "data"),
        "EARSHOT_KAFKA_PORT": str(free_port()),
        "EARSHOT_MONGO_PORT": str(free_port()),
    }
    result = subprocess.run(
        [sys.executable, "-m", "earshot.cli", "stack", "up"],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1
    assert "not found on PATH" in result.stderr and "install" in result.stderr
    assert "Traceback" not in result.stderr
