"""kaggle_backfill — load audio features and genres from the Kaggle datasets into the catalog."""

from __future__ import annotations

from datetime import datetime, timedelta

from airflow.sdk import Param, dag, task

DOC = """
### Kaggle backfill
Obtains the Kaggle audio-feature dataset — with **kagglehub** when Kaggle credentials are
configured (`KAGGLE_USERNAME`/`KAGGLE_KEY` or `~/.kaggle/kaggle.json`), otherwise from the folder
`EARSHOT_KAGGLE_DIR` (default `kaggle_seed/data`) — detects which of the three known datasets each
file is, validates and merges rows by track id, and upserts `tracks` / `artists` with Spark.
Then re-enriches the stored plays the load gave data — by track id, or by artist + track name
for plays without one — and refreshes their rollups, taste profiles and the playlist profiles
(`pipeline.reprocess.reenrich`: incremental, only plays whose catalog track changed).
Params: `dir` (folder override), `dataset` (`auto` or a dataset name), `reprocess` (bool).
"""


@dag(
    dag_id="kaggle_backfill",
    schedule=None,
    start_date=datetime(2026, 1, 1),
    catchup=False,
    max_active_runs=1,
    tags=["earshot", "catalog", "kaggle"],
    doc_md=DOC,
    default_args={"retries": 2, "retry_delay": timedelta(minutes=1)},
    params={
        "dir": Param("", type="string"),
        "dataset": Param("auto", type="string"),
        "reprocess": Param(True, type="boolean"),
    },
)
def kaggle_backfill() -> None:
    @task
    def load(params: dict | None = None) -> dict:
        from pathlib import Path

        from core.settings import get_settings
        from kaggle_seed.load import backfill

        p = params or {}
        directory = Path(p["dir"]) if p.get("dir") else None
        return backfill(get_settings(), directory, p.get("dataset", "auto"), reenrich=False)

    @task
    def reenrich(report: dict, params: dict | None = None) -> dict:
        if not (params or {}).get("reprocess", True):
            return {"skipped": True, "backfill": report["coverage"]}
        import datetime as dt

        from core.settings import get_settings
        from pipeline.coverage import catalog_coverage
        from pipeline.reprocess import reenrich as reenrich_plays

        settings = get_settings()
        done = reenrich_plays(settings, since=dt.datetime.fromisoformat(report["started_at"]))
        return done | {"coverage": catalog_coverage(settings)}

    reenrich(load())


kaggle_backfill()
