"""Configuration is validated at start, with one clear line naming the variable."""

from __future__ import annotations

import subprocess
import sys

import pytest

from core.settings import REPO_ROOT, SettingsError, load_settings


def test_defaults_bind_to_loopback_and_size_spark_to_the_machine():
    s = load_settings()
    assert s.bind_host == "127.0.0.1"
    assert s.kafka_servers.startswith("127.0.0.1:")
    assert s.spark_shuffle_partitions < 200


@pytest.mark.parametrize(
    ("overrides", "needle"),
    [
        ({"kafka_port": 70000}, "EARSHOT_KAFKA_PORT"),
        ({"default_time_zone": "Mars/Olympus"}, "unknown IANA time zone"),
        ({"spotify_redirect_uri": "http://localhost:8888/callback"}, "not 'localhost'"),
        ({"mongo_uri": "postgres://x"}, "MONGO_URI"),
        ({"topic_prefix": "bad prefix!"}, "EARSHOT_TOPIC_PREFIX"),
    ],
)
def test_invalid_settings_fail_with_a_clear_message(overrides, needle):
    with pytest.raises(SettingsError) as err:
        load_settings(**overrides)
    message = str(err.value)
    assert message.startswith("earshot: invalid configuration:")
    assert needle in message
    assert "\n" not in message


def test_secrets_never_show_in_repr():
    s = load_settings(spotify_client_secret="hunter2-secret", token_key="k" * 44)
    assert "hunter2-secret" not in repr(s)
    assert "hunter2-secret" not in str(s.model_dump())


def test_cli_dies_at_start_on_a_bad_environment_variable():
    env = {"PATH": "/usr/bin:/bin", "HOME": "/tmp", "EARSHOT_KAFKA_PORT": "not-a-port"}
    result = subprocess.run(
        [sys.executable, "-m", "earshot.cli", "stack", "status"],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "EARSHOT_KAFKA_PORT" in result.stderr
    assert "Traceback" not in result.stderr
