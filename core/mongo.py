"""MongoDB access shared by every component: one client factory, readiness, idempotent indexes.

pymongo talks to MongoDB and to FerretDB (the local stack's server) the same way.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import Any

from pymongo import IndexModel, MongoClient
from pymongo.collection import Collection
from pymongo.database import Database
from pymongo.errors import PyMongoError

from core.collections import INDEXES, Coll, IndexSpec
from core.settings import Settings


def client(settings: Settings, timeout_ms: int = 5000) -> MongoClient[dict[str, Any]]:
    return MongoClient(
        settings.mongo_url,
        serverSelectionTimeoutMS=timeout_ms,
        connectTimeoutMS=timeout_ms,
        tz_aware=True,
        appname="earshot",
    )


def database(
    settings: Settings, mongo: MongoClient[dict[str, Any]] | None = None
) -> Database[dict[str, Any]]:
    return (mongo or client(settings))[settings.mongo_db]


def round_trip(db: Database[dict[str, Any]]) -> None:
    """A real readiness check: ping, then write and read back a document."""
    db.client.admin.command("ping")
    probe = db["_earshot_probe"]
    marker = {"_id": "ready", "at": time.time()}
    probe.replace_one({"_id": "ready"}, marker, upsert=True)
    if probe.find_one({"_id": "ready"}) is None:
        raise PyMongoError("wrote a probe document but could not read it back")


def wait_ready(settings: Settings, timeout_s: float = 60.0) -> None:
    deadline = time.monotonic() + timeout_s
    last: Exception | None = None
    while time.monotonic() < deadline:
        try:
            with client(settings, timeout_ms=2000) as mongo:
                round_trip(mongo[settings.mongo_db])
            return
        except PyMongoError as exc:
            last = exc
            time.sleep(0.2)
    raise TimeoutError(f"MongoDB at {settings.mongo_url} not ready after {timeout_s:.0f}s: {last}")


def is_ferretdb(db: Database[dict[str, Any]]) -> bool:
    return "ferretdbVersion" in db.client.admin.command("buildInfo")


def wanted_indexes(ferretdb: bool) -> dict[Coll, tuple[IndexSpec, ...]]:
    """The declared indexes this server should have. FerretDB v1 serves no query but `_id` from
    an index (every other filter or sort scans), so on it only the unique ones, which are
    constraints, are kept: a plain secondary index there only costs every insert (a play document
    with the two declared `plays` indexes inserts ~15-25 % slower, a track with its `name` index
    ~20 %)."""
    if not ferretdb:
        return dict(INDEXES)
    return {coll: kept for coll, specs in INDEXES.items() if (kept := tuple(s for s in specs if s.unique))}


def ensure_indexes(db: Database[dict[str, Any]]) -> list[str]:
    """Create the wanted indexes that are missing (and, on FerretDB, drop declared plain ones an
    older version made). Returns the names created.

    One index per call, and only missing ones: FerretDB v1.24 drops the connection on a
    multi-index createIndexes whose indexes already exist.
    """
    ferretdb = is_ferretdb(db)
    wanted = wanted_indexes(ferretdb)
    created: list[str] = []
    for coll, specs in INDEXES.items():
        existing = {index["name"] for index in db[coll.value].list_indexes()}
        keep = wanted.get(coll, ())
        for spec in specs:
            name = spec.index_name()
            if spec in keep and name not in existing:
                model = IndexModel(list(spec.keys), name=name, unique=spec.unique)
                created += db[coll.value].create_indexes([model])
            elif spec not in keep and name in existing:
                db[coll.value].drop_index(name)
    return created


ID_CHUNK = 5000  # the patched FerretDB serves `_id $in` from its index up to 10,000 ids


def find_ids(
    db: Database[dict[str, Any]], coll: Coll, ids: Iterable[str], projection: dict[str, Any] | None = None
) -> list[dict[str, Any]]:
    """The documents with these `_id`s, in chunks (missing ones are skipped; order not kept).

    FerretDB v1 answers only `_id` lookups from an index; every gold read goes through here."""
    return find_ids_in(db[coll.value], ids, projection)


def find_ids_in(
    coll: Collection[dict[str, Any]], ids: Iterable[str], projection: dict[str, Any] | None = None
) -> list[dict[str, Any]]:
    """`find_ids` on a collection object."""
    wanted = sorted(set(ids))
    found: list[dict[str, Any]] = []
    for i in range(0, len(wanted), ID_CHUNK):
        found += coll.find({"_id": {"$in": wanted[i : i + ID_CHUNK]}}, projection)
    return found
