"""The pipeline core: what happens to a play between Kafka and the gold layer, with no Spark in it.

- `pipeline.dedupe`    — one play per listen across sources (API, export, demo): merge rules, name keys
- `pipeline.enrich`    — a play document from an event and its catalog track (features, genres)
- `pipeline.day_facts` — what a day's documents are summed from (summed by Spark in the plays job)
- `pipeline.rollups`   — the gold documents of summed day facts, and each grain from the one below
- `pipeline.entities`  — what a play counts for: music or not, its track, artist, album, show…
- `pipeline.sessions`  — listening sessions and streaks in the listener's time zone
- `pipeline.profiles`  — taste and playlist profiles (audio-feature averages)
- `pipeline.store`     — one user's events of a batch: dedupe, enrich, store (`process_user`;
                         the plays job: `UserBatch.read_facts`, then `SumsWrite`)
- `pipeline.rollup_plan` — the touched gold documents recomputed from stored plays, never incremented
- `pipeline.catalog`   — the catalog a play is enriched from (by id, else by name)
- `pipeline.writes`    — plays and gold documents written by `_id`
- `pipeline.job`       — a job's settings, an executor's client, a user's counting rules
- `pipeline.playlists` — playlist profiles (merged snapshots, audio-feature profile)
- `pipeline.reprocess` — re-merging stored plays with today's catalog (`earshot spark reprocess`)
- `pipeline.coverage`  — how much of the plays the catalog covers

The Spark jobs (`spark_jobs`) call these on their executors; the batch jobs, the consumers and the
tests call them directly, so all of it is importable and testable without a JVM.
"""
