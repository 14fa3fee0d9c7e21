"""Child processes of the tests: start a consumer process, stop one the way a supervisor does, and
wait for a condition with a deadline (a real round trip each time, never a fixed sleep)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]


def stop(proc: subprocess.Popen[Any], sig: int = signal.SIGINT, timeout: float = 60) -> None:
    """Signal `proc` (if it still runs), wait for it, SIGKILL it after `timeout`."""
    if proc.poll() is not None:
        return
    proc.send_signal(sig)
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=30)


def wait_for(predicate: Callable[[], Any], timeout: float, what: str, interval: float = 0.1) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")


class Consumer:
    """`python -m consumer --only <roles>` with this test session's environment plus overrides."""

    def __init__(self, roles: str, log_dir: Path, **env: str) -> None:
        self.log = log_dir / f"consumer-{roles.replace(',', '+')}-{uuid.uuid4().hex[:4]}.log"
        with self.log.open("wb") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "consumer", "--only", roles],
                cwd=REPO,
                env={**os.environ, **env},
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )

    def stop(self) -> int:
        stop(self.proc, signal.SIGTERM, timeout=30)
        return self.proc.wait()

    def alive(self) -> bool:
        return self.proc.poll() is None

    def output(self) -> str:
        return self.log.read_text(errors="replace")
