"""Figures shared by the bench sections: percentiles, medians and the rows of the one table.

A Row is one line of the printed table; a target row carries a verdict (OK / MISSED), a
figure without a target carries none. Nothing here measures anything.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

OK = "OK"
MISSED = "MISSED"


@dataclass(frozen=True, slots=True)
class Row:
    """One line of the table: what was measured, its value, and the target if it has one."""

    section: str
    measure: str
    value: str
    target: str = ""
    verdict: str = ""

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


def verdict(passed: bool) -> str:
    return OK if passed else MISSED


def percentile(values: Sequence[float], q: float) -> float:
    """The q-quantile (0..1) by nearest rank: a value that was actually measured."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(q * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


def median(values: Iterable[float]) -> float:
    data = list(values)
    return statistics.median(data) if data else math.nan


def ms(seconds: float) -> float:
    return seconds * 1000.0


def fmt_ms(value_ms: float) -> str:
    """Milliseconds with precision where it matters: 0.184 ms, 12.3 ms, 1,234 ms."""
    if math.isnan(value_ms):
        return "n/a"
    if value_ms < 10:
        return f"{value_ms:.3f} ms"
    if value_ms < 1000:
        return f"{value_ms:.1f} ms"
    return f"{value_ms:,.0f} ms"


def fmt_rate(per_second: float, unit: str) -> str:
    if math.isnan(per_second):
        return "n/a"
    return f"{per_second:,.0f} {unit}/s" if per_second >= 100 else f"{per_second:.1f} {unit}/s"


def fmt_mb(n_bytes: float) -> str:
    return f"{n_bytes / 1e6:,.1f} MB"


def table(rows: Sequence[Row]) -> str:
    """The rows as one aligned plain-text table."""
    headers = ("section", "measure", "value", "target", "verdict")
    cells = [headers, *((r.section, r.measure, r.value, r.target, r.verdict) for r in rows)]
    widths = [max(len(line[i]) for line in cells) for i in range(len(headers))]

    def line(values: Sequence[str]) -> str:
        return "  ".join(v.ljust(w) for v, w in zip(values, widths, strict=True)).rstrip()

    rule = "  ".join("-" * w for w in widths)
    out = [line(headers), rule]
    previous = ""
    for r in rows:
        if previous and r.section != previous:
            out.append("")  # a blank line between sections keeps the long table readable
        shown = r.section if r.section != previous else ""
        out.append(line((shown, r.measure, r.value, r.target, r.verdict)))
        previous = r.section
    return "\n".join(out)
