"""The import graph of the tree follows the written layer order: no backwards edge, no cycle.

A package may import its own modules and those of packages before it in LAYERS, never one after
it. Read with `ast` (nothing is imported), over every module of the runtime packages.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from pathlib import Path

from core.settings import REPO_ROOT

# Lowest first: contracts and settings, the Spark-free pipeline core, the deployables that use
# them, then what wires deployables together (infra's services, the DAGs, the `earshot` CLI).
LAYERS = (
    "core",  # contracts: events, topics, collections, the gold layer, settings, clients
    "pipeline",  # dedupe, enrichment, rollups, sessions, profiles, the store, reprocessing
    "producer",  # poller, importer, demo listener → Kafka
    "consumer",  # Kafka consumers → MongoDB, alerts, export
    "spark_jobs",  # the streaming jobs: sources, transforms, the session builder
    "kaggle_seed",  # the Kaggle backfill (Spark) and Discover's index
    "batch",  # Airflow's batch jobs: digests, data quality
    "streamlit_app",  # the dashboard
    "infra",  # the local stack: Kafka, FerretDB, Spark connector, Airflow processes
    "airflow",  # the DAGs
    "earshot",  # the CLI over everything
)
NEVER_IMPORTED = ("tests", "bench")  # test and benchmark code: runtime packages never import it


def _modules() -> Iterable[tuple[str, Path]]:
    for package in LAYERS:
        root = REPO_ROOT / package
        for path in sorted(root.rglob("*.py")):
            if "ferretdb" in path.parts:  # infra/ferretdb is a Go module
                continue
            rel = path.relative_to(REPO_ROOT).with_suffix("")
            parts = rel.parts[:-1] if rel.name == "__init__" else rel.parts
            yield ".".join(parts), path


def _imports(path: Path, modules: Iterable[str] = ()) -> set[str]:
    """What a module imports: `from pkg import mod` counts as an import of `pkg.mod` when that is
    a module of the tree (so a package's own modules importing each other is no cycle)."""
    known = set(modules)
    out = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            subs = {f"{node.module}.{a.name}" for a in node.names} & known
            out |= subs if len(subs) == len(node.names) else subs | {node.module}
    return out


def graph() -> dict[str, set[str]]:
    """module → the modules of this tree it imports."""
    modules = dict(_modules())
    return {
        name: {m for m in _imports(path, modules) if m in modules and m != name}
        for name, path in modules.items()
    }


def backwards_edges(edges: dict[str, set[str]], layers: tuple[str, ...] = LAYERS) -> list[str]:
    rank = {p: i for i, p in enumerate(layers)}
    return sorted(
        f"{a} → {b}"
        for a, targets in edges.items()
        for b in targets
        if rank.get(b.split(".")[0], -1) > rank[a.split(".")[0]]
    )


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in edges.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            scc = []
            while True:
                w = stack.pop()
                on.discard(w)
                scc.append(w)
                if w == v:
                    break
            if len(scc) > 1:
                found.append(sorted(scc))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return found


def test_every_top_level_package_has_a_layer() -> None:
    packages = {p.name for p in REPO_ROOT.iterdir() if (p / "__init__.py").exists()}
    assert packages - set(NEVER_IMPORTED) - {"airflow"} <= set(LAYERS)
    assert set(LAYERS) - {"airflow"} <= packages


def test_no_import_from_a_higher_layer() -> None:
    assert backwards_edges(graph()) == []


def test_no_import_cycles() -> None:
    assert cycles(graph()) == []


def test_runtime_code_never_imports_tests_or_bench() -> None:
    bad = [
        f"{name} → {m}"
        for name, path in _modules()
        for m in _imports(path)
        if m.split(".")[0] in NEVER_IMPORTED
    ]
    assert bad == []


def test_the_checks_catch_what_they_are_for() -> None:
    edges = {"core.a": {"pipeline.b"}, "pipeline.b": {"pipeline.c"}, "pipeline.c": {"pipeline.b"}}
    assert backwards_edges(edges) == ["core.a → pipeline.b"]
    assert cycles(edges) == [["pipeline.b", "pipeline.c"]]
    assert cycles({"core.a": {"core.b"}, "core.b": set()}) == []
