"""Provisioning from package registries into the cache: tool checks, Maven resolution, Go builds.

Everything lands under `EARSHOT_CACHE_DIR` (default ~/.cache/earshot) keyed by version, so a
second `stack up` finds it and starts in seconds.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import subprocess
from pathlib import Path

from core.errors import EarshotError

log = logging.getLogger(__name__)

INFRA_DIR = Path(__file__).resolve().parent

HOW_TO_INSTALL = {
    "java": "install a Java 17+ runtime, e.g. `apt-get install -y openjdk-17-jre-headless`",
    "javac": "install a Java 17+ JDK, e.g. `apt-get install -y openjdk-17-jdk-headless`",
    "mvn": "install Maven, e.g. `apt-get install -y maven`",
    "go": "install Go >= 1.22 (https://go.dev/doc/install), or set MONGO_URI to an existing MongoDB",
}


class ProvisionError(EarshotError):
    """Something needed to run the stack is missing or failed to build; the message says what."""


def require(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        raise ProvisionError(f"`{tool}` not found on PATH: {HOW_TO_INSTALL.get(tool, 'install it')}")
    return path


def _run(argv: list[str], cwd: Path | None = None, env: dict[str, str] | None = None) -> None:
    log.info("running %s", " ".join(argv))
    result = subprocess.run(argv, cwd=cwd, env={**os.environ, **(env or {})}, capture_output=True, text=True)
    if result.returncode != 0:
        tail = "\n".join((result.stdout + result.stderr).splitlines()[-20:])
        raise ProvisionError(f"`{' '.join(argv[:3])} …` failed (exit {result.returncode}):\n{tail}")


def maven_copy(pom: Path, dest: Path, properties: dict[str, str] | None = None) -> list[Path]:
    """Resolve a pom's runtime dependencies into `dest` (atomically: a half-copied dir never counts)."""
    if (dest / ".complete").exists():
        return sorted(dest.glob("*.jar"))
    mvn = require("mvn")
    partial = dest.with_name(dest.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    props = [f"-D{k}={v}" for k, v in (properties or {}).items()]
    _run(
        [
            mvn,
            "-q",
            "-B",
            "-f",
            str(pom),
            "dependency:copy-dependencies",
            f"-DoutputDirectory={partial}",
            "-DincludeScope=runtime",
            *props,
        ]
    )
    (partial / ".complete").write_text("ok\n")
    shutil.rmtree(dest, ignore_errors=True)
    partial.rename(dest)
    return sorted(dest.glob("*.jar"))


def go_version_ok(go: str) -> bool:
    out = subprocess.run([go, "version"], capture_output=True, text=True).stdout
    match = re.search(r"go(\d+)\.(\d+)", out)
    return bool(match) and (int(match.group(1)), int(match.group(2))) >= (1, 22)


# FerretDB v1.24's SQLite backend looks documents up by `_ferretdb_sjson->'$._id'`, but its unique
# `_id` index is on `_ferretdb_sjson->"_id"`: SQLite matches index expressions textually, so every
# `_id` lookup, update and delete scanned the whole table (100 ms at 50k documents, seconds at 1 M).
# The same path written as `->'_id'` is the index's expression (EXPLAIN: SEARCH … USING INDEX).
# The second also pushes `{_id: {$in: [...]}}` down to that index (FerretDB re-filters every
# returned document, so a pushed-down filter can only narrow the scan, never change results).
# The third: an `update` command with many statements (a bulk of ReplaceOne/UpdateOne) kept every
# statement's cursor open until the whole command ended (`defer` inside the loop); past 100 (the
# SQLite pool size) the next statement waited for a connection forever and the server hung.
PATCH_LEVEL = "earshot2"
FERRETDB_PATCHES: tuple[tuple[str, str, str], ...] = (
    (
        "internal/backends/sqlite/metadata/metadata.go",
        "IDColumn = DefaultColumn + \"->'$._id'\"",
        "IDColumn = DefaultColumn + \"->'_id'\"",
    ),
    (
        "internal/backends/sqlite/collection.go",
        """		case string, types.ObjectID:
			whereClause = fmt.Sprintf(` WHERE %s = ?`, metadata.IDColumn)
			args = []any{string(must.NotFail(sjson.MarshalSingleValue(v)))}
		}
	}

	q += whereClause""",
        """		case string, types.ObjectID:
			whereClause = fmt.Sprintf(` WHERE %s = ?`, metadata.IDColumn)
			args = []any{string(must.NotFail(sjson.MarshalSingleValue(v)))}
		case *types.Document:
			whereClause, args = idInClause(v.(*types.Document))
		}
	}

	q += whereClause""",
    ),
    (
        "internal/handler/msg_update.go",
        """		closer := iterator.NewMultiCloser()
		defer closer.Close()

		closer.Add(res.Iter)

		iter := common.FilterIterator(res.Iter, closer, u.Filter)

		if !u.Multi {
			iter = common.LimitIterator(iter, closer, 1)
		}

		result, err := common.UpdateDocument(ctx, c, "update", iter, &u)
		if err != nil {""",
        """		closer := iterator.NewMultiCloser()

		closer.Add(res.Iter)

		iter := common.FilterIterator(res.Iter, closer, u.Filter)

		if !u.Multi {
			iter = common.LimitIterator(iter, closer, 1)
		}

		result, err := common.UpdateDocument(ctx, c, "update", iter, &u)
		closer.Close() // earshot patch: release this statement's connection now
		if err != nil {""",
    ),
    (
        "internal/backends/sqlite/collection.go",
        """// InsertAll implements backends.Collection interface.""",
        """// idInClause pushes `{_id: {$in: [...]}}` down to the `_id` index (earshot patch).
func idInClause(cond *types.Document) (string, []any) {
	in, _ := cond.Get("$in")
	arr, ok := in.(*types.Array)
	if cond.Len() != 1 || !ok || arr.Len() == 0 || arr.Len() > 10000 {
		return "", nil
	}
	placeholders := make([]string, arr.Len())
	args := make([]any, arr.Len())
	for i := 0; i < arr.Len(); i++ {
		v := must.NotFail(arr.Get(i))
		switch v.(type) {
		case string, types.ObjectID:
		default:
			return "", nil
		}
		placeholders[i] = "?"
		args[i] = string(must.NotFail(sjson.MarshalSingleValue(v)))
	}
	return fmt.Sprintf(` WHERE %s IN (%s)`, metadata.IDColumn, strings.Join(placeholders, ", ")), args
}

// InsertAll implements backends.Collection interface.""",
    ),
)


def patch_ferretdb(module: Path) -> None:
    """Apply FERRETDB_PATCHES to the vendored module; a patch that no longer applies is an error."""
    for rel, old, new in FERRETDB_PATCHES:
        path = module / rel
        path.chmod(0o644)
        text = path.read_text()
        if text.count(old) != 1:
            raise ProvisionError(f"FerretDB patch does not apply to {rel} (expected text not found once)")
        path.write_text(text.replace(old, new))


def build_ferretdb(cache_dir: Path, version: str = "v1.24.0") -> Path:
    """Build FerretDB from the Go module proxy (pinned by infra/ferretdb/go.mod + go.sum).

    `go install …@v1.24.0` alone is not enough: the module zip lacks the generated
    build/version/version.txt that FerretDB embeds (it panics at start without it), and some
    proxies refuse the version-list lookup `go install` makes. So: vendor the pinned module,
    write version.txt, apply FERRETDB_PATCHES, build.
    """
    binary = cache_dir / "bin" / f"ferretdb-{version}-{PATCH_LEVEL}"
    if binary.exists():
        return binary
    go = require("go")
    if not go_version_ok(go):
        raise ProvisionError(f"Go too old for FerretDB {version}: {HOW_TO_INSTALL['go']}")
    work = cache_dir / "build" / f"ferretdb-{version}"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    for name in ("go.mod", "go.sum", "tools.go"):
        shutil.copy(INFRA_DIR / "ferretdb" / name, work / name)
    env = {"GOFLAGS": "-mod=mod", "CGO_ENABLED": "0"}
    _run([go, "mod", "vendor"], cwd=work, env=env)
    module = work / "vendor/github.com/FerretDB/FerretDB"
    (module / "build/version/version.txt").write_text(version + "\n")
    patch_ferretdb(module)
    binary.parent.mkdir(parents=True, exist_ok=True)
    tmp = binary.with_name(binary.name + ".tmp")
    _run(
        [
            go,
            "build",
            "-mod=vendor",
            "-trimpath",
            "-o",
            str(tmp),
            "github.com/FerretDB/FerretDB/cmd/ferretdb",
        ],
        cwd=work,
        env={"CGO_ENABLED": "0"},
    )
    tmp.rename(binary)
    shutil.rmtree(work, ignore_errors=True)
    return binary
