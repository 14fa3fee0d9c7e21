"""Shared fixtures.

Integration tests run against the real local stack (`earshot stack up`, idempotent) but each
test session gets its own topic prefix and database, so runs never see each other's data.
Expensive things (the stack, one SparkSession) are session-scoped; readiness is a real round
trip, never a sleep.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from core.settings import Settings, get_settings, load_settings

RUN_ID = f"t{uuid.uuid4().hex[:8]}"


@pytest.fixture(scope="session")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Settings of this test session: isolated topics, database and checkpoints."""
    overrides = {
        "EARSHOT_TOPIC_PREFIX": RUN_ID,
        "EARSHOT_MONGO_DB": f"earshot_{RUN_ID}",
        "EARSHOT_SPARK_TRIGGER_SECONDS": "0",
    }
    os.environ.update(overrides)  # subprocesses (CLI, Spark workers) see the same
    get_settings.cache_clear()
    return get_settings()


@pytest.fixture(scope="session")
def checkpoint_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("checkpoints")


@pytest.fixture(scope="session")
def stack(settings: Settings) -> Iterator[Settings]:
    """The running local stack with this session's topics and indexes (topics removed after)."""
    from infra import stack as local_stack

    local_stack.up(settings)
    yield settings
    delete_topics(settings)


def delete_topics(settings: Settings) -> None:
    """Remove the topics of `settings.topic_prefix` (a test session's own)."""
    from core import kafka
    from core.topics import all_topic_names

    admin = kafka.admin(settings)
    try:
        admin.delete_topics(all_topic_names(settings.topic_prefix))
    finally:
        admin.close()


@pytest.fixture(scope="session")
def mongo_db(stack: Settings) -> Iterator[Any]:
    from core import mongo

    client = mongo.client(stack)
    db = client[stack.mongo_db]
    yield db
    client.drop_database(stack.mongo_db)
    client.close()


@pytest.fixture(scope="session")
def spark(stack: Settings) -> Iterator[Any]:
    from infra.services import spark_kafka_jars
    from spark_jobs.session import spark_session

    session = spark_session(stack, "earshot-tests", spark_kafka_jars(stack))
    yield session
    session.stop()


def fresh_settings(**overrides: Any) -> Settings:
    """Settings built from explicit values (unit tests of validation)."""
    return load_settings(**overrides)


def pytest_unconfigure(config: pytest.Config) -> None:
    """py4j and kafka-python log from __del__ at interpreter exit, after pytest closed its streams;
    don't print tracebacks for those lines below the test summary."""
    import logging

    logging.raiseExceptions = False
