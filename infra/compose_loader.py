"""Compose's own loader without a Docker engine: `infra/composecheck`, a tiny Go program over
compose-go (the library behind `docker compose config`), built from the Go module proxy into the
cache like FerretDB and pinned by its go.mod + go.sum.

    from infra.compose_loader import load, build_context
    project = load(cache_dir, profiles=["spotify"], env_file=Path(".env.example"), environ={})
    project["services"]["poller"]["environment"]   # what the container gets, interpolated
    files = build_context(cache_dir)               # what a build sends, after .dockerignore

`load` reads the files, the env file (as `.env`) and `environ`, interpolates, validates against
the Compose schema and checks consistency; any problem raises `ComposeError` with Compose's words.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from core.errors import EarshotError
from core.settings import REPO_ROOT
from infra import provision

CHECKER_SOURCES = ("go.mod", "go.sum", "main.go")
CHECKER_DIR = provision.INFRA_DIR / "composecheck"


class ComposeError(EarshotError):
    """Compose's loader refused the file (interpolation, schema or consistency)."""


def build_checker(cache_dir: Path) -> Path:
    """The checker binary, built once per source version (cache/bin/composecheck-<digest>)."""
    digest = hashlib.sha256(b"".join((CHECKER_DIR / n).read_bytes() for n in CHECKER_SOURCES))
    binary = cache_dir / "bin" / f"composecheck-{digest.hexdigest()[:12]}"
    if binary.exists():
        return binary
    go = provision.require("go")
    if not provision.go_version_ok(go):
        raise provision.ProvisionError(f"Go too old for compose-go: {provision.HOW_TO_INSTALL['go']}")
    work = cache_dir / "build" / binary.name
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    for name in CHECKER_SOURCES:
        shutil.copy(CHECKER_DIR / name, work / name)
    binary.parent.mkdir(parents=True, exist_ok=True)
    tmp = binary.with_name(binary.name + ".tmp")
    provision._run(
        [go, "build", "-mod=mod", "-trimpath", "-o", str(tmp), "."],
        cwd=work,
        env={"CGO_ENABLED": "0", "GOFLAGS": "-mod=mod"},
    )
    tmp.rename(binary)
    shutil.rmtree(work, ignore_errors=True)
    return binary


def load(
    cache_dir: Path,
    compose_dir: Path = REPO_ROOT,
    files: Iterable[Path] = (),
    profiles: Iterable[str] = (),
    env_file: Path | None = None,
    environ: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """The resolved project as `docker compose config --format json` would print it.

    `env_file` plays `.env` (None: no .env at all, whatever lies in `compose_dir`); `environ` is
    the whole process environment of the loader (None: empty).
    """
    argv = [str(build_checker(cache_dir)), "-C", str(compose_dir)]
    argv += [a for f in files for a in ("-f", str(f))]
    argv += [a for p in profiles for a in ("--profile", p)]
    with tempfile.TemporaryDirectory() as tmp:
        if env_file is None:
            env_file = Path(tmp) / "empty.env"
            env_file.write_text("")
        argv += ["--env-file", str(env_file)]
        result = subprocess.run(argv, env=dict(environ or {}), capture_output=True, text=True)
    if result.returncode != 0:
        raise ComposeError(result.stderr.strip() or f"composecheck exited {result.returncode}")
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def build_context(cache_dir: Path, directory: Path = REPO_ROOT) -> list[str]:
    """The files (relative, '/'-separated) a `docker build` of `directory` sends, .dockerignore applied."""
    result = subprocess.run(
        [str(build_checker(cache_dir)), "-context", str(directory)], capture_output=True, text=True
    )
    if result.returncode != 0:
        raise ComposeError(result.stderr.strip())
    return result.stdout.splitlines()
