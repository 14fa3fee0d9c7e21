"""Child processes of the tests: stop one the way a supervisor does."""

from __future__ import annotations

import signal
import subprocess
from typing import Any


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
