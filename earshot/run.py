"""`earshot run`: the whole pipeline in the foreground — the main job.

Starts the local stack (if needed), then every pipeline component as a child process (Spark
jobs, consumers, the demo listener or the Spotify poller, the dashboard), restarts a component
that dies (with back-off), and on Ctrl-C / SIGTERM stops the components and whatever part of the
stack it started itself. Logs: <data_dir>/logs/<component>.log.
"""

from __future__ import annotations

import argparse
import logging
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from core.settings import Settings, get_settings

log = logging.getLogger("earshot.run")


@dataclass(frozen=True)
class Component:
    """A long-running process of the pipeline, started as `python -m <module> <args>`."""

    name: str
    module: str
    args: Callable[[Settings, argparse.Namespace], list[str]] = field(default=lambda s, a: [])
    enabled: Callable[[argparse.Namespace], bool] = field(default=lambda a: True)

    def argv(self, settings: Settings, args: argparse.Namespace) -> list[str]:
        return [sys.executable, "-m", self.module, *self.args(settings, args)]


def _app_args(settings: Settings, args: argparse.Namespace) -> list[str]:
    from streamlit_app import server_args

    return server_args(settings.bind_host, settings.app_port)


# The pipeline, in start order.
COMPONENTS: tuple[Component, ...] = (
    Component("consumer", "consumer"),
    Component("spark-plays", "spark_jobs.plays"),
    Component("spark-playlists", "spark_jobs.playlists"),
    Component("demo", "producer.demo", lambda s, a: ["--speed", str(a.speed)], lambda a: not a.no_demo),
    Component("poller", "producer.poller", enabled=lambda a: a.poll),
    Component("app", "streamlit", _app_args),
)


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    run = sub.add_parser(
        "run",
        help="run the whole pipeline (stack, Spark, consumers, demo listener, dashboard) until Ctrl-C",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    run.add_argument(
        "--speed",
        type=float,
        default=30.0,
        help="demo listener time acceleration (1 = real time; default 30)",
    )
    run.add_argument("--no-demo", action="store_true", help="do not start the demo listener")
    run.add_argument("--poll", action="store_true", help="also run the Spotify poller for connected accounts")
    run.add_argument("--keep-stack", action="store_true", help="leave Kafka and the database running on exit")
    run.add_argument(
        "--skip-catalog", action="store_true", help="do not load the Kaggle catalog when it is empty"
    )
    run.set_defaults(handler=_run)

    comp = sub.add_parser(
        "component",
        help="run one pipeline component in the foreground (what compose services and `run` start)",
    )
    comp.add_argument("name", choices=[c.name for c in COMPONENTS])
    comp.add_argument("--speed", type=float, default=30.0, help="demo listener time acceleration")
    comp.set_defaults(handler=_component, no_demo=False, poll=True)


class Supervisor:
    def __init__(self, settings: Settings, args: argparse.Namespace, components: list[Component]):
        self.settings, self.args, self.components = settings, args, components
        self.children: dict[str, subprocess.Popen[bytes]] = {}
        self.restarts: dict[str, list[float]] = {}
        self.stopping = False

    def start(self, comp: Component) -> None:
        logfile = self.settings.data_dir / "logs" / f"{comp.name}.log"
        logfile.parent.mkdir(parents=True, exist_ok=True)
        with logfile.open("ab") as out:
            self.children[comp.name] = subprocess.Popen(
                comp.argv(self.settings, self.args),
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )
        log.info("started %s (pid %d, log %s)", comp.name, self.children[comp.name].pid, logfile)

    def watch(self) -> None:
        while not self.stopping:
            for comp in self.components:
                child = self.children.get(comp.name)
                if child is None or child.poll() is None:
                    continue
                recent = [t for t in self.restarts.get(comp.name, []) if time.monotonic() - t < 300]
                if len(recent) >= 5:
                    log.error(
                        "%s keeps failing (exit %s); see its log. Not restarting.",
                        comp.name,
                        child.returncode,
                    )
                    del self.children[comp.name]
                    continue
                log.warning(
                    "%s exited with %s; restarting in %ds", comp.name, child.returncode, 2 ** len(recent)
                )
                time.sleep(2 ** len(recent))
                self.restarts[comp.name] = [*recent, time.monotonic()]
                self.start(comp)
            time.sleep(1)

    def stop(self, *_: object) -> None:
        self.stopping = True

    def shutdown(self) -> None:
        for child in self.children.values():
            if child.poll() is None:
                child.terminate()
        deadline = time.monotonic() + 20
        for child in self.children.values():
            try:
                child.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                child.kill()


def _component(args: argparse.Namespace) -> int:
    """Replace this process with the component, so signals reach it directly (PID 1 in compose)."""
    import os

    comp = next(c for c in COMPONENTS if c.name == args.name)
    if comp.name == "app":
        from streamlit_app.cli import prepare

        prepare(get_settings())
    argv = comp.argv(get_settings(), args)
    os.execv(argv[0], argv)
    return 0  # not reached


def _run(args: argparse.Namespace) -> int:
    from infra import stack
    from streamlit_app.cli import prepare
    from streamlit_app.guard import refuse_open

    settings = get_settings()
    refuse_open(settings, settings.bind_host)  # before anything starts
    report = stack.up(settings)
    log.info("stack ready in %.1fs", report.seconds)
    if not args.skip_catalog:
        from kaggle_seed.load import backfill_if_empty

        backfill_if_empty(settings)
    prepare(settings)
    components = [c for c in COMPONENTS if c.enabled(args)]
    sup = Supervisor(settings, args, components)
    signal.signal(signal.SIGTERM, sup.stop)
    signal.signal(signal.SIGINT, sup.stop)
    try:
        for comp in components:
            sup.start(comp)
        log.info(
            "dashboard: http://%s:%d  (Ctrl-C stops everything)", settings.connect_host, settings.app_port
        )
        sup.watch()
    finally:
        sup.shutdown()
        if not args.keep_stack and report.started:
            stack.down(settings, only=report.started)
    return 0
