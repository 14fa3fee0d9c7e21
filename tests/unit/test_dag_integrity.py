"""Every DAG imports and follows the house rules — DagBag only, no metadata DB, no services.

Run in a subprocess: importing Airflow configures logging and settings for the whole process.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from core.settings import REPO_ROOT

DAGS = REPO_ROOT / "airflow" / "dags"
EXPECTED = {"kaggle_backfill", "history_import", "reprocess", "weekly_digest", "data_quality"}
CHECK = """
import json
from airflow.dag_processing.dagbag import DagBag
bag = DagBag(dag_folder=%r)
out = {"errors": {k: str(v)[-400:] for k, v in bag.import_errors.items()}, "dags": {}}
for dag in bag.dags.values():
    out["dags"][dag.dag_id] = {
        "tags": sorted(dag.tags or []), "max_active_runs": dag.max_active_runs, "catchup": dag.catchup,
        "doc": bool(dag.doc_md), "tz": dag.start_date.tzinfo is not None,
        "retries": {t.task_id: t.retries for t in dag.tasks},
    }
print(json.dumps(out))
"""


def test_dag_integrity(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "AIRFLOW_HOME": str(tmp_path),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{tmp_path}/airflow.db",
    }
    done = subprocess.run(
        [sys.executable, "-c", CHECK % str(DAGS)], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]
    found = json.loads(done.stdout.strip().splitlines()[-1])
    assert found["errors"] == {}
    assert set(found["dags"]) == EXPECTED
    for dag_id, dag in found["dags"].items():
        assert "earshot" in dag["tags"], dag_id
        assert dag["max_active_runs"] == 1 and dag["catchup"] is False and dag["doc"] and dag["tz"], dag_id
        assert all(r >= 2 for r in dag["retries"].values()), (dag_id, dag["retries"])
