"""One logging setup for every earshot process (plain lines, UTC timestamps, no secrets)."""

from __future__ import annotations

import logging
import time


def setup(level: str = "INFO") -> None:
    logging.Formatter.converter = time.gmtime
    logging.basicConfig(
        level=level,
        format="%(asctime)sZ %(levelname)-7s %(name)s: %(message)s",
        datefmt="%Y-%m-%dT%H:%M:%S",
        force=True,
    )
    for noisy in ("kafka", "py4j", "urllib3", "pymongo"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def setup_worker(level: str = "INFO") -> None:
    """The same lines in a process no `main()` started (Spark's Python workers, whose stderr
    Spark passes on to the job's): configured once, left alone if something else already did."""
    if not logging.getLogger().handlers:
        setup(level)
