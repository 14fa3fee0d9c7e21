"""Background processes of the local stack: start detached, record a pid file, stop only our own.

Each service has `<data_dir>/run/<name>.pid` and `<data_dir>/logs/<name>.log`. A pid file is
trusted only while that pid is alive and its command line still matches, so a recycled pid is
never signalled.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from core.settings import Settings


@dataclass(frozen=True)
class Proc:
    name: str
    settings: Settings

    @property
    def pid_file(self) -> Path:
        return self.settings.data_dir / "run" / f"{self.name}.pid"

    @property
    def log_file(self) -> Path:
        return self.settings.data_dir / "logs" / f"{self.name}.log"

    def pid(self) -> int | None:
        """The recorded pid if that process is still ours and alive."""
        try:
            record = json.loads(self.pid_file.read_text())
        except (FileNotFoundError, ValueError):
            return None
        pid = int(record["pid"])
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            return None
        return pid if record.get("marker", "") in cmdline else None

    def start(
        self, argv: Sequence[str], env: Mapping[str, str] | None = None, cwd: Path | None = None
    ) -> int:
        self.pid_file.parent.mkdir(parents=True, exist_ok=True)
        self.log_file.parent.mkdir(parents=True, exist_ok=True)
        with self.log_file.open("ab") as log:
            popen = subprocess.Popen(
                list(argv),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                env={**os.environ, **(env or {})},
                cwd=cwd,
                start_new_session=True,  # its own process group: `down` stops it and its children
            )
        marker = Path(argv[0]).name
        self.pid_file.write_text(json.dumps({"pid": popen.pid, "marker": marker, "argv": list(argv)}))
        return popen.pid

    def exited_early(self) -> str | None:
        """If the process died, the tail of its log (for an error message)."""
        if self.pid() is not None:
            return None
        try:
            lines = self.log_file.read_text(errors="replace").splitlines()
        except FileNotFoundError:
            return "no log written"
        return "\n".join(lines[-15:])

    def stop(self, timeout_s: float = 20.0) -> bool:
        """SIGTERM the process group, SIGKILL after the timeout. True if something was stopped."""
        pid = self.pid()
        if pid is None:
            self.pid_file.unlink(missing_ok=True)
            return False
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline and _alive(pid):
            time.sleep(0.1)
        if _alive(pid):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pid, signal.SIGKILL)
        self.pid_file.unlink(missing_ok=True)
        return True


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie child of ours counts as gone
        state = Path(f"/proc/{pid}/stat").read_text().split(") ", 1)[1][0]
    except (OSError, IndexError):
        return False
    if state == "Z":
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)
        return False
    return True


def port_open(host: str, port: int, timeout_s: float = 0.5) -> bool:
    import socket

    try:
        with socket.create_connection((host, port), timeout=timeout_s):
            return True
    except OSError:
        return False
