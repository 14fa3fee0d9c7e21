"""`earshot stack …` and `earshot test`: the local stack and the test run over it."""

from __future__ import annotations

import argparse
import subprocess
import sys

from core.settings import get_settings


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    stack = sub.add_parser(
        "stack", help="start, stop or inspect the local stack (Kafka, MongoDB-compatible server)"
    )
    stack_sub = stack.add_subparsers(dest="stack_command", required=True)
    up = stack_sub.add_parser("up", help="provision (cached) and start the stack; a no-op when it runs")
    up.add_argument("--no-spark-jars", action="store_true", help="skip fetching Spark's Kafka connector jars")
    up.set_defaults(handler=_up)
    stack_sub.add_parser("down", help="stop what `stack up` started").set_defaults(handler=_down)
    stack_sub.add_parser(
        "init", help="create topics and indexes on the configured Kafka and MongoDB (compose's init service)"
    ).set_defaults(handler=_init)
    stack_sub.add_parser(
        "fetch", help="download and build everything `up` needs into the cache, without starting anything"
    ).set_defaults(handler=_fetch)
    stack_sub.add_parser("status", help="show each service and its address").set_defaults(handler=_status)

    test = sub.add_parser(
        "test",
        help="run the test suite against the local stack (started if needed, stopped after if we started it)",
    )
    test.add_argument("pytest_args", nargs=argparse.REMAINDER, help="extra arguments for pytest")
    test.set_defaults(handler=_test)


def _up(args: argparse.Namespace) -> int:
    from infra import stack

    report = stack.up(get_settings(), with_spark_jars=not args.no_spark_jars)
    started = ", ".join(report.started) or "nothing (already running)"
    print(f"stack up in {report.seconds:.1f}s — started: {started}")  # noqa: T201
    stack.print_status(get_settings())
    return 0


def _down(args: argparse.Namespace) -> int:
    from infra import stack

    stopped = stack.down(get_settings())
    print("stopped: " + (", ".join(stopped) or "nothing was running"))  # noqa: T201
    return 0


def _init(args: argparse.Namespace) -> int:
    from core import kafka, mongo

    settings = get_settings()
    kafka.wait_ready(settings, 120)
    mongo.wait_ready(settings, 120)
    created = kafka.ensure_topics(settings)
    with mongo.client(settings) as client:
        indexes = mongo.ensure_indexes(client[settings.mongo_db])
    print(f"topics created: {len(created)}, indexes created: {len(indexes)}")  # noqa: T201
    return 0


def _fetch(args: argparse.Namespace) -> int:
    from infra import stack

    for item in stack.fetch(get_settings()):
        print(f"cached: {item}")  # noqa: T201
    return 0


def _status(args: argparse.Namespace) -> int:
    from infra import stack

    stack.print_status(get_settings())
    return 0


def _test(args: argparse.Namespace) -> int:
    from infra import stack

    settings = get_settings()
    report = stack.up(settings)
    print(f"stack ready in {report.seconds:.1f}s (started: {', '.join(report.started) or 'none'})")  # noqa: T201
    try:
        extra = [a for a in args.pytest_args if a != "--"]
        return subprocess.call([sys.executable, "-m", "pytest", *extra])
    finally:
        if report.started:
            stack.down(settings, only=report.started)
