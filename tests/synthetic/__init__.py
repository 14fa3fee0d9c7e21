"""Generators of test and benchmark data (Kaggle catalogs, Spotify exports).

Runtime code never imports these (tests/unit/test_layers.py checks).
"""
