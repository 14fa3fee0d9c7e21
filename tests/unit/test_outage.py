"""Riding out a MongoDB outage (`core.outage`): connection failures are retried with a log line
until the server answers or the limit passes; any other error is not retried."""

from __future__ import annotations

import logging

import pytest
from pymongo.errors import AutoReconnect, OperationFailure, ServerSelectionTimeoutError

from core.outage import DatabaseUnreachable, retry_while_unreachable


class Flaky:
    """Fails with `error` the first `failures` calls, then returns how many calls it took."""

    def __init__(self, failures: int, error: Exception) -> None:
        self.failures, self.error, self.calls = failures, error, 0

    def __call__(self) -> int:
        self.calls += 1
        if self.calls <= self.failures:
            raise self.error
        return self.calls


def test_a_returning_server_ends_the_retries_and_says_so(caplog):
    work = Flaky(3, AutoReconnect("127.0.0.1:27017: [Errno 111] Connection refused"))
    with caplog.at_level(logging.WARNING, "earshot.outage"):
        result = retry_while_unreachable(work, 60, "the batch of user u1", first_pause_s=0.01)
    assert result == work.calls == 4
    lines = [r.getMessage() for r in caplog.records]
    assert len(lines) == 4
    for line in lines[:3]:
        assert "MongoDB unreachable" in line and "retrying the batch of user u1" in line
    assert "Connection refused" in lines[0] and "gives up after 60 s" in lines[0]
    assert lines[3].startswith("MongoDB reachable again after") and "the batch of user u1 done" in lines[3]


def test_an_outage_longer_than_the_limit_fails_with_one_clear_line():
    long_message = "No servers found yet, Timeout: 30.0s, Topology Description: <TopologyDescription …>"
    work = Flaky(10**6, ServerSelectionTimeoutError(long_message))
    with pytest.raises(DatabaseUnreachable) as failed:
        retry_while_unreachable(work, 0.2, "the batch of user u1", first_pause_s=0.01, max_pause_s=0.05)
    message = str(failed.value)
    assert message.startswith("MongoDB unreachable for 0 s, giving up on the batch of user u1")
    assert "EARSHOT_MONGO_OUTAGE_SECONDS=0.2" in message and "Topology" not in message
    assert work.calls > 2


def test_other_errors_are_not_retried():
    work = Flaky(1, OperationFailure("document too large", code=10334))
    with pytest.raises(OperationFailure):
        retry_while_unreachable(work, 60, "the batch of user u1", first_pause_s=0.01)
    assert work.calls == 1
