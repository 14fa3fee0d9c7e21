"""Every test here is marked `integration` (so `pytest -m "not integration"` runs without the stack).

Integration modules each start from an empty database (indexes in place).

Collections such as `tracks`, `users` and `dead_letters` are global to a database, so one module's
data would otherwise leak into the next module's assertions. Kafka topics stay per session: tests
that read them filter by their own keys.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from core.settings import Settings

pytest.register_assert_rewrite("tests.integration.ground_truth")  # its asserts explain a mismatch


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = __file__.rsplit("/", 1)[0]
    for item in items:
        if str(item.path).startswith(here):
            item.add_marker(pytest.mark.integration)


@pytest.fixture(scope="module", autouse=True)
def fresh_database(stack: Settings) -> Iterator[None]:
    from core import mongo

    with mongo.client(stack) as client:
        client.drop_database(stack.mongo_db)
        mongo.ensure_indexes(client[stack.mongo_db])
    yield
