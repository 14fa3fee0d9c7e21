"""weekly_digest — a weekly listening summary per user into notifications (and the webhook)."""

from __future__ import annotations

from datetime import datetime, timedelta

from airflow.sdk import dag, task

DOC = """
### Weekly digest
Every Monday: for each user with listening in the 7 days before the run's logical date, sums the
7 day rollups (minutes, streams, active days; top artists from the day artist rows merged), read
by `_id`, into a `notifications` document of kind `digest` (stable id per user and week, so reruns
replace it), and posts it to the webhook when `EARSHOT_WEBHOOK_URL` is set.
"""


@dag(
    dag_id="weekly_digest",
    schedule="0 7 * * 1",
    start_date=datetime(2026, 1, 5),
    catchup=False,
    max_active_runs=1,
    tags=["earshot", "notifications"],
    doc_md=DOC,
    default_args={"retries": 2, "retry_delay": timedelta(minutes=5)},
)
def weekly_digest() -> None:
    @task
    def digests(logical_date: datetime | None = None) -> int:
        from datetime import date, timedelta

        from batch.digest import weekly_digests
        from core.settings import get_settings

        end = (logical_date.date() if logical_date else date.today()) - timedelta(days=1)
        return len(weekly_digests(get_settings(), end))

    digests()


weekly_digest()
