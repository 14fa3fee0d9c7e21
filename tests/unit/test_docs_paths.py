"""Every path and module name the README and docs/ mention in backticks exists.

- `a/b.py`, `a/b/` — a path from the repository root (or, in docs/, from docs/);
- `b.py` — a file of that name somewhere in the tree;
- `pkg.mod.name` (pkg a package of the tree) — a module, or a name defined in the longest module
  prefix (a def, class or assignment in its source).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from core.settings import REPO_ROOT

DOCS = [REPO_ROOT / "README.md", *sorted((REPO_ROOT / "docs").glob("*.md"))]
PACKAGES = {p.name for p in REPO_ROOT.iterdir() if (p / "__init__.py").exists()}
SUFFIXES = (
    ".py",
    ".md",
    ".yml",
    ".yaml",
    ".toml",
    ".txt",
    ".xml",
    ".sh",
    ".json",
    ".csv",
    ".png",
    ".properties",
)
TICKED = re.compile(r"`([^`\s]+)`")
# placeholders, globs, URLs, absolute and home paths, environment variables, topic names (`….v1`)
SKIP = re.compile(r"[<>*{}$~]|^\.\.?/|://|^/|^\.venv|^[A-Z][A-Z0-9_]+|\.v\d+$")
# Named in the docs but never in the repository: files of a user's Kaggle download or Spotify
# export, folders the pipeline creates under the data dir, the compose file's images, a
# dead-letter stage name, the git-ignored secrets file a user writes for single sign-on.
EXTERNAL = {
    ".streamlit/secrets.toml",
    "dataset.csv",
    "tracks_features.csv",
    "tracks.csv",
    "artists.csv",
    "YourLibrary.json",
    "Userdata.json",
    "StreamingHistory0.json",
    "inbox/done/",
    "inbox/failed/",
    "apache/kafka",
    "producer.import",
}
FIELDS = re.compile(r"^(users|plays|tracks|imports|playlists)\.")  # document field paths
FILES = [p for p in REPO_ROOT.rglob("*") if ".venv" not in p.parts and ".git" not in p.parts]
NAMES = {p.name for p in FILES}


def _is_path(token: str) -> bool:
    return "/" in token or token.endswith(SUFFIXES)


def _defined(source: Path) -> set[str]:
    """Names a module defines or imports at any level (functions, classes, assignments)."""
    names = set()
    for node in ast.walk(ast.parse(source.read_text())):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, ast.alias):
            names.add((node.asname or node.name).split(".")[0])
        elif isinstance(node, ast.AnnAssign | ast.Attribute) and isinstance(
            getattr(node, "target", None), ast.Name
        ):
            names.add(node.target.id)  # type: ignore[union-attr]
    return names


def _module_ok(token: str) -> bool:
    parts = token.split(".")
    for n in range(len(parts), 0, -1):
        base = REPO_ROOT.joinpath(*parts[:n])
        source = base.with_suffix(".py") if base.with_suffix(".py").exists() else base / "__init__.py"
        if source.exists():
            return n == len(parts) or parts[n] in _defined(source)
    return False


def problems(doc: Path) -> list[str]:
    out = []
    for token in TICKED.findall(doc.read_text()):
        token = token.rstrip(".,:;)").lstrip("(")
        if not token or SKIP.search(token) or token in EXTERNAL or FIELDS.match(token):
            continue
        if _is_path(token):
            path = token.split(":")[0].split("#")[0]
            here = [REPO_ROOT / path, doc.parent / path]
            if "/" in path.rstrip("/"):
                ok = any(p.exists() for p in here)
            else:
                ok = any(p.exists() for p in here) or path.rstrip("/") in NAMES
            if not ok:
                out.append(f"{doc.name}: {token}")
        elif (
            token.split(".")[0] in PACKAGES and re.fullmatch(r"\w+(\.\w+)+", token) and not _module_ok(token)
        ):
            out.append(f"{doc.name}: {token}")
    return out


def test_every_mentioned_path_and_module_exists() -> None:
    assert [p for doc in DOCS for p in problems(doc)] == []


def test_the_check_finds_a_missing_path(tmp_path: Path) -> None:
    doc = tmp_path / "x.md"
    doc.write_text(
        "see `pipeline/nowhere.py`, `core.gold.no_such_name_here`, `pipeline.store` and `README.md`"
    )
    assert problems(doc) == ["x.md: pipeline/nowhere.py", "x.md: core.gold.no_such_name_here"]
