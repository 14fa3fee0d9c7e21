"""Spark Structured Streaming jobs: Kafka → parse/validate → dedupe → enrich → MongoDB rollups."""
