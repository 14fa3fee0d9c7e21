"""A compose service's command, run on this machine with the environment compose gives it.

The service comes from Compose's own loader (`infra.compose_loader`), so its command, environment
and dependencies are exactly the resolved project. A container differs from a local process in a
few ways, each mapped here and nowhere else:

- service addresses (`kafka:19092`, `mongodb://mongo:27017/`, `spark-master:7077`) → the local
  stack's addresses on 127.0.0.1 (`--host spark-master` → 127.0.0.1);
- container paths: `/app` → a copy of the image's build context (the files `COPY . .` gets after
  .dockerignore), `/data` → one directory shared like the named volume, `/opt/earshot/cache` → the
  local cache (the image fetches the same jars at build time), `/opt/earshot/venv` → this venv;
- container ports → the published ports, which the caller picks free (`EARSHOT_APP_PORT=…` in the
  loader's environment, as a user would), and web UIs that a container keeps private → free ports;
- a container's own IP address → loopback (`SPARK_LOCAL_IP=127.0.0.1`: Spark would otherwise pick
  this machine's non-loopback interface for the worker and executors);
- the image's ENV (Dockerfile) → the same variables here; nothing else of this process leaks in.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core.settings import Settings
from infra.compose_loader import build_context

VENV = Path(sys.executable).parent.parent
BASE_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"  # python:3.11-slim's


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def image_layout(cache_dir: Path, dest: Path) -> Path:
    """/app of the image: every file of the build context, copied."""
    root = Path(__file__).resolve().parent.parent
    app = dest / "app"
    for rel in build_context(cache_dir, root):
        (app / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(root / rel, app / rel)
    return app


@dataclass
class Host:
    """Where the "containers" live on this machine: the stack, one data dir, one /app copy."""

    stack: Settings
    app: Path
    data: Path
    home: Path
    internal: dict[str, str] = field(default_factory=dict)  # "name:port" → local "host:port"
    mounts: dict[str, Path] = field(default_factory=dict)  # `run -v HOST:CONTAINER` → HOST

    def __post_init__(self) -> None:
        mongo = self.stack.mongo_url.removeprefix("mongodb://").split("/")[0]
        self.internal.setdefault("kafka:19092", self.stack.kafka_servers)
        self.internal.setdefault("mongo:27017", mongo)
        self.internal.setdefault("spark-master:7077", f"127.0.0.1:{free_port()}")

    def value(self, text: str, ports: dict[str, str]) -> str:
        for inside, local in self.internal.items():
            text = text.replace(inside, local)
        for inside, local in (
            *((k, str(v)) for k, v in self.mounts.items()),
            ("/opt/earshot/cache", str(self.stack.cache_dir)),
            ("/opt/earshot/venv", str(VENV)),
            ("/data", str(self.data)),
            ("/app", str(self.app)),
        ):
            if text == inside or text.startswith(inside + "/"):
                return local + text[len(inside) :]
        return ports.get(text, text)

    def argv(self, words: list[str]) -> list[str]:
        out = [self.value(w, {}) for w in words]
        for i in range(1, len(words)):
            if words[i - 1] == "--host" and any(k.startswith(words[i] + ":") for k in self.internal):
                out[i] = "127.0.0.1"
            if words[i - 1] == "--port" and i >= 3 and words[i - 3] == "--host":
                local = self.internal.get(f"{words[i - 2]}:{words[i]}")
                out[i] = local.rsplit(":", 1)[1] if local else out[i]
        return out


@dataclass
class LocalService:
    name: str
    argv: list[str]
    env: dict[str, str]
    cwd: Path
    depends_on: dict[str, str]  # service → condition, as compose waits
    healthcheck: list[str] | None


def published_ports(project: dict[str, Any]) -> dict[str, str]:
    """Container port → published port, over every service (all share this host here)."""
    return {
        str(p["target"]): str(p["published"])
        for s in project["services"].values()
        for p in s.get("ports") or []
        if p.get("published")
    }


def local_service(
    project: dict[str, Any],
    name: str,
    host: Host,
    command: list[str] | None = None,
    extra_env: dict[str, str] | None = None,
) -> LocalService:
    service = project["services"][name]
    ports = published_ports(project)
    env = {
        # the image's ENV (Dockerfile)
        "PATH": f"{VENV / 'bin'}:{BASE_PATH}",
        "VIRTUAL_ENV": str(VENV),
        "PYTHONUNBUFFERED": "1",
        "PYTHONDONTWRITEBYTECODE": "1",
        "EARSHOT_CACHE_DIR": str(host.stack.cache_dir),
        "EARSHOT_DATA_DIR": str(host.data),
        # the image's /app is on the path through its editable install; here, the copy
        "PYTHONPATH": str(host.app),
        "HOME": str(host.home),
        "SPARK_LOCAL_IP": "127.0.0.1",  # a container's own address; here, loopback
    }
    env |= {k: host.value(str(v), ports) for k, v in (service.get("environment") or {}).items()}
    env |= extra_env or {}
    check = (service.get("healthcheck") or {}).get("test")
    if check:  # ["CMD", argv…] with the container's ports → the published ones
        check = [_ported(w, ports) for w in check[1:]]
    return LocalService(
        name=name,
        argv=host.argv(command or [str(w) for w in service["command"]]),
        env=env,
        cwd=host.app,
        depends_on={k: v["condition"] for k, v in (service.get("depends_on") or {}).items()},
        healthcheck=check,
    )


def _ported(word: str, ports: dict[str, str]) -> str:
    for inside, local in ports.items():
        word = word.replace(f":{inside}/", f":{local}/")
    return word


class Running:
    """One started service: its own process group and log file; `stop` ends the whole group."""

    def __init__(self, svc: LocalService, logs: Path):
        self.svc = svc
        self.log = logs / f"{svc.name}.log"
        with self.log.open("wb") as out:
            self.proc = subprocess.Popen(
                svc.argv,
                env=svc.env,
                cwd=svc.cwd,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def stop(self, timeout_s: float = 30) -> None:
        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.proc.wait(timeout_s)
        with contextlib.suppress(ProcessLookupError):  # whatever it left behind in its group
            os.killpg(self.proc.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(5)
