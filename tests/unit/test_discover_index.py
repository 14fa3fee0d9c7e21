"""Discover's catalog index: grid cells, byte-packed vectors and the ring search (pure logic)."""

from __future__ import annotations

import json
import random

import pytest

from core import gold
from core.events import AUDIO_FEATURE_NAMES
from kaggle_seed.cells import by_cell, cell_entry
from pipeline.dedupe import name_key
from streamlit_app import recommend


def _catalog(n: int, seed: int) -> list[dict]:
    rng = random.Random(seed)
    return [
        {
            "_id": f"t{i:05d}",
            "name": f"Song {i}",
            "artist_names": [f"Artist {i % 97}"],
            "release_year": 1960 + i % 60,
            "features": {f: rng.betavariate(2, 2) for f in gold.RADAR_FEATURES},
        }
        for i in range(n)
    ]


def _index(tracks: list[dict]):
    """The index as the page reads it, counting the tracks whose vectors and names it read."""
    cells = by_cell(tracks)
    counted = {"vectors": 0, "rows": 0}

    def vectors(ids: list[str]):
        found = {
            i: gold.unpack_vectors(gold.pack_vectors([v for _, v in cells[i]])) for i in ids if i in cells
        }
        counted["vectors"] += sum(len(v) for v in found.values())
        return found

    def rows(ids: list[str]):
        counted["rows"] += sum(len(cells[i]) for i in ids)
        return {i: [r for r, _ in cells[i]] for i in ids}

    return vectors, rows, counted


def _quantised(track: dict) -> dict:
    """The track as the index stores it: features to 1/255."""
    values = gold.unpack_vectors(gold.pack_vectors([[track["features"][f] for f in gold.RADAR_FEATURES]]))[0]
    return {**track, "features": dict(zip(gold.RADAR_FEATURES, values.tolist(), strict=True))}


def test_ring_search_equals_brute_force_and_reads_a_neighbourhood():
    tracks = _catalog(20_000, seed=3)
    vectors, rows, counted = _index(tracks)
    everything = [_quantised(t) for t in tracks]
    rng = random.Random(8)
    for _ in range(4):
        means = {f: rng.uniform(0.2, 0.8) for f in gold.RADAR_FEATURES}
        played = {t["_id"] for t in rng.sample(tracks, 1000)}
        played |= {name_key(t["artist_names"], t["name"]) for t in tracks[::7]}  # by name (exports)
        expected = recommend.nearest(means, everything, played, n=10)
        counted.update(vectors=0, rows=0)
        got = recommend.nearest_in_cells(means, vectors, rows, played, n=10)
        assert [t["distance"] for t in got] == [t["distance"] for t in expected]
        assert {t["_id"] for t in got} == {t["_id"] for t in expected}
        assert not {t["_id"] for t in got} & (played | {t["_id"] for t in tracks[::7]})
        assert counted["vectors"] < len(tracks) / 4  # a neighbourhood of the profile, not the catalog
        assert counted["rows"] < counted["vectors"]  # names only for the cells it walked past


def test_search_covers_the_whole_grid_when_the_catalog_is_small():
    tracks = _catalog(5, seed=1)
    vectors, rows, _ = _index(tracks)
    means = dict.fromkeys(gold.RADAR_FEATURES, 0.0)
    assert len(recommend.nearest_in_cells(means, vectors, rows, set(), n=20)) == 5
    assert recommend.nearest_in_cells(means, vectors, rows, {t["_id"] for t in tracks}, n=20) == []


def test_a_track_in_two_cells_is_offered_once():
    track = _catalog(1, seed=2)[0]
    moved = {**track, "features": dict.fromkeys(gold.RADAR_FEATURES, 0.99)}
    cells = by_cell([track]) | by_cell([moved])  # a stale copy in its old cell
    assert len(cells) == 2

    def vectors(ids):
        return {
            i: gold.unpack_vectors(gold.pack_vectors([v for _, v in cells[i]])) for i in ids if i in cells
        }

    def rows(ids):
        return {i: [r for r, _ in cells[i]] for i in ids}

    got = recommend.nearest_in_cells(dict.fromkeys(gold.RADAR_FEATURES, 0.5), vectors, rows, set(), n=5)
    assert [t["_id"] for t in got] == [track["_id"]]


