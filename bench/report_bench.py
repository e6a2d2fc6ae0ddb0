"""How long the operator report takes over a large statistics database (target: under 3 s).

Creates the schema with the statistics store's own migrations, bulk-loads synthetic events
with executemany (a million by default: questions, red-flag concepts, 👍/👎, kept texts), then
times `build_report_html` and `build_stats_chart_png` end to end, plus the parts (reading the
database, drawing the charts), best of a few runs. Everything stays in a temporary folder.

    python -m bench.report_bench [--events 1000000] [--days 30] [--runs 3] [--keep PATH]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

from tgbot.report import build_report_html, build_stats_chart_png
from tgbot.report.build import render_page
from tgbot.report.charts import render_stats_png
from tgbot.report.data import load_report_data
from tgbot.stats.store import open_store

T = TypeVar("T")
TARGET_SECONDS = 3.0
NOW = datetime(2025, 6, 30, 20, 0, tzinfo=UTC)
TOPICS = [f"topic-{i:02d}" for i in range(20)]
CONCEPTS = ["spasm-clusters", "fever", "breathing", "blue-lips", "not-feeding", "limp"]
PHRASES = [f"unanswered question number {i} about a baby" for i in range(400)]
# answered, suggested, fallback, empty: roughly what a FAQ bot sees.
OUTCOMES = (["answered", "suggested", "fallback", "empty"], [70, 12, 15, 3])


# Columns named: the store's schema (tgbot/stats/store.py) may grow columns with defaults.
_INSERT_EVENTS = """
    INSERT INTO events (event_id, hour, day, channel, path, outcome, topic, confidence_bucket,
        level, concepts, suggested, language, asker)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
