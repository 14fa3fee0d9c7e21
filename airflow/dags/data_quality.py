"""data_quality — checks that fail loudly: duplicates, rollups vs plays, coverage, dead letters."""

from __future__ import annotations

from datetime import datetime, timedelta

from airflow.sdk import dag, task

DOC = """
### Data quality
Hourly checks; each task **fails** (and so alerts) when its check does not hold:
- `duplicates` — no two plays with the same user, track and end time;
- `rollups` — the 20 latest active user-days: each day rollup equals a recomputation from the plays
  its `play_ids` list, those are exactly the plays of that local day, its track rows add up to it
  and its month's series holds the same counts;
- `coverage` — share of plays with audio features ≥ `EARSHOT_MIN_CATALOG_COVERAGE` (0.5);
- `dead_letters` — no dead-letter spike in the last hour.
"""


def _check(name: str) -> dict:
    """One check of batch.quality.CHECKS; its MongoDB client is closed when the check ends."""
    from batch.quality import run
    from core.settings import get_settings

    return run(name, get_settings())


@dag(
    dag_id="data_quality",
    schedule="@hourly",
    start_date=datetime(2026, 1, 1),
    catchup=False,
    max_active_runs=1,
    tags=["earshot", "quality"],
    doc_md=DOC,
    default_args={"retries": 2, "retry_delay": timedelta(minutes=1)},
)
def data_quality() -> None:
    @task
    def duplicates() -> dict:
        return _check("duplicates")

    @task
    def rollups() -> dict:
        return _check("rollups")

    @task
    def coverage() -> dict:
        return _check("coverage")

    @task
    def dead_letters() -> dict:
        return _check("dead_letters")

    [duplicates(), rollups(), coverage(), dead_letters()]


data_quality()