def test_rings_partition_the_grid_and_radius_bounds_the_rest():
    center = (0, 7, 15)
    seen: set[tuple[int, int, int]] = set()
    for r in range(gold.CELL_BINS):
        cells = recommend.ring(center, r)
        assert not seen & set(cells)
        seen |= set(cells)
    assert len(seen) == gold.CELL_BINS**3
    point = [0.01, 0.47, 0.99]  # in cell (0, 7, 15): the nearest inner edge is valence's 0.5
    assert gold.cell_of({"energy": 0.01, "valence": 0.47, "danceability": 0.99}) == center
    assert recommend.searched_radius(point, center, 0) == pytest.approx(8 / 16 - 0.47)
    assert recommend.searched_radius(point, center, 1) == pytest.approx(9 / 16 - 0.47)
    assert recommend.searched_radius(point, center, gold.CELL_BINS) == float("inf")


def test_cells_clamp_and_vectors_pack_to_a_byte_per_value():
    assert gold.cell_of({"energy": 1.0, "valence": -0.2, "danceability": None}) == (gold.CELL_BINS - 1, 0, 0)
    assert cell_entry({"_id": "x", "features": None}) is None
    cell, (row, vector) = cell_entry(
        {"_id": "x", "name": "N", "artist_names": ["A"], "features": {"energy": 0.5}}
    )
    assert cell == gold.cell_id(gold.cell_of({"energy": 0.5}))
    listed = [0.5 if n == "energy" else None for n in AUDIO_FEATURE_NAMES]  # as the backfill stores them
    assert cell_entry({"_id": "x", "name": "N", "artist_names": ["A"], "features": listed}) == (
        cell,
        (row, vector),
    )
    assert row == ["x", "N", ["A"], None] and vector[gold.RADAR_FEATURES.index("energy")] == 0.5
    blob = gold.pack_vectors([vector, [1.2] * len(gold.RADAR_FEATURES)])
    assert len(blob) == 2 * len(gold.RADAR_FEATURES)
    back = gold.unpack_vectors(blob)
    assert back[0][gold.RADAR_FEATURES.index("energy")] == pytest.approx(0.5, abs=0.5 / 255)
    assert back[1].tolist() == [1.0] * len(gold.RADAR_FEATURES)  # clamped
    assert gold.cell_id((1, 2, 3)) == "cell|1|2|3"


def test_a_dense_neighbourhood_stops_at_the_read_budget():
    tracks = _catalog(20_000, seed=4)
    vectors, rows, counted = _index(tracks)
    means = dict.fromkeys(gold.RADAR_FEATURES, 0.5)
    exact = recommend.nearest_in_cells(means, vectors, rows, set(), n=10)
    counted.update(vectors=0, rows=0)
    capped = recommend.nearest_in_cells(means, vectors, rows, set(), n=10, budget=1_500)
    assert counted["vectors"] <= 1_500
    assert len(capped) == 10 and [t["distance"] for t in capped] == sorted(t["distance"] for t in capped)
    overlap = {t["_id"] for t in capped} & {t["_id"] for t in exact}
    assert len(overlap) >= 5  # the nearest along the grid's axes are among the nearest overall


def test_parts_splice_when_new_and_merge_by_track_id_onto_a_stored_cell():
    from kaggle_seed.cells import _docs, _joined, _merged, packed

    one, two = _catalog(3, seed=5), _catalog(2, seed=6)  # ids t00000-t00002 and t00000-t00001
    two = [{**t, "name": f"new {t['name']}"} for t in two]
    entries = lambda ts: [cell_entry(t)[1] for t in ts]  # noqa: E731
    rows_json, vectors = _joined([packed(entries(one[:2])), packed([]), packed(entries(one[2:]))])
    assert rows_json == packed(entries(one))[0]  # spliced lines are what one cell's packing makes
    stored = {d["_id"]: d for d in _docs("cell|1|2|3", rows_json, vectors, None)}
    assert stored["cell|1|2|3"]["count"] == 3
    assert [r[0] for r in gold.CellRows(stored["cell|1|2|3|rows"]["rows"])] == ["t00000", "t00001", "t00002"]
    rows_json, vectors = _merged(stored, "cell|1|2|3", [packed(entries(two))])
    names = {r[0]: r[1] for r in map(json.loads, rows_json.split("\n"))}
    assert names == {"t00000": "new Song 0", "t00001": "new Song 1", "t00002": "Song 2"}
    assert len(gold.unpack_vectors(vectors)) == 3
