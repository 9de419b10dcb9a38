"""Measurement tooling: the load benchmark (run_benchmark.py) and shared helpers."""
