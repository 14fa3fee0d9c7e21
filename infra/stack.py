"""`earshot stack up|down|status`: the local stack without Docker.

up      provision (cached) and start Kafka and the MongoDB-compatible server on 127.0.0.1,
        fetch Spark's Kafka connector jars, create topics and indexes. Idempotent.
down    stop what `up` started (never a server it found already running).
status  each service, whether it runs, and its address.

Services already configured elsewhere are used as they are: EARSHOT_KAFKA_BOOTSTRAP names an
external broker, MONGO_URI an external MongoDB.
"""

from __future__ import annotations

import logging
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console
from rich.table import Table

from core import kafka as kafka_io
from core import mongo as mongo_io
from core.errors import EarshotError
from core.settings import Settings
from infra.procs import port_open
from infra.services import KafkaBroker, MongoServer, spark_kafka_jars

log = logging.getLogger(__name__)
console = Console(stderr=True)


class StackError(EarshotError):
    """A service of the stack failed to start or to become ready."""


def local_services(settings: Settings) -> list[KafkaBroker | MongoServer]:
    services: list[KafkaBroker | MongoServer] = []
    if settings.local_kafka:
        services.append(KafkaBroker(settings))
    if settings.local_mongo:
        services.append(MongoServer(settings))
    return services


@dataclass
class UpReport:
    started: list[str]
    already_running: list[str]
    topics_created: list[str]
    seconds: float


def fetch(settings: Settings, with_spark_jars: bool = True) -> list[str]:
    """Provision (download/build, cached) everything the stack needs, in parallel."""
    services = local_services(settings)
    with console.status("provisioning (cached after the first run)…"), ThreadPoolExecutor(3) as pool:
        futures = {svc.name: pool.submit(svc.provision) for svc in services}
        if with_spark_jars:
            futures["spark-kafka jars"] = pool.submit(spark_kafka_jars, settings)
        return [f"{name}: {_describe(future.result())}" for name, future in futures.items()]


def _describe(result: Path | list[Path]) -> str:
    if isinstance(result, list):
        return f"{len(result)} jars in {result[0].parent}" if result else "nothing needed"
    return str(result)


def up(settings: Settings, with_spark_jars: bool = True) -> UpReport:
    t0 = time.monotonic()
    services = local_services(settings)
    fetch(settings, with_spark_jars)

    started, running = [], []
    for svc in services:
        host_port = _host_port(svc, settings)
        if svc.proc.pid() is not None or port_open(*host_port):
            running.append(svc.name)
        else:
            with console.status(f"starting {svc.name} on {svc.address}…"):
                svc.start()
            started.append(svc.name)
    for svc in services:
        try:
            svc.ready()
        except TimeoutError as exc:
            tail = svc.proc.exited_early()
            raise StackError(
                f"{svc.name} did not become ready: {exc}" + (f"\n--- log tail ---\n{tail}" if tail else "")
            ) from None

    if not settings.local_kafka:
        kafka_io.wait_ready(settings, 30)
    if not settings.local_mongo:
        mongo_io.wait_ready(settings, 30)
    topics = kafka_io.ensure_topics(settings)
    with mongo_io.client(settings) as mongo:
        mongo_io.ensure_indexes(mongo[settings.mongo_db])
    return UpReport(started, running, topics, time.monotonic() - t0)


def _host_port(svc: KafkaBroker | MongoServer, settings: Settings) -> tuple[str, int]:
    port = settings.kafka_port if isinstance(svc, KafkaBroker) else settings.mongo_port
    return settings.connect_host, port


def down(settings: Settings, only: list[str] | None = None) -> list[str]:
    """Stop the services this stack started (by pid file), or just those named; returns their names."""
    services = [s for s in reversed(local_services(settings)) if only is None or s.name in only]
    return [svc.name for svc in services if svc.proc.stop()]


def status(settings: Settings) -> list[tuple[str, str, str]]:
    rows = []
    for svc in local_services(settings):
        pid = svc.proc.pid()
        if pid is not None:
            state = f"running (pid {pid})"
        elif port_open(*_host_port(svc, settings)):
            state = "running (not started by earshot)"
        else:
            state = "stopped"
        label = f"{svc.name} ({svc.flavour})" if isinstance(svc, MongoServer) else f"{svc.name} (KRaft)"
        rows.append((label, state, svc.address))
    if not settings.local_kafka:
        rows.append(("kafka (external)", "configured", settings.kafka_servers))
    if not settings.local_mongo:
        rows.append(("mongo (external)", "configured", settings.mongo_url))
    return rows


def print_status(settings: Settings) -> None:
    table = Table("service", "state", "address", title="earshot local stack")
    for row in status(settings):
        table.add_row(*row)
    Console().print(table)
