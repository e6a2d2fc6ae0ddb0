"""Section 4, statistics: events/s through the recorder's queue into SQLite, and the time of
the operators' /stats summary over a million stored events.

Throughput reuses bench/stats_bench.py: "sustained" offers events at a steady rate above the
target with the loop turning every millisecond, as in the bot; "burst" writes a full queue
at once (the writer's own speed). The /stats figure is StatsRecorder.operator_summary(), the
very call the /stats command makes (7 and 30 days, with its flush and formatting), over a
database filled with synthetic events spread over the last 30 days (the worst case for the
30-day window: every event falls inside it; about a quarter fall inside the 7-day one).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.stats_bench import generate_events, measure_burst, measure_sustained
from bench.suite.figures import Row, fmt_rate, verdict
from tgbot.core.answers import answer_for
from tgbot.core.content import ContentPack
from tgbot.stats.recorder import StatsRecorder
from tgbot.stats.store import open_store

SECTION = "4 statistics"
TARGET_EVENTS_PER_S = 10_000
TARGET_SUMMARY_S = 1.0


async def _summary_times(folder: Path, rows: int, runs: int) -> dict[str, Any]:
    path = folder / "stored.sqlite3"
    db = await open_store(path)  # the store's own schema and migrations
    await db.close()
    generated = generate_events(path, rows, datetime.now(UTC), days=30)
    recorder = StatsRecorder(path)
    await recorder.start()
    times: list[float] = []
    try:
        for _ in range(runs):
            t0 = time.perf_counter()
            text = await recorder.operator_summary()
            times.append(time.perf_counter() - t0)
    finally:
        await recorder.stop()
    return {
        "rows": rows,
        "generate_s": generated,
        "summary_best_s": min(times),
        "summary_worst_s": max(times),
        "summary_lines": len(text.splitlines()),
    }


async def _measure(
    pack: ContentPack, questions: Sequence[str], folder: Path, *, events: int, rows: int
) -> dict[str, Any]:
    answers = [answer_for(q, pack) for q in questions]
    return {
        "sustained": await measure_sustained(folder, answers, events, rate=12_000),
        "burst": await measure_burst(folder, answers, min(events, 10_000)),
        "stats_command": await _summary_times(folder, rows, runs=3),
    }


def run(
    pack: ContentPack, questions: Sequence[str], folder: Path, *, events: int, rows: int
) -> tuple[dict[str, Any], list[Row]]:
    results = asyncio.run(_measure(pack, questions, folder, events=events, rows=rows))
    s, b, q = results["sustained"], results["burst"], results["stats_command"]
    rows_out = [
        Row(
            SECTION,
            f"sustained: {s['offered']:,} offered at {s['offered_per_s']:,}/s, stored/s",
            f"{fmt_rate(s['events_per_s'], 'events')} ({s['dropped']:,} dropped)",
            f">= {TARGET_EVENTS_PER_S:,}/s",
            verdict(s["events_per_s"] >= TARGET_EVENTS_PER_S and not s["dropped"]),
        ),
        Row(
            SECTION,
            f"burst: a queue of {b['stored']:,} written, events/s",
            fmt_rate(b["events_per_s"], "events"),
        ),
        Row(
            SECTION,
            f"/stats summary over {q['rows']:,} events: best / worst of 3",
            f"{q['summary_best_s']:.3f} s / {q['summary_worst_s']:.3f} s",
            f"< {TARGET_SUMMARY_S:g} s",
            verdict(q["summary_worst_s"] < TARGET_SUMMARY_S),
        ),
    ]
    return results, rows_out
