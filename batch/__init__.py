"""Batch work run by Airflow (and the CLI): catalog coverage, inbox imports, digests, data quality."""
