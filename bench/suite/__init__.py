"""The sections of `python -m bench`: each measures one thing and returns figures and rows.

Shared helpers (percentiles, table rows, verdicts) live in bench.suite.figures.
"""
