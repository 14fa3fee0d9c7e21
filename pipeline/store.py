"""The silver and gold writes for one user's events of a batch (runs on an executor).

`process_user` folds events into stored plays (dedupe), re-enriches the changed plays from the
current catalog (`pipeline.catalog`), replaces them (`pipeline.writes`), then recomputes the
touched day buckets (with their sessions) from the plays and month/year/all from the level below,
and the user's stats (`pipeline.rollup_plan`). Writes are upserts by `_id` of whole recomputed
documents: absolute values, so a replayed batch rewrites the same documents. The plays job runs
it as a `UserBatch`, which can be run again after MongoDB dropped it halfway (`core.outage`).

Every read is by `_id`: the day totals list their play ids, so dedupe candidates and a day's plays
are found without a secondary index (FerretDB v1 serves only `_id` from an index).
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from pymongo.database import Database

from core.collections import Coll
from core.mongo import find_ids
from pipeline.catalog import catalog_matches
from pipeline.day_facts import sum_facts
from pipeline.dedupe import assign
from pipeline.enrich import play_document, source_records
from pipeline.job import JobConfig, user_rules
from pipeline.rollup_plan import RollupPlan, plan_from_sums, rebuilt_facts, write_rollups
from pipeline.writes import day_docs, write_plays

Doc = dict[str, Any]


def candidate_days(times: list[datetime], zone: str, tol_s: int) -> set[str]:
    """Local days an event at one of `times` (± the dedup tolerance) can share a play with."""
    tz = ZoneInfo(zone)
    pad = timedelta(seconds=tol_s + 1)
    return {(t + d).astimezone(tz).strftime("%Y-%m-%d") for t in times for d in (-pad, pad)}


def load_candidates(
    db: Database[Doc], user_id: str, zone: str, times: list[datetime], tol_s: int
) -> list[Doc]:
    """Stored plays that an event at one of `times` could be the same play as."""
    days = day_docs(db, user_id, candidate_days(times, zone, tol_s))
    ids = sorted({i for d in days.values() for i in d.get("play_ids", [])})
    return find_ids(db, Coll.PLAYS, ids)


def build_plays(db: Database[Doc], user_id: str, plays: list[Doc], zone: str, threshold: int) -> list[Doc]:
    """Merged, enriched play documents from plays given as {_id, records}."""
    matches, tracks, artists = catalog_matches(db, [p["records"] for p in plays])
    return [
        play_document(
            user_id, p["_id"], p["records"], tracks.get(tid or ""), artists, zone, threshold, matched_by=how
        )
        for p, (tid, how) in zip(plays, matches, strict=True)
    ]


def process_user(db: Database[Doc], cfg: JobConfig, user_id: str, events: list[Doc]) -> dict[str, int]:
    return UserBatch(cfg, user_id, events).run(db)


class UserBatch:
    """One user's events of a batch. `run` may be called again after it failed halfway (MongoDB
    went away mid-write; `core.outage` calls it again): what is computed from the stored state
    (the merged plays and, once planned, the rollups) is kept from the first run, and each run
    sends the same whole documents by `_id` again. Computing again from a half-written state
    would not do: a day that already lists the new plays makes them look stored, and the rest of
    the rollups would never be written."""

    def __init__(self, cfg: JobConfig, user_id: str, events: list[Doc]) -> None:
        self.cfg, self.user_id, self.events = cfg, user_id, events
        self.stats: dict[str, int] | None = None
        self.writes: PlaysWrite | None = None

    def run(self, db: Database[Doc]) -> dict[str, int]:
        """Everything, the day facts summed in Python (jobs without Spark)."""
        self._ready(db)
        if self.writes is not None:
            self.writes.run(db)
        return self.stats or {}

    def read_facts(self, db: Database[Doc]) -> tuple[dict[str, int], dict[str, list[Any]] | None, list[Doc]]:
        """The plays job's first stage, reads only: the counts, the facts of the days the changed
        plays touch (None: nothing changed) for Spark to sum, and the changed plays, which
        `SumsWrite` writes with the rollups of the sums."""
        self._ready(db)
        if self.writes is None:
            return self.stats or {}, None, []
        return self.stats or {}, self.writes.read_facts(db), self.writes.docs

    def _ready(self, db: Database[Doc]) -> None:
        if self.stats is None:
            self.writes, self.stats = self._prepare(db)

    def _prepare(self, db: Database[Doc]) -> tuple[PlaysWrite | None, dict[str, int]]:
        """Reads only: the plays the events change, merged and enriched."""
        cfg, user_id, events = self.cfg, self.user_id, self.events
        zone, threshold = user_rules(db, cfg, user_id)
        stored = load_candidates(db, user_id, zone, [e["ended_at"] for e in events], cfg.tolerance_s)
        before = {p["_id"]: p for p in stored}
        working = [{"_id": p["_id"], "records": source_records(p)} for p in stored]
        working, changed = assign(events, working, cfg.tolerance_s)
        if not changed:
            return None, {"events": len(events), "changed": 0}
        docs = build_plays(db, user_id, [p for p in working if p["_id"] in changed], zone, threshold)
        old = [before[i] for i in changed if i in before]
        current = {p["_id"]: p for p in stored} | {d["_id"]: d for d in docs}
        writes = PlaysWrite(cfg, user_id, zone, docs, {d["local_day"] for d in old + docs}, current)
        return writes, {"events": len(events), "changed": len(docs)}


def store_plays(
    db: Database[Doc],
    cfg: JobConfig,
    user_id: str,
    zone: str,
    docs: list[Doc],
    days: set[str],
    known: dict[str, Doc],
    same_times: bool = False,
) -> None:
    """Replace these plays, then write the rollups of `days` recomputed with them (`known`: the
    current versions of plays, these included; `same_times`: see `plan_rollups`)."""
    PlaysWrite(cfg, user_id, zone, docs, days, known, same_times).run(db)


@dataclass
class PlaysWrite:
    """Plays to replace and the rollups they change.

    The rollups are computed in this thread while another writes the plays (`PlanOnce.write`:
    per 100,000 plays ~11 s of inserts beside ~9.5 s of arithmetic, instead of one after the
    other; docs/spark.md). The facts and the plan are computed once, before any rollup is
    written, so a `run` after a failed one writes the same documents."""

    cfg: JobConfig
    user_id: str
    zone: str
    docs: list[Doc]
    days: set[str]
    known: dict[str, Doc]
    same_times: bool = False
    facts: dict[str, list[Any]] | None = None
    once: PlanOnce = field(default_factory=lambda: PlanOnce())

    def read_facts(self, db: Database[Doc]) -> dict[str, list[Any]]:
        if self.facts is None:
            self.facts = rebuilt_facts(
                db, self.cfg, self.user_id, self.zone, self.days, self.known, self.same_times
            )
        return self.facts

    def run(self, db: Database[Doc]) -> None:
        self.once.write(
            db, self.docs, lambda: plan_from_sums(db, self.user_id, sum_facts(self.read_facts(db)))
        )


@dataclass
class SumsWrite:
    """The plays job's second stage for one user: its changed plays and the rollups of the day
    facts Spark summed (`pipeline.day_facts`), written as `PlaysWrite.run` writes them."""

    user_id: str
    sums: list[Doc]
    plays: list[Any]  # play documents (RawBSONDocument, as they come through Spark)
    once: PlanOnce = field(default_factory=lambda: PlanOnce())

    def run(self, db: Database[Doc]) -> None:
        self.once.write(db, self.plays, lambda: plan_from_sums(db, self.user_id, self.sums))


@dataclass
class PlanOnce:
    """A user's rollup plan, computed on the first run only (see `UserBatch`)."""

    plan: RollupPlan | None = None
    planned: bool = False

    def write(self, db: Database[Doc], plays: list[Any], make_plan: Callable[[], RollupPlan | None]) -> None:
        """Write the plays in a second thread while the plan is made in this one (reads and
        arithmetic: the server's insert and Python each take a core), then the plan's rollups —
        only after the plays are, so a batch that fails midway never leaves rollups of plays
        that are not stored."""
        with ThreadPoolExecutor(1, thread_name_prefix="plays-writer") as pool:
            written = pool.submit(write_plays, db, plays)
            if not self.planned:
                self.plan, self.planned = make_plan(), True
            written.result()
        write_rollups(db, self.plan)
