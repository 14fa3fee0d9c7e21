"""Kaggle audio-feature datasets: sample generator, format detection and the catalog backfill."""
