"""Kaggle backfill into the real FerretDB with the session's Spark: three schemas, twice → same."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from core import gold
from core.collections import field_sources
from kaggle_seed.generate_sample import DEFAULT_OUT
from kaggle_seed.load import backfill
from tests.synthetic.kaggle import write_tracks_features, write_yamaerenay

pytestmark = [pytest.mark.integration, pytest.mark.spark]


def _snapshot(db: Any, coll: str) -> dict[str, Any]:
    return {d["_id"]: {k: v for k, v in d.items() if k != "updated_at"} for d in db[coll].find()}


@pytest.fixture()
def clean_catalog(mongo_db: Any) -> Any:
    for coll in ("tracks", "artists", "catalog_cells"):
        mongo_db[coll].delete_many({})
    return mongo_db


def test_maharshipandya_twice_same_catalog(
    stack: Any, spark: Any, clean_catalog: Any, tmp_path: Path
) -> None:
    shutil.copy(DEFAULT_OUT, tmp_path / "dataset.csv")
    (tmp_path / "dataset.csv").open("a").write(
        "3000,NOT-AN-ID,X,Y,Z,1,1000,False,0.5,0.5,1,-5,1,0.1,0.1,0.1,0.1,0.1,100,4,pop\n"
    )
    first = backfill(stack, tmp_path, spark=spark)
    report = first["files"][0]
    assert first["obtained_with"] == "folder"
    assert report["inserted"] == 2791 and report["rejects"] == {"bad_track_id": 1}
    before = _snapshot(clean_catalog, "tracks")
    multi = [d for d in before.values() if len(d.get("genres", [])) == 2]
    assert multi and all(d["genres"] == sorted(d["genres"]) for d in multi)
    second = backfill(stack, tmp_path, spark=spark)["files"][0]
    assert (second["inserted"], second["updated"], second["unchanged"]) == (0, 0, 2791)
    assert _snapshot(clean_catalog, "tracks") == before


def test_rodolfofigueroa_tracks_and_artists(
    stack: Any, spark: Any, clean_catalog: Any, tmp_path: Path
) -> None:
    write_tracks_features(tmp_path / "tracks_features.csv", rows=400, seed=5, n_artists=60)
    first = backfill(stack, tmp_path, dataset="rodolfofigueroa", spark=spark)["files"][0]
    assert first["inserted"] == 400 and first["rejected"] == 0 and first["artists"]["inserted"] > 0
    doc = clean_catalog.tracks.find_one({"release_date": {"$regex": "^[0-9]{4}$"}})
    assert (
        doc["release_year"] == int(doc["release_date"])
        and field_sources(doc)["release_year"] == "kaggle:rodolfofigueroa"
    )
    odd = clean_catalog.artists.find_one({"name": "Earth, Wind & Fire"})
    assert odd is not None
    tracks, artists = _snapshot(clean_catalog, "tracks"), _snapshot(clean_catalog, "artists")
    cells = _snapshot(clean_catalog, "catalog_cells")
    with_features = [t for t in tracks.values() if t.get("features")]
    assert cells["summary"]["tracks"] == len(with_features) > 0
    in_cells = [r[0] for c in cells.values() if "rows" in c for r in gold.CellRows(c["rows"])]
    assert sorted(in_cells) == sorted(t["_id"] for t in with_features)  # each once, in its cell
    backfill(stack, tmp_path, dataset="rodolfofigueroa", spark=spark)
    assert _snapshot(clean_catalog, "tracks") == tracks and _snapshot(clean_catalog, "artists") == artists
    assert _snapshot(clean_catalog, "catalog_cells") == cells


def test_yamaerenay_artist_genres_reach_tracks(
    stack: Any, spark: Any, clean_catalog: Any, tmp_path: Path
) -> None:
    write_yamaerenay(tmp_path, rows=300, seed=9, n_artists=40)
    clean_catalog.tracks.insert_one(
        {"_id": "keepApiNameAAAAAAAAAAA", "name": "from api", "sources": {"name": "api"}}
    )
    out = backfill(stack, tmp_path, spark=spark)
    kinds = [f["dataset"] for f in out["files"]]
    assert kinds == ["yamaerenay_artists", "yamaerenay"]
    assert clean_catalog.artists.count_documents({"genres.0": {"$exists": True}}) > 0
    with_genres = clean_catalog.tracks.find_one({"genres.0": {"$exists": True}})
    assert field_sources(with_genres)["genres"] == "kaggle:yamaerenay"
    tracks = _snapshot(clean_catalog, "tracks")
    backfill(stack, tmp_path, spark=spark)
    assert _snapshot(clean_catalog, "tracks") == tracks
    assert clean_catalog.tracks.find_one({"_id": "keepApiNameAAAAAAAAAAA"})["name"] == "from api"
