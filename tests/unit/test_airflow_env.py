"""The environment `earshot airflow up|standalone` gives Airflow: standalone starts its parts as
`airflow …` by name, so the venv must be on PATH; the API port and execution API URL go together."""

from __future__ import annotations

import shutil
from pathlib import Path

from core.settings import load_settings
from infra.airflow_cli import airflow_env


def test_airflow_is_found_and_wired_to_earshot(tmp_path):
    env = airflow_env(load_settings(data_dir=tmp_path, airflow_port=18080))
    assert shutil.which("airflow", path=env["PATH"]), "standalone could not start its sub-processes"
    assert Path(env["AIRFLOW__CORE__DAGS_FOLDER"], "kaggle_backfill.py").is_file()
    assert env["AIRFLOW__API__HOST"] == "127.0.0.1" and env["AIRFLOW__API__PORT"] == "18080"
    assert env["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"] == "http://127.0.0.1:18080/execution/"
    assert env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"] == f"sqlite:///{tmp_path}/airflow/airflow.db"
