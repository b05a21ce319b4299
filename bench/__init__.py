"""Benchmarks of ircc-watch against its peers (see bench/run.py)."""
