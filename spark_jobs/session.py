"""The SparkSession for every earshot job, sized for a small machine.

Spark's Kafka connector comes from the local cache as plain jars (`spark.jars`), fetched by
`earshot stack up` (infra.services.spark_kafka_jars) into `connector_dir` — never resolved at
run time. The builder takes the jar paths as an argument; `connector_jars` lists the fetched ones.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import sys
import threading
from collections.abc import Callable, Sequence
from pathlib import Path

from pyspark.sql import SparkSession
from pyspark.sql.streaming import StreamingQuery

from core.errors import EarshotError
from core.settings import Settings


def connector_dir(settings: Settings) -> Path:
    """Where `earshot stack up` puts Spark's Kafka connector for the installed pyspark."""
    import pyspark

    return settings.cache_dir / "jars" / f"spark-kafka-{pyspark.__version__}"


def connector_jars(settings: Settings) -> list[Path]:
    """The fetched connector's jars, minus those pyspark already ships.

    Keeping only what Spark lacks avoids two versions of one library on the classpath (e.g.
    slf4j 1.x next to Spark's 2.x).
    """
    import pyspark

    jars = sorted(connector_dir(settings).glob("*.jar"))
    if not jars:
        raise EarshotError(
            f"Spark's Kafka connector is not in {connector_dir(settings)}: run `earshot stack up` first"
        )
    shipped = {_artifact(j.name) for j in (Path(pyspark.__file__).parent / "jars").glob("*.jar")}
    return [j for j in jars if _artifact(j.name) not in shipped]


def _artifact(jar_name: str) -> str:
    """'kafka-clients-3.9.2.jar' → 'kafka-clients'."""
    return re.sub(r"-\d[\w.\-]*\.jar$", "", jar_name)


def session_conf(settings: Settings, jars: str) -> dict[str, str]:
    """Every earshot job's Spark configuration (pure: what `spark_session` builds with)."""
    # In local mode everything stays on loopback; on a cluster, executors must reach the driver
    # by this host's name. Never hand out a wildcard bind address (0.0.0.0) as the driver host.
    local = settings.spark_master.startswith("local")
    return {
        "spark.jars": jars,
        "spark.driver.memory": settings.spark_driver_memory,
        "spark.driver.bindAddress": settings.bind_host,
        "spark.driver.host": settings.connect_host if local else socket.gethostname(),
        # on a cluster each job takes at most this many cores, so jobs share one worker
        "spark.cores.max": str(settings.spark_cores_max),
        "spark.ui.enabled": "false",
        "spark.sql.shuffle.partitions": str(settings.spark_shuffle_partitions),
        "spark.default.parallelism": str(settings.spark_shuffle_partitions),
        "spark.sql.session.timeZone": "UTC",
        "spark.sql.streaming.stateStore.providerClass": (
            "org.apache.spark.sql.execution.streaming.state.RocksDBStateStoreProvider"
        ),
        "spark.sql.adaptive.enabled": "false",  # tiny micro-batches: AQE only adds planning time
        # and so does whole-stage code generation: a one-play batch of the plays job takes ~50 ms
        # less without it (docs/performance.md)
        "spark.sql.codegen.wholeStage": "false",
        "spark.python.worker.reuse": "true",
        "spark.sql.execution.arrow.pyspark.enabled": "true",
    }


def spark_session(settings: Settings, app_name: str, jars: Sequence[Path] = ()) -> SparkSession:
    """The session of one job; `jars` are added to its classpath (the Kafka connector for streams)."""
    # Executors run the same interpreter as the driver (they import core/ and pymongo).
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    builder = SparkSession.builder.appName(app_name).master(settings.spark_master)
    for key, value in session_conf(settings, ",".join(str(j) for j in jars)).items():
        builder = builder.config(key, value)
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("WARN")
    return spark


def run_stream(app_name: str, build_stream: Callable[[SparkSession, Settings], StreamingQuery]) -> int:
    """The `main()` of a streaming job: settings, topics and indexes ready, then run until stopped."""
    import logging

    from core import kafka, mongo
    from core.logs import setup
    from core.settings import get_settings
    from spark_jobs.pulse import wait_reported

    setup()
    settings = get_settings()
    kafka.ensure_topics(settings)
    with mongo.client(settings) as client:
        mongo.ensure_indexes(client[settings.mongo_db])
    query = build_stream(spark_session(settings, app_name, connector_jars(settings)), settings)
    logging.getLogger(app_name).info("%s running (checkpoints under %s)", app_name, settings.checkpoint_dir)
    stop = threading.Event()  # SIGTERM / Ctrl-C: stop the query, so its heartbeat says 'down'
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    while not stop.is_set() and not query.awaitTermination(1):  # raises when the query failed
        pass
    query.stop()
    wait_reported()
    return 0
