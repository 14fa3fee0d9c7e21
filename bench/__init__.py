"""Benchmarks (`python -m bench.<name>`); results land in bench/results/<name>.json."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any


def save(path: Path, result: dict[str, Any]) -> None:
    """Write a benchmark's result (with the machine's cores and load) as JSON, and print it."""
    result = result | {"cores": os.cpu_count(), "load_average_1m": round(os.getloadavg()[0], 1)}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result, indent=2))
    print(json.dumps(result, indent=2))
