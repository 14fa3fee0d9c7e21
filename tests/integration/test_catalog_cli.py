"""`earshot catalog load` end to end in a subprocess (its own Spark) against the real FerretDB."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from core import gold
from core.collections import field_sources
from tests.synthetic.kaggle import write_tracks_features

pytestmark = [pytest.mark.integration, pytest.mark.spark]


def test_catalog_load_cli(stack: Any, mongo_db: Any, tmp_path: Path) -> None:
    write_tracks_features(tmp_path / "tracks_features.csv", rows=120, seed=11, n_artists=30)
    with (tmp_path / "tracks_features.csv").open("a") as fh:
        fh.write(
            "badid,x,a,b,['A'],['B'],1,1,False,0.5,0.5,1,-5,1,0.1,0.1,0.1,0.1,0.1,100,1000,4.0,2001,2001\n"
        )
    earshot = str(Path(sys.executable).parent / "earshot")
    out = subprocess.run(
        [earshot, "catalog", "load", "--dir", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    report = json.loads(out.stdout)
    assert report["obtained_with"] == "folder"
    (file_report,) = report["files"]
    assert file_report["dataset"] == "rodolfofigueroa" and file_report["rejects"] == {"bad_track_id": 1}
    assert file_report["inserted"] + file_report["updated"] + file_report["unchanged"] == 120
    assert "reading the files in" in out.stderr
    assert report["reenriched"]["plays"] == 0  # no plays yet: nothing to re-enrich
    assert {"by_id", "by_name", "match_share"} <= report["coverage"].keys()
    tracks = list(mongo_db.tracks.find({"features": {"$ne": None}}))
    loaded = [t for t in tracks if field_sources(t)["features"] == "kaggle:rodolfofigueroa"]
    assert len(loaded) >= 120
    summary = mongo_db.catalog_cells.find_one({"_id": gold.CELLS_SUMMARY})  # Discover's index has them
    assert summary["tracks"] == len(tracks)


def test_catalog_load_bad_folder_is_one_line(stack: Any, tmp_path: Path) -> None:
    earshot = str(Path(sys.executable).parent / "earshot")
    out = subprocess.run(
        [earshot, "catalog", "load", "--dir", str(tmp_path / "nope")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 1 and "does not exist" in out.stderr and "Traceback" not in out.stderr
