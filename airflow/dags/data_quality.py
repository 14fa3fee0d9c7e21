"""data_quality — checks that fail loudly: duplicates, rollups vs plays, coverage, dead letters."""

from __future__ import annotations

from datetime import datetime, timedelta

from airflow.sdk import dag, task

DOC = """
### Data quality
Hourly checks; each task **fails** (and so alerts) when its check does not hold:
- `duplicates` — no two plays with the same user, track and end time;
- `rollups` — the latest day rollups equal a recomputation from the plays;
- `coverage` — share of plays with audio features ≥ `EARSHOT_MIN_CATALOG_COVERAGE` (0.5);
- `dead_letters` — no dead-letter spike in the last hour.
"""


def _db():  # type: ignore[no-untyped-def]
    from core import mongo
    from core.settings import get_settings

    settings = get_settings()
    return mongo.client(settings)[settings.mongo_db], settings


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
        from batch.quality import no_duplicate_plays

        return no_duplicate_plays(_db()[0])

    @task
    def rollups() -> dict:
        from batch.quality import rollups_match_plays

        return rollups_match_plays(_db()[0])

    @task
    def coverage() -> dict:
        from batch.quality import catalog_coverage_ok

        db, settings = _db()
        return catalog_coverage_ok(db, settings.min_catalog_coverage)

    @task
    def dead_letters() -> dict:
        from batch.quality import no_dead_letter_spike

        return no_dead_letter_spike(_db()[0])

    [duplicates(), rollups(), coverage(), dead_letters()]


data_quality()