"""
_INSERT_CONCEPTS = "INSERT INTO event_concepts (event_id, day, concept, level) VALUES (?, ?, ?, ?)"
_INSERT_FEEDBACK = (
    "INSERT INTO feedback (event_id, helpful, hour, day, topic) VALUES (?, ?, ?, ?, ?)"
)
_INSERT_TEXTS = "INSERT INTO questions_text (event_id, kind, day, text) VALUES (?, ?, ?, ?)"


def _rows(events: int, days: int, seed: int) -> Iterator[tuple[str, list[tuple[Any, ...]]]]:
    """(table, rows) chunks, one UTC day at a time, so memory stays flat."""
    rng = random.Random(seed)
    first = NOW.date() - timedelta(days=days - 1)
    per_day = events // days
    # Zipf-like popularity: a few topics and texts dominate, like real questions.
    topic_weights = [1 / (i + 1) for i in range(len(TOPICS))]
    phrase_weights = [1 / (i + 1) for i in range(len(PHRASES))]
    serial = 0
    for offset in range(days):
        day = (first + timedelta(days=offset)).isoformat()
        n = per_day + (1 if offset < events % days else 0)
        outcomes = rng.choices(OUTCOMES[0], OUTCOMES[1], k=n)
        topics = rng.choices(TOPICS, topic_weights, k=n)
        hours = rng.choices(range(24), k=n)
        askers = rng.choices(range(max(n // 4, 1)), k=n)
        levels = rng.choices([None, "urgent", "emergency"], [95, 4, 1], k=n)
        rolls = [rng.random() for _ in range(n)]
        events_rows: list[tuple[Any, ...]] = []
        concept_rows: list[tuple[Any, ...]] = []
        feedback_rows: list[tuple[Any, ...]] = []
        text_rows: list[tuple[Any, ...]] = []
        for i in range(n):
            serial += 1
            event_id = f"{serial:012x}"
            outcome = outcomes[i]
            topic = topics[i] if outcome == "answered" else None
            level = levels[i]
            hour = f"{day}T{hours[i]:02d}:00Z"
            events_rows.append(
                (
                    event_id,
                    hour,
                    day,
                    "private",
                    "free_text",
                    outcome,
                    topic,
                    "0.8-0.9",
                    level,
                    CONCEPTS[serial % len(CONCEPTS)] if level else "",
                    int(outcome == "suggested"),
                    "en",
                    f"{askers[i]:016x}",
                )
            )
            if level:
                concept_rows.append((event_id, day, CONCEPTS[serial % len(CONCEPTS)], level))
            if topic is not None and rolls[i] < 0.1:
                feedback_rows.append((event_id, int(rolls[i] < 0.08), hour, day, topic))
            if outcome in ("suggested", "fallback"):
                phrase = rng.choices(PHRASES, phrase_weights)[0]
                text_rows.append((event_id, "unanswered", day, phrase))
        yield _INSERT_EVENTS, events_rows
        yield _INSERT_CONCEPTS, concept_rows
        yield _INSERT_FEEDBACK, feedback_rows
        yield _INSERT_TEXTS, text_rows


async def _create_schema(path: Path) -> None:
    db = await open_store(path)
    await db.close()


def fill(path: Path, events: int, days: int, seed: int = 7) -> float:
    """Create the database at path with `events` events over the last `days` days; seconds."""
    t0 = time.perf_counter()
    asyncio.run(_create_schema(path))
    con = sqlite3.connect(path, isolation_level=None)
    try:
        # Bulk load: one transaction, no fsync; a benchmark file needs no durability.
        con.execute("PRAGMA synchronous = OFF")
        con.execute("BEGIN")
        for statement, rows in _rows(events, days, seed):
            if rows:
                con.executemany(statement, rows)
        con.execute("UPDATE meta SET value = 42 WHERE key = 'dropped_events'")
        con.execute("COMMIT")
    finally:
        con.close()
    return time.perf_counter() - t0


def _best(runs: int, fn: Callable[[], T]) -> tuple[float, T]:
    """Best wall time of `runs` calls, and the last result."""
    best = float("inf")
    for _ in range(runs):
        t0 = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - t0)
    return best, result


def measure(path: Path, days: int, runs: int) -> dict[str, float]:
    """Seconds for the whole report and its parts, best of `runs` (the first run included)."""
    figures: dict[str, float] = {}
    # A fresh process pays the matplotlib import once: time the first page on its own.
    t0 = time.perf_counter()
    html = asyncio.run(build_report_html(path, days, now=NOW, content_version="bench"))
    figures["report_html_first_s"] = time.perf_counter() - t0
    figures["report_html_bytes"] = len(html.encode())
    figures["report_html_s"], _ = _best(
        runs, lambda: asyncio.run(build_report_html(path, days, now=NOW, content_version="bench"))
    )
    figures["stats_png_s"], png = _best(
        runs, lambda: asyncio.run(build_stats_chart_png(path, days, now=NOW))
    )
    figures["stats_png_bytes"] = len(png)
    figures["read_db_s"], data = _best(
        runs, lambda: asyncio.run(load_report_data(path, days, now=NOW))
    )
    figures["draw_page_s"], _ = _best(runs, lambda: render_page(data))
    figures["draw_png_s"], _ = _best(runs, lambda: render_stats_png(data))
    figures["questions_in_window"] = data.questions
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--days", type=int, default=30, help="days the events spread over")
    parser.add_argument("--report-days", type=int, default=None, help="window (default: --days)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--keep", type=Path, default=None, help="keep the database here")
    args = parser.parse_args(argv)
    report_days = args.report_days or args.days
    with tempfile.TemporaryDirectory(prefix="report-bench-") as tmp:
        path = args.keep or Path(tmp) / "stats.sqlite3"
        if path.exists():
            path.unlink()
        fill_s = fill(path, args.events, args.days)
        size_mb = path.stat().st_size / 1e6
        print(f"filled {args.events:,} events over {args.days} days in {fill_s:.1f} s")
        print(f"database: {size_mb:.0f} MB, report window: {report_days} days ending {NOW:%F}")
        figures = measure(path, report_days, args.runs)
    for key, value in figures.items():
        print(f"  {key:<22} {value:,.3f}" if key.endswith("_s") else f"  {key:<22} {value:,.0f}")
    worst = max(figures["report_html_first_s"], figures["report_html_s"])
    verdict = "OK" if worst < TARGET_SECONDS else "TOO SLOW"
    print(
        f"report over {args.events:,} events: {worst:.2f} s (target < {TARGET_SECONDS} s) {verdict}"
    )
    return 0 if worst < TARGET_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
