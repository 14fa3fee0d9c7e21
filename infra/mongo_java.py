"""mongo-java-server: the second MongoDB-wire server the contract tests run the gold layer on.

No `mongod` is obtainable here, and FerretDB (the local stack's server) tolerates things MongoDB
does not. mongo-java-server (Maven Central, in-memory backend) is an independent implementation
of MongoDB's wire protocol and semantics, so the gold writers and readers run against it too
(tests/contract/, docs/mongodb.md). Jars and the compiled launcher are cached like Kafka's:

    with running(settings.cache_dir) as uri:   # "mongodb://127.0.0.1:<free port>/"
        ...
"""

from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from infra import provision

POM = provision.INFRA_DIR / "maven" / "mongo-java-server.pom.xml"
LAUNCHER = provision.INFRA_DIR / "mongo_java" / "ContractServer.java"


class ContractServerError(provision.ProvisionError):
    """mongo-java-server did not start; the message carries its output."""


def version() -> str:
    match = re.search(r"<mongo-java-server.version>([^<]+)<", POM.read_text())
    assert match, "mongo-java-server.version missing from the pom"
    return match.group(1)


def provision_server(cache_dir: Path) -> str:
    """Fetch the jars and compile the launcher (both cached); the classpath to run it with."""
    jars = cache_dir / "jars" / f"mongo-java-server-{version()}"
    provision.maven_copy(POM, jars)
    source = LAUNCHER.read_bytes()
    classes = cache_dir / "build" / f"mongo-java-server-{version()}" / hashlib.sha256(source).hexdigest()[:12]
    if not (classes / "ContractServer.class").exists():
        javac = provision.require("javac")
        partial = classes.with_name(classes.name + ".partial")
        shutil.rmtree(partial, ignore_errors=True)
        provision._run([javac, "-cp", f"{jars}/*", "-d", str(partial), str(LAUNCHER)])
        partial.rename(classes)
    return f"{jars}/*:{classes}"


@contextmanager
def running(cache_dir: Path, host: str = "127.0.0.1", timeout_s: float = 60.0) -> Iterator[str]:
    """Start the server on a free loopback port; yields its URI, stops it on exit.

    The server exits when its standard input closes, so it never outlives this process."""
    argv = [provision.require("java"), "-Xmx1g", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"]
    argv += ["-cp", provision_server(cache_dir), "ContractServer", host, "0"]
    log = cache_dir / "logs" / "mongo-java-server.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("w") as out:
        proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=out, stderr=subprocess.STDOUT)
    try:
        yield f"mongodb://{host}:{_wait_listening(proc, log, timeout_s)}/"
    finally:
        assert proc.stdin is not None
        proc.stdin.close()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _wait_listening(proc: subprocess.Popen[bytes], log: Path, timeout_s: float) -> int:
    """The port from the server's `listening <host>:<port>` line (a real bind, not a guess)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        match = re.search(r"^listening \S+:(\d+)$", log.read_text(), re.MULTILINE)
        if match:
            return int(match.group(1))
        if proc.poll() is not None:
            break
        time.sleep(0.05)
    proc.kill()
    raise ContractServerError(f"mongo-java-server did not start (log {log}):\n{log.read_text()[-2000:]}")
