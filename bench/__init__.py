"""Benchmarks that print figures; run with `python -m bench` (they are not tests)."""
