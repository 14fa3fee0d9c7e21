"""A user's batch that MongoDB drops in the middle (`pipeline.store.UserBatch`, retried by
`core.outage` as the plays job does) ends exactly like one that never failed, wherever it broke:
before or after any one of its writes reached the server. Checked with the ground-truth recount.

Recomputing the batch from the half-written state instead would not: once a day lists the new
plays they look stored, and the rollups after that write would never be written.
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import partial
from typing import Any

import pytest
from pymongo.errors import AutoReconnect

from core.outage import retry_while_unreachable
from pipeline.job import JobConfig
from pipeline.store import UserBatch
from tests.integration.ground_truth import assert_rollups_match, events, load_catalog, logical_plays

ZONE = "Europe/Berlin"
START = datetime(2024, 5, 1, 12, tzinfo=UTC)
WRITES = {"insert_one", "insert_many", "replace_one", "update_one", "delete_many", "bulk_write"}


class Dropping:
    """A database whose `fail_at`-th write (from 0) raises AutoReconnect — before the write is sent
    or after the server applied it (the reply lost) — and which counts every write."""

    def __init__(self, db: Any, fail_at: int = -1, applied: bool = False) -> None:
        self.db, self.fail_at, self.applied, self.writes, self.failed = db, fail_at, applied, 0, False

    def __getitem__(self, name: str) -> Any:
        return _Collection(self, self.db[name])

    def __getattr__(self, name: str) -> Any:
        return getattr(self.db, name)

    def write(self, call: Any, *args: Any, **kwargs: Any) -> Any:
        n, self.writes = self.writes, self.writes + 1
        if n == self.fail_at and not self.applied:
            self.failed = True
            raise AutoReconnect("connection closed")
        try:
            result = call(*args, **kwargs)
        except Exception:  # applied, and the server's answer (an error too) is lost
            if n != self.fail_at:
                raise
        if n == self.fail_at:
            self.failed = True
            raise AutoReconnect("connection closed")
        return result


class _Collection:
    def __init__(self, db: Dropping, coll: Any) -> None:
        self._db, self._coll = db, coll

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._coll, name)
        return partial(self._db.write, attr) if name in WRITES else attr


@pytest.fixture(scope="module")
def cfg(stack: Any, mongo_db: Any) -> JobConfig:
    load_catalog(mongo_db)
    return JobConfig.from_settings(stack)


def _batches(user: str, n: int) -> tuple[list[dict], list[dict], list[dict]]:
    """Logical plays of `user` and two batches of their events: every other event in the second,
    so the second merges into plays the first stored."""
    plays = logical_plays(12, seed=11, start=START, first=1000 * n)
    evs = [e.model_dump() for p in plays for e in events(p, user)]
    return plays, evs[::2], evs[1::2]


def _second_batch_writes(mongo_db: Any, cfg: JobConfig) -> int:
    plays, first, second = _batches("resume-count", 0)
    UserBatch(cfg, "resume-count", first).run(mongo_db)
    counting = Dropping(mongo_db)
    UserBatch(cfg, "resume-count", second).run(counting)
    assert_rollups_match(mongo_db, "resume-count", plays, ZONE)
    return counting.writes


def test_a_batch_dropped_at_any_write_and_retried_counts_everything_once(mongo_db, cfg):
    mongo_db.users.insert_one({"_id": "resume-count", "time_zone": ZONE})
    writes = _second_batch_writes(mongo_db, cfg)
    assert writes >= 6  # plays, then each rollup collection, then the user's stats
    cases = [(k, applied) for k in range(writes) for applied in (False, True)]
    for n, (fail_at, applied) in enumerate(cases, start=1):
        user = f"resume-{n}"
        mongo_db.users.insert_one({"_id": user, "time_zone": ZONE})
        plays, first, second = _batches(user, n)
        UserBatch(cfg, user, first).run(mongo_db)
        dropping = Dropping(mongo_db, fail_at, applied)
        run = partial(UserBatch(cfg, user, second).run, dropping)
        assert retry_while_unreachable(run, 60, f"the batch of {user}", first_pause_s=0)["changed"] > 0
        assert dropping.failed and dropping.writes > fail_at + 1, (fail_at, applied)  # failed, ran again
        assert_rollups_match(mongo_db, user, plays, ZONE)
