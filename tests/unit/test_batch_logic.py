"""Pure parts of the batch package: inbox success rule, digest week, rollup recomputation rules."""

from __future__ import annotations

import datetime as dt

from batch.digest import week_days
from batch.inbox import succeeded


def test_inbox_success_rule() -> None:
    assert succeeded({"status": "done", "totals": {"published": 3, "skipped": 1}})
    assert succeeded(
        {"status": "done", "totals": {"published": 0, "duplicates": 5, "skipped": 0}}
    )  # re-import
    assert not succeeded({"status": "done", "totals": {"published": 0, "skipped": 1}})
    assert not succeeded({"status": "failed", "totals": {"published": 3}})


def test_week_days_end_inclusive() -> None:
    assert week_days(dt.date(2026, 3, 8)) == [f"2026-03-0{d}" for d in range(2, 9)]
