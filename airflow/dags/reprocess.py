"""reprocess — rebuild enrichment and rollups for a user and a date range (idempotent)."""

from __future__ import annotations

from datetime import datetime, timedelta

from airflow.sdk import Param, dag, task

DOC = """
### Reprocess
Re-enriches stored plays from the current catalog and rebuilds every rollup, in each user's
current time zone and stream threshold. Run it after changing a user's time zone or threshold,
or after loading a new catalog. Params: `user_id` (empty = all users), `start` / `end`
(`YYYY-MM-DD`, empty = everything). Idempotent: running it twice gives the same rollups.
"""


@dag(
    dag_id="reprocess",
    schedule=None,
    start_date=datetime(2026, 1, 1),
    catchup=False,
    max_active_runs=1,
    tags=["earshot", "rollups"],
    doc_md=DOC,
    default_args={"retries": 2, "retry_delay": timedelta(minutes=1)},
    params={
        "user_id": Param("", type="string"),
        "start": Param("", type="string"),
        "end": Param("", type="string"),
    },
)
def reprocess_dag() -> None:
    @task
    def rebuild(params: dict | None = None) -> dict:
        from datetime import date

        from core.settings import get_settings
        from pipeline.reprocess import reprocess

        p = params or {}
        day = lambda s: date.fromisoformat(s) if s else None  # noqa: E731
        return reprocess(get_settings(), p.get("user_id") or None, day(p.get("start")), day(p.get("end")))

    rebuild()


reprocess_dag()
