"""A throwaway second local stack for tests that start, stop or restart servers: its own ports and
data dir, the shared download cache, this session's topic prefix and database. The shared stack
serves other test runs and is never stopped.

    spare = spare_settings(settings, tmp_path / "data")
    stack.up(spare, with_spark_jars=False) … stack.down(spare)
"""

from __future__ import annotations

import socket
from pathlib import Path

from core.settings import Settings, load_settings


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def spare_settings(settings: Settings, data_dir: Path, **overrides: object) -> Settings:
    return load_settings(
        cache_dir=settings.cache_dir,
        data_dir=data_dir,
        kafka_port=free_port(),
        kafka_controller_port=free_port(),
        mongo_port=free_port(),
        topic_prefix=settings.topic_prefix,
        mongo_db=settings.mongo_db,
        **overrides,
    )


def service_env(settings: Settings) -> dict[str, str]:
    """The environment a child process needs to use these settings' servers and data dir."""
    return {
        "EARSHOT_DATA_DIR": str(settings.data_dir),
        "EARSHOT_KAFKA_PORT": str(settings.kafka_port),
        "EARSHOT_KAFKA_CONTROLLER_PORT": str(settings.kafka_controller_port),
        "EARSHOT_MONGO_PORT": str(settings.mongo_port),
    }
