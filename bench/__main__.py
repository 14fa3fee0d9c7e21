"""Run the benchmarks one after another (`make bench`), each in its own process.

    .venv/bin/python -m bench                       # all of them, ~20 min on 2 cores
    .venv/bin/python -m bench --only latency backfill

Each writes bench/results/<name>.json; the README's Benchmarks table shows the latest numbers.
Needs the local stack (`earshot stack up`).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time

ALL = ("import_export", "latency", "throughput", "sustained", "consumer", "backfill", "reenrich", "dashboard")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--only", nargs="+", choices=ALL, default=list(ALL), metavar="NAME")
    args = parser.parse_args(argv)
    failed = []
    for i, name in enumerate(args.only, start=1):
        sys.stderr.write(f"[{i}/{len(args.only)}] bench.{name}\n")
        started = time.monotonic()
        code = subprocess.call([sys.executable, "-m", f"bench.{name}"])
        seconds = time.monotonic() - started
        sys.stderr.write(f"[{i}/{len(args.only)}] bench.{name}: exit {code} in {seconds:.0f}s\n")
        if code:
            failed.append(name)
    if failed:
        sys.stderr.write(f"failed: {', '.join(failed)}\n")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
