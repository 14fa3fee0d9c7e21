"""Kaggle backfill: load audio features and genres into `tracks` / `artists` with Spark batch.

    from kaggle_seed.load import backfill
    report = backfill(settings)                       # files from kagglehub or settings.kaggle_dir
    report = backfill(settings, directory=Path("x"), dataset="rodolfofigueroa", spark=spark)

CLI: `earshot catalog load [--dir D] [--dataset auto|maharshipandya|rodolfofigueroa|yamaerenay]`.
Spark reads the CSV and hash-partitions it by track id, sorted within each partition, so the rows
of one id are adjacent; each partition (Arrow batches into Python) validates the rows (ids,
ranges), merges the rows sharing an id (genres united) and writes its docs by id while it parses
the next ones. Artists named by tracks (rodolfofigueroa) are merged on the driver and written
last, and so are the tracks' rows of Discover's index (`kaggle_seed.cells`, catalog_cells) and of
the name index (`kaggle_seed.names`, catalog_names). Loading the same files twice yields the same
catalog. `backfill` then re-enriches the stored plays the load gave data
(`pipeline.reprocess.reenrich`; `reenrich=False` skips it).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import time
from pathlib import Path
from typing import Any

from core.collections import ANY_FIELD
from core.settings import Settings
from kaggle_seed.cells import cell_entry, merge_cells, packed
from kaggle_seed.formats import RowError, merge_tracks, normalise_artist, normalise_track
from kaggle_seed.names import merge_names, name_parts
from kaggle_seed.source import obtain, read_header
from kaggle_seed.write import write_partition

log = logging.getLogger("earshot.kaggle")
ID_COLUMN = {"maharshipandya": "track_id"}  # the others: "id"
# what each partition returns: its stats, the artists it saw, its tracks' Discover cells
OUT_COLUMNS = (("kind", "string"), ("key", "string"), ("value", "string"), ("blob", "binary"))


def _normalised(dataset: str, columns: list[str], batches: Any, artists: dict[str, Any]) -> Any:
    """(id, doc) per track id from id-sorted Arrow batches, ('!reason', 1) per reject."""
    current: dict[str, Any] | None = None
    for batch in batches:
        for values in zip(*(c.to_pylist() for c in batch.columns), strict=True):
            record = dict(zip(columns, values, strict=True))
            try:
                doc = (
                    normalise_artist(record)
                    if dataset == "yamaerenay_artists"
                    else normalise_track(dataset, record)
                )
            except RowError as exc:
                yield f"!{exc}", 1
                continue
            if dataset == "rodolfofigueroa":  # artist ids + names come with each track
                for aid, name in zip(doc.get("artist_ids", []), doc.get("artist_names", []), strict=False):
                    artist = {"_id": aid, "name": name, "sources": {ANY_FIELD: "kaggle:rodolfofigueroa"}}
                    artists[aid] = min(artists.get(aid, artist), artist, key=repr)
            if current is not None and current["_id"] == doc["_id"]:
                artist = dataset == "yamaerenay_artists"  # artists: deterministic pick
                current = min(current, doc, key=repr) if artist else merge_tracks(current, doc)
                continue
            if current is not None:
                yield current["_id"], current
            current = doc
    if current is not None:
        yield current["_id"], current


def _with_cells(items: Any, cells: dict[str, list[Any]], names: list[dict[str, Any]]) -> Any:
    """Pass (id, doc) items through, collecting each track's Discover row by cell and what the
    name index needs of it."""
    for key, doc in items:
        if not key.startswith("!"):
            if (found := cell_entry(doc)) is not None:
                cells.setdefault(found[0], []).append(found[1])
            names.append({f: doc.get(f) for f in ("_id", "name", "artist_names", "features", "genres")})
        yield key, doc


def _read(spark: Any, path: Path) -> tuple[Any, list[str]]:
    from pyspark.sql.types import StringType, StructField, StructType

    header = read_header(path)
    columns = [c or "_index" for c in header]
    schema = StructType([StructField(f"c{i}", StringType()) for i in range(len(columns))])
    df = (
        spark.read.option("header", True)
        .option("multiLine", True)
        .option("escape", '"')
        .option("mode", "PERMISSIVE")
        .schema(schema)
        .csv(str(path))
    )
    return df, columns


def load_file(settings: Settings, spark: Any, dataset: str, path: Path) -> dict[str, Any]:
    """Load one file; returns {file, dataset, rows, inserted, updated, unchanged, rejects, seconds}."""
    from pymongo import MongoClient
    from pyspark.sql import functions as F

    started = time.monotonic()
    df, columns = _read(spark, path)
    key = F.trim(F.col(f"c{columns.index(ID_COLUMN.get(dataset, 'id'))}"))
    parts = max(2, settings.spark_shuffle_partitions * 2)
    url, db = settings.mongo_url, settings.mongo_db
    collection = "artists" if dataset == "yamaerenay_artists" else "tracks"
    with_genres = dataset == "yamaerenay"
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    with MongoClient(url) as mongo:  # an empty collection: insert only, no lookups
        fresh = {c: mongo[db][c].find_one({}, {"_id": 1}) is None for c in ("tracks", "artists")}

    def load(batches):  # type: ignore[no-untyped-def]
        import pyarrow as pa

        out_schema = pa.schema([(name, getattr(pa, kind)()) for name, kind in OUT_COLUMNS])

        artists: dict[str, Any] = {}
        cells: dict[str, list[Any]] = {}
        names: list[dict[str, Any]] = []
        docs = _normalised(dataset, columns, batches, artists)
        if collection == "tracks":
            docs = _with_cells(docs, cells, names)
        stats = next(write_partition(url, db, collection, docs, with_genres, fresh[collection], now))
        out = [
            {"kind": "stats", "key": "", "value": json.dumps(stats, default=str)},
            {"kind": "artists", "key": "", "value": json.dumps(list(artists.values()))},
        ]
        for cell, entries in cells.items():  # packed here, in parallel: the driver only splices
            rows_json, vectors = packed(entries)
            out.append({"kind": "cell", "key": cell, "value": rows_json, "blob": vectors})
        for bucket, blob in name_parts(names).items():
            out.append({"kind": "names", "key": str(bucket), "value": "", "blob": blob})
        yield pa.RecordBatch.from_pylist(out, schema=out_schema)

    rows = (
        df.repartition(parts, key)
        .sortWithinPartitions(key)
        .mapInArrow(load, ", ".join(f"{name} {kind}" for name, kind in OUT_COLUMNS))
        .collect()
    )
    results = [json.loads(r["value"]) for r in rows if r["kind"] == "stats"]
    artists: dict[str, Any] = {}
    cell_parts: dict[str, list[tuple[str, bytes]]] = {}
    name_blobs: dict[int, list[bytes]] = {}
    for r in rows:
        if r["kind"] == "artists":
            for a in json.loads(r["value"]):
                artists[a["_id"]] = min(artists.get(a["_id"], a), a, key=repr)
        elif r["kind"] == "cell":
            cell_parts.setdefault(r["key"], []).append((r["value"], bytes(r["blob"])))
        elif r["kind"] == "names":
            name_blobs.setdefault(int(r["key"]), []).append(bytes(r["blob"]))
    with MongoClient(url, tz_aware=True) as mongo:
        if cell_parts:  # Discover's index
            merge_cells(mongo[db], sorted(cell_parts.items()))
        if name_blobs:  # the name index (plays without a track id)
            merge_names(mongo[db], sorted(name_blobs.items()))
    report: dict[str, Any] = {
        "file": str(path),
        "dataset": dataset,
        "collection": collection,
        "inserted": 0,
        "updated": 0,
        "unchanged": 0,
        "rejects": {},
        "artists": {"inserted": 0, "updated": 0, "unchanged": 0},
    }
    if artists:
        items = ((k, artists[k]) for k in sorted(artists))
        stats = next(write_partition(url, db, "artists", items, fresh=fresh["artists"], now=now))
        report["artists"] = {k: stats[k] for k in report["artists"]}
    for stats in results:
        for k in ("inserted", "updated", "unchanged"):
            report[k] += stats[k]
        for reason, n in stats["rejects"].items():
            report["rejects"][reason] = report["rejects"].get(reason, 0) + n
    report["docs"] = report["inserted"] + report["updated"] + report["unchanged"]
    report["rejected"] = sum(report["rejects"].values())
    report["seconds"] = round(time.monotonic() - started, 2)
    log.info(
        "%s (%s): %d docs (%d new, %d changed), %d rejected %s in %.1fs",
        path.name,
        dataset,
        report["docs"],
        report["inserted"],
        report["updated"],
        report["rejected"],
        report["rejects"] or "",
        report["seconds"],
    )
    return report


def backfill(
    settings: Settings,
    directory: Path | None = None,
    dataset: str = "auto",
    spark: Any = None,
    user_id: str | None = None,
    reenrich: bool = True,
) -> dict[str, Any]:
    """Obtain the files, load each, re-enrich the plays the load gave data (unless `reenrich`
    is False: the DAG does it as its own task, from `started_at`), and report counts, rejects
    and the catalog coverage of the plays."""
    from pipeline.coverage import catalog_coverage

    started = dt.datetime.now(dt.UTC).replace(microsecond=0)  # ≤ every updated_at the load writes
    files, how = obtain(settings, dataset, directory)
    if spark is None:  # inside a test or another job: reuse the active session, never stop it
        from pyspark.sql import SparkSession

        spark = SparkSession.getActiveSession()
    own = spark is None
    if own:
        from spark_jobs.session import spark_session

        spark = spark_session(settings, "earshot-kaggle-backfill")
    try:
        reports = [load_file(settings, spark, kind, path) for kind, path in files]
    finally:
        if own:
            spark.stop()
    report: dict[str, Any] = {"obtained_with": how, "started_at": started.isoformat(), "files": reports}
    if reenrich:
        from pipeline.reprocess import reenrich as reenrich_plays

        report["reenriched"] = reenrich_plays(settings, since=started)  # every user: the catalog is shared
    return report | {"coverage": catalog_coverage(settings, user_id)}


def backfill_if_empty(settings: Settings, directory: Path | None = None, dataset: str = "auto") -> bool:
    """First start: load the catalog (audio features, genres) only while it has no tracks, so
    plays are enriched at once. What `earshot run` and compose's one-shot `catalog` service
    (`earshot catalog load --if-empty`) do; True if it loaded."""
    from core import mongo
    from core.collections import Coll

    with mongo.client(settings) as client:
        if client[settings.mongo_db][Coll.TRACKS.value].find_one({}, {"_id": 1}) is not None:
            log.info("catalog already loaded: nothing to do")
            return False
    log.info("catalog is empty: loading the Kaggle catalog (first start only)…")
    result = backfill(settings, directory, dataset)
    log.info("catalog loaded (%s, %d file(s))", result["obtained_with"], len(result["files"]))
    return True
