"""Both servers, one code path: the only place that asks which server it talks to is
core/mongo.py (`is_ferretdb`, which `ensure_indexes` and `wanted_indexes` use). Runtime code
never branches on it elsewhere; tests and benchmarks may only label or skip by it."""

from __future__ import annotations

import re
from pathlib import Path

from core.settings import REPO_ROOT
from tests.unit.test_layers import LAYERS

SWITCH = REPO_ROOT / "core" / "mongo.py"
ASKS_THE_SERVER = re.compile(r"buildInfo|ferretdbVersion")
BRANCHES = re.compile(r"\bis_ferretdb\b|\bwanted_indexes\(")


def _sources(*packages: str) -> list[Path]:
    return [
        p
        for package in packages
        for p in sorted((REPO_ROOT / package).rglob("*.py"))
        if "ferretdb" not in p.relative_to(REPO_ROOT).parts  # infra/ferretdb: FerretDB's Go module
    ]


def test_only_core_mongo_asks_the_server_what_it_is():
    here = Path(__file__).resolve()
    asking = [
        str(p.relative_to(REPO_ROOT))
        for p in _sources(*LAYERS, "tests", "bench")
        if p not in (SWITCH, here) and ASKS_THE_SERVER.search(p.read_text())
    ]
    assert asking == [], "ask through core.mongo.is_ferretdb, the one capability switch"


def test_runtime_code_branches_on_the_server_only_in_core_mongo():
    branching = [
        str(p.relative_to(REPO_ROOT))
        for p in _sources(*LAYERS)
        if p != SWITCH and BRANCHES.search(p.read_text())
    ]
    assert branching == [], "keep server differences in core/mongo.py (wanted_indexes)"
