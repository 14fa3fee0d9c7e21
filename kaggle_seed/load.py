"""Kaggle backfill: load audio features and genres into `tracks` / `artists` with Spark batch.

    from kaggle_seed.load import backfill
    report = backfill(settings)                       # files from kagglehub or settings.kaggle_dir
    report = backfill(settings, directory=Path("x"), dataset="rodolfofigueroa", spark=spark)

CLI: `earshot catalog load [--dir D] [--dataset auto|maharshipandya|rodolfofigueroa|yamaerenay]`.
Rows are validated (ids, ranges), rows sharing a track id are merged (genres united), and each
partition upserts by id from the executors. Loading the same files twice yields the same catalog.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any

from core.settings import Settings
from kaggle_seed.formats import RowError, merge_tracks, normalise_artist, normalise_track
from kaggle_seed.source import obtain, read_header
from kaggle_seed.write import write_partition

log = logging.getLogger("earshot.kaggle")


def _normalise_partition(dataset: str, columns: list[str]):  # type: ignore[no-untyped-def]
    def run(rows):  # type: ignore[no-untyped-def]
        for row in rows:
            record = dict(zip(columns, row, strict=False))
            try:
                doc = (
                    normalise_artist(record)
                    if dataset == "yamaerenay_artists"
                    else normalise_track(dataset, record)
                )
            except RowError as exc:
                yield f"!{exc}", 1
                continue
            yield doc["_id"], doc
            if dataset == "rodolfofigueroa":  # artist ids + names come with each track
                for aid, name in zip(doc.get("artist_ids", []), doc.get("artist_names", []), strict=False):
                    yield f"@{aid}", {"_id": aid, "name": name, "sources": {"name": "kaggle:rodolfofigueroa"}}

    return run


def _merge(a: Any, b: Any) -> Any:
    if isinstance(a, int):
        return a + b
    if "genres" in a or "genres" in b or "features" in a:
        return merge_tracks(a, b)
    return min(a, b, key=repr)  # artists: deterministic pick


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
    started = time.monotonic()
    df, columns = _read(spark, path)
    parts = max(2, settings.spark_shuffle_partitions * 2)
    keyed = df.repartition(parts).rdd.mapPartitions(_normalise_partition(dataset, columns))
    merged = keyed.reduceByKey(_merge, numPartitions=parts)
    url, db = settings.mongo_url, settings.mongo_db
    collection = "artists" if dataset == "yamaerenay_artists" else "tracks"
    with_genres = dataset == "yamaerenay"

    def write(items):  # type: ignore[no-untyped-def]
        artists: list[tuple[str, Any]] = []

        def tracks():  # type: ignore[no-untyped-def]
            for key, value in items:
                if key.startswith("@"):
                    artists.append((key, value))
                else:
                    yield key, value

        yield from write_partition(url, db, collection, tracks(), artist_genres=with_genres)
        if artists:
            for stats in write_partition(url, db, "artists", artists):
                yield {"artists": stats}

    results = merged.mapPartitions(write).collect()
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
    for stats in results:
        if "artists" in stats:
            for k in report["artists"]:
                report["artists"][k] += stats["artists"][k]
            continue
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
) -> dict[str, Any]:
    """Obtain the files, load each, and report counts, rejects and coverage of the plays."""
    from batch.coverage import catalog_coverage

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
    return {"obtained_with": how, "files": reports, "coverage": catalog_coverage(settings, user_id)}
