"""The local stack's services: the Kafka broker, the MongoDB-compatible server, Spark's Kafka jars.

Each service knows how to provision itself into the cache, start, and prove it is ready with a
real round trip. `infra.stack` strings them together.
"""

from __future__ import annotations

import os
import re
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path

from core import kafka as kafka_io
from core import mongo as mongo_io
from core.settings import Settings
from infra import provision
from infra.procs import Proc, port_open

KAFKA_POM = provision.INFRA_DIR / "maven" / "kafka-broker.pom.xml"
SPARK_KAFKA_POM = provision.INFRA_DIR / "maven" / "spark-kafka.pom.xml"
FERRETDB_VERSION = "v1.24.0"


def kafka_version() -> str:
    match = re.search(r"<kafka.version>([^<]+)<", KAFKA_POM.read_text())
    assert match, "kafka.version missing from the pom"
    return match.group(1)


@dataclass
class KafkaBroker:
    settings: Settings
    name: str = "kafka"

    @property
    def proc(self) -> Proc:
        return Proc(self.name, self.settings)

    @property
    def address(self) -> str:
        return self.settings.kafka_servers

    @property
    def state_dir(self) -> Path:
        return self.settings.data_dir / "kafka"

    def provision(self) -> list[Path]:
        dest = self.settings.cache_dir / "jars" / f"kafka-{kafka_version()}"
        return provision.maven_copy(KAFKA_POM, dest)

    def _write_config(self) -> Path:
        s = self.settings
        template = (provision.INFRA_DIR / "kafka" / "server.properties").read_text()
        config = template.format(
            host=s.bind_host,
            advertised_host=s.connect_host,
            port=s.kafka_port,
            controller_port=s.kafka_controller_port,
            log_dir=self.state_dir / "logs",
            partitions=s.kafka_partitions,
        )
        path = self.state_dir / "server.properties"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(config)
        return path

    def start(self) -> None:
        java = provision.require("java")
        self.provision()
        classpath = str(self.settings.cache_dir / "jars" / f"kafka-{kafka_version()}" / "*")
        config = self._write_config()
        jvm = [
            java,
            "-Xms256m",
            "-Xmx1g",
            "-XX:+UseG1GC",
            "-Djava.awt.headless=true",
            f"-Dlog4j2.configurationFile={provision.INFRA_DIR / 'kafka' / 'log4j2.properties'}",
            "-cp",
            classpath,
        ]
        if not (self.state_dir / "logs" / "meta.properties").exists():
            cluster_id = _kafka_cluster_id()
            provision._run([*jvm, "kafka.tools.StorageTool", "format", "-t", cluster_id, "-c", str(config)])
        self.proc.start([*jvm, "kafka.Kafka", str(config)])

    def ready(self, timeout_s: float = 90.0) -> None:
        kafka_io.wait_ready(self.settings, timeout_s)


def _kafka_cluster_id() -> str:
    """A KRaft cluster id: 16 random bytes, URL-safe base64 without padding (as kafka-storage makes)."""
    import base64

    return base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")


# FerretDB's write path is CPU-bound (BSON → its JSON format → SQLite's JSON parser for the `_id`
# index). With WAL, synchronous=NORMAL syncs at checkpoints instead of every commit (a crash of the
# machine can lose the last commits, never corrupt the file), and a lazier Go GC (its live heap is
# tens of MB) cuts the ~16 % of CPU it spent collecting: play-document inserts 6.7k → 7.3–8.4k/s.
SQLITE_PRAGMAS = "_pragma=synchronous(normal)"
INSERT_BATCH = 1000  # documents per SQLite INSERT statement (FerretDB's default 100): +10-25 % inserts
FERRETDB_ENV = {"GOGC": os.environ.get("GOGC", "400")}


@dataclass
class MongoServer:
    """FerretDB (SQLite backend) or a `mongod` from PATH, on 127.0.0.1:<mongo_port>."""

    settings: Settings
    name: str = "mongo"

    @property
    def proc(self) -> Proc:
        return Proc(self.name, self.settings)

    @property
    def address(self) -> str:
        return self.settings.mongo_url

    @property
    def flavour(self) -> str:
        return "mongod" if shutil.which("mongod") else f"ferretdb {FERRETDB_VERSION}"

    def provision(self) -> Path:
        mongod = shutil.which("mongod")
        if mongod:
            return Path(mongod)
        return provision.build_ferretdb(self.settings.cache_dir, FERRETDB_VERSION)

    def start(self) -> None:
        binary = self.provision()
        s = self.settings
        data = s.data_dir / "mongo"
        data.mkdir(parents=True, exist_ok=True)
        if binary.name == "mongod":
            argv = [str(binary), "--bind_ip", s.bind_host, "--port", str(s.mongo_port), "--dbpath", str(data)]
        else:
            argv = [
                str(binary),
                "--handler=sqlite",
                f"--sqlite-url=file:{data}/?{SQLITE_PRAGMAS}",
                f"--listen-addr={s.bind_host}:{s.mongo_port}",
                f"--state-dir={data}",
                "--telemetry=disable",
                "--debug-addr=-",
                "--log-level=warn",
                f"--test-batch-size={INSERT_BATCH}",
            ]
        self.proc.start(argv, env=FERRETDB_ENV if binary.name != "mongod" else None)

    def ready(self, timeout_s: float = 60.0) -> None:
        mongo_io.wait_ready(self.settings, timeout_s)


def spark_kafka_jars(settings: Settings) -> list[Path]:
    """Fetch Spark's official Kafka connector for the installed pyspark (cached); its jars to load."""
    import pyspark

    from spark_jobs.session import connector_dir, connector_jars

    provision.maven_copy(SPARK_KAFKA_POM, connector_dir(settings), {"spark.version": pyspark.__version__})
    return connector_jars(settings)


def kafka_port_taken(settings: Settings) -> bool:
    return port_open(settings.connect_host, settings.kafka_port)
