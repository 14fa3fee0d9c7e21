"""The contract layer: the gold writers and readers against mongo-java-server, a second,
independent MongoDB-wire server (infra/mongo_java.py, docs/mongodb.md).

Every test here is marked `contract`. They need Java and Maven (the server is fetched and
compiled into the cache once) but not the local stack; one server per test session, a fresh
database per module. `EARSHOT_CONTRACT_MONGO_URI` points them at another server instead (a real
MongoDB, or another candidate of docs/mongodb.md).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

from core.settings import Settings


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = __file__.rsplit("/", 1)[0]
    for item in items:
        if str(item.path).startswith(here):
            item.add_marker(pytest.mark.contract)


@pytest.fixture(scope="session")
def contract_settings(settings: Settings) -> Iterator[Settings]:
    """This session's settings with MONGO_URI pointing at a running mongo-java-server."""
    from infra import mongo_java

    if uri := os.environ.get("EARSHOT_CONTRACT_MONGO_URI"):
        yield settings.model_copy(update={"mongo_uri": uri})
        return
    with mongo_java.running(settings.cache_dir) as uri:
        yield settings.model_copy(update={"mongo_uri": uri})


@pytest.fixture(scope="module")
def contract_db(contract_settings: Settings) -> Iterator[Any]:
    """An empty database on the contract server with the indexes `ensure_indexes` wants there."""
    from core import mongo

    with mongo.client(contract_settings) as client:
        client.drop_database(contract_settings.mongo_db)
        db = client[contract_settings.mongo_db]
        mongo.ensure_indexes(db)
        yield db
        client.drop_database(contract_settings.mongo_db)
