"""Discover's catalog index: grid cells and the ring search (pure logic)."""

from __future__ import annotations

import random

import pytest

from batch.discover import by_cell, cell_row
from core.collections import CELL_BINS, RADAR_FEATURES, cell_id, cell_of
from spark_jobs.dedupe import name_key
from streamlit_app import logic


def _catalog(n: int, seed: int) -> list[dict]:
    rng = random.Random(seed)
    return [
        {
            "_id": f"t{i:05d}",
            "name": f"Song {i}",
            "artist_names": [f"Artist {i % 97}"],
            "release_year": 1960 + i % 60,
            "features": {f: rng.betavariate(2, 2) for f in RADAR_FEATURES},
        }
        for i in range(n)
    ]


def _index(tracks: list[dict]):
    cells = by_cell(tracks)
    reads: list[dict] = []

    def read(ids: list[str]):
        found = [logic.cell_track(row) for i in ids for row in cells.get(i, [])]
        reads.extend(found)
        return found

    return read, reads


def test_ring_search_equals_brute_force_and_reads_few_cells():
    tracks = _catalog(20_000, seed=3)
    read, reads = _index(tracks)
    rng = random.Random(8)
    for _ in range(4):
        means = {f: rng.uniform(0.2, 0.8) for f in RADAR_FEATURES}
        played = {t["_id"] for t in rng.sample(tracks, 1000)}
        played |= {name_key(t["artist_names"], t["name"]) for t in tracks[::7]}  # by name (exports)
        expected = logic.nearest(means, [logic.cell_track(cell_row(t)) for t in tracks], played, n=10)
        reads.clear()
        got = logic.nearest_in_cells(means, read, played, n=10)
        assert [t["_id"] for t in got] == [t["_id"] for t in expected]
        assert not {t["_id"] for t in got} & (played | {t["_id"] for t in tracks[::7]})
        assert len(reads) < len(tracks) / 4  # a neighbourhood of the profile, not the catalog


def test_search_covers_the_whole_grid_when_the_catalog_is_small():
    tracks = _catalog(5, seed=1)
    read, _ = _index(tracks)
    means = dict.fromkeys(RADAR_FEATURES, 0.0)
    assert len(logic.nearest_in_cells(means, read, set(), n=20)) == 5
    assert logic.nearest_in_cells(means, read, {t["_id"] for t in tracks}, n=20) == []


def test_rings_partition_the_grid_and_radius_bounds_the_rest():
    center = (0, 7, 15)
    seen: set[tuple[int, int, int]] = set()
    for r in range(CELL_BINS):
        cells = logic.ring(center, r)
        assert not seen & set(cells)
        seen |= set(cells)
    assert len(seen) == CELL_BINS**3
    point = [0.01, 0.47, 0.99]  # in cell (0, 7, 15): the nearest inner edge is valence's 0.5
    assert cell_of({"energy": 0.01, "valence": 0.47, "danceability": 0.99}) == center
    assert logic.searched_radius(point, center, 0) == pytest.approx(8 / 16 - 0.47)
    assert logic.searched_radius(point, center, 1) == pytest.approx(9 / 16 - 0.47)
    assert logic.searched_radius(point, center, CELL_BINS) == float("inf")


def test_cells_clamp_and_rows_keep_what_the_page_shows():
    assert cell_of({"energy": 1.0, "valence": -0.2, "danceability": None}) == (CELL_BINS - 1, 0, 0)
    assert cell_row({"_id": "x", "features": None}) is None
    row = cell_row({"_id": "x", "name": "N", "artist_names": ["A"], "features": {"energy": 0.123456}})
    track = logic.cell_track(row)
    assert track["name"] == "N" and track["features"]["energy"] == 0.1235
    assert track["features"]["valence"] is None
    assert cell_id((1, 2, 3)) == "cell|1|2|3"
