"""history_import — import Spotify export files dropped into the inbox folder."""

from __future__ import annotations

from datetime import datetime, timedelta

from airflow.sdk import Param, dag, task

DOC = """
### History import
Imports every Spotify "Download your data" export (zip, folder or JSON) dropped into
`<EARSHOT_DATA_DIR>/inbox` with the same importer as the CLI, then moves each to `inbox/done/` or
`inbox/failed/` with its import report as `<name>.report.json` (also stored in `imports`).
Runs every 15 minutes; param `user_id` (default `me`).
"""


@dag(
    dag_id="history_import",
    schedule=timedelta(minutes=15),
    start_date=datetime(2026, 1, 1),
    catchup=False,
    max_active_runs=1,
    tags=["earshot", "import"],
    doc_md=DOC,
    default_args={"retries": 2, "retry_delay": timedelta(minutes=1)},
    params={"user_id": Param("me", type="string")},
)
def history_import() -> None:
    @task
    def import_inbox(params: dict | None = None) -> list:
        from batch.inbox import process_inbox
        from core.settings import get_settings

        return process_inbox(get_settings(), (params or {}).get("user_id") or "me")

    import_inbox()


history_import()
