"""The sample generator is deterministic and gives artists consistent genre tendencies."""

from __future__ import annotations

from pathlib import Path
from statistics import mean

from kaggle_seed.generate_sample import DEFAULT_OUT, generate_rows, main


def test_same_seed_same_file(tmp_path: Path) -> None:
    main(["--out", str(tmp_path / "a.csv")])
    assert (tmp_path / "a.csv").read_bytes() == Path(DEFAULT_OUT).read_bytes()
    main(["--out", str(tmp_path / "b.csv"), "--seed", "7"])
    assert (tmp_path / "b.csv").read_bytes() != (tmp_path / "a.csv").read_bytes()


def test_genres_shape_features() -> None:
    rows = generate_rows(1500, 150, seed=3)
    energy = {
        g: mean(float(r["energy"]) for r in rows if r["track_genre"] == g) for g in ("metal", "ambient")
    }
    assert energy["metal"] > energy["ambient"] + 0.4
    # repeated rows are the same track (same features) under another genre
    by_id: dict[str, list[dict[str, object]]] = {}
    for r in rows:
        by_id.setdefault(str(r["track_id"]), []).append(r)
    repeats = [v for v in by_id.values() if len(v) > 1]
    assert repeats and all(
        v[0]["energy"] == v[1]["energy"] and v[0]["track_genre"] != v[1]["track_genre"] for v in repeats
    )
