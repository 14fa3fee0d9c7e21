"""Folder vs kagglehub: only kagglehub's download call is faked; detection runs for real."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from core.collections import field_sources
from core.errors import EarshotError
from core.settings import load_settings
from kaggle_seed import source
from kaggle_seed.generate_sample import DEFAULT_OUT
from kaggle_seed.write import merge_into


def test_folder_when_no_credentials(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KAGGLE_USERNAME", raising=False)
    monkeypatch.setenv("KAGGLE_CONFIG_DIR", str(tmp_path / "none"))
    shutil.copy(DEFAULT_OUT, tmp_path / "dataset.csv")
    (tmp_path / "notes.csv").write_text("a,b\n1,2\n")
    files, how = source.obtain(load_settings(kaggle_dir=tmp_path))
    assert how == "folder" and files == [("maharshipandya", tmp_path / "dataset.csv")]


def test_kagglehub_when_credentials(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import kagglehub

    monkeypatch.setenv("KAGGLE_USERNAME", "someone")
    monkeypatch.setenv("KAGGLE_KEY", "not-a-real-key")
    cache = tmp_path / "kagglehub"
    cache.mkdir()
    shutil.copy(DEFAULT_OUT, cache / "dataset.csv")
    calls: list[str] = []
    monkeypatch.setattr(kagglehub, "dataset_download", lambda handle: calls.append(handle) or str(cache))
    files, how = source.obtain(load_settings(kaggle_dir=tmp_path / "unused"))
    assert how == "kagglehub" and calls == ["maharshipandya/-spotify-tracks-dataset"]
    assert files == [("maharshipandya", cache / "dataset.csv")]


def test_missing_folder_is_one_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KAGGLE_USERNAME", raising=False)
    monkeypatch.setenv("KAGGLE_CONFIG_DIR", str(tmp_path))
    with pytest.raises(EarshotError, match="EARSHOT_KAGGLE_DIR"):
        source.obtain(load_settings(kaggle_dir=tmp_path / "missing"))


def test_api_owned_fields_are_kept() -> None:
    old = {"_id": "x", "name": "API name", "sources": {"name": "api"}}
    new = {
        "_id": "x",
        "name": "kaggle name",
        "features": {"energy": 0.5},
        "genres": ["pop"],
        "sources": {"*": "kaggle:maharshipandya"},
    }
    merged = merge_into(old, new)
    assert merged["name"] == "API name" and merged["features"] == {"energy": 0.5}
    assert field_sources(merged) == {
        "name": "api",
        "features": "kaggle:maharshipandya",
        "genres": "kaggle:maharshipandya",
    }
    assert merged["sources"] == {"*": "kaggle:maharshipandya", "name": "api"}  # one entry per other source
