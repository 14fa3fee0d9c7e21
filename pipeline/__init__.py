"""The pipeline core: what happens to a play between Kafka and the gold layer, with no Spark in it.

- `pipeline.dedupe`    — one play per listen across sources (API, export, demo): merge rules, name keys
- `pipeline.enrich`    — a play document from an event and its catalog track (features, genres)
- `pipeline.rollups`   — the gold documents of a set of plays (totals, entity rows, heatmaps)
- `pipeline.sessions`  — listening sessions and streaks in the listener's time zone
- `pipeline.profiles`  — taste and playlist profiles (audio-feature averages)
- `pipeline.store`     — storing plays and recomputing the touched gold documents (exact, never incremented)
- `pipeline.reprocess` — re-merging stored plays with today's catalog (`earshot spark reprocess`)
- `pipeline.coverage`  — how much of the plays the catalog covers

The Spark jobs (`spark_jobs`) call these on their executors; the batch jobs, the consumers and the
tests call them directly, so all of it is importable and testable without a JVM.
"""
