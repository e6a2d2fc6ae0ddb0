"""Section 2, the whole pipeline: a realistic mix of updates through Application.process_update
for our bot (statistics on and off) and for a bare python-telegram-bot echo bot, side by side.

Like with like: both are built with ApplicationBuilder, the same offline BaseRequest (valid
Bot API JSON at once, no network), the same concurrency setting and no rate limiter (the
limiter caps every bot at ~30 messages/s by design, which would measure its sleeps, not the
code; section 3 reports the limited figure over HTTP). Our bot is built by
tgbot.channels.telegram.app's own builder and handler registration, logs at INFO as in production
(to a null stream), and with statistics on writes a temporary SQLite file through the real
recorder, flushed inside the timed run. Each update is parsed from JSON (Update.de_json) in
the timed loop, as the bot does with getUpdates, and the loop yields once per update, as a
bot's event loop turns between updates. Rounds alternate the order of the bots; the median
round counts, since the machine is shared and noisy.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import os
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from telegram import Update
from telegram.ext import ContextTypes

from bench.suite.figures import Row, fmt_rate, median, verdict
from bench.suite.offline import (
    BOT_USERNAME,
    TOKEN,
    EchoApplication,
    OfflineBotApi,
    build_echo_bot,
    update_mix,
)
from tgbot.channels.telegram.app import build_application, build_services
from tgbot.config import Settings
from tgbot.core.content import ContentLibrary
from tgbot.logsafety import configure_logging
from tgbot.stats.recorder import StatsRecorder

SECTION = "2 pipeline"
TARGET_RATIO = 0.7
VARIANTS = ("echo", "ours_stats_off", "ours_stats_on")
LABELS = {
    "echo": "bare PTB echo bot",
    "ours_stats_off": "our bot, statistics off",
    "ours_stats_on": "our bot, statistics on",
}


async def _drive(app: EchoApplication, updates: Sequence[dict[str, Any]]) -> None:
    bot = app.bot
    for data in updates:
        await app.process_update(Update.de_json(data, bot))
        await asyncio.sleep(0)  # a turn of the loop: background tasks (the stats writer) run


async def _one_run(
    variant: str,
    library: ContentLibrary,
    folder: Path,
    warmup: Sequence[dict[str, Any]],
    timed: Sequence[dict[str, Any]],
) -> dict[str, Any]:
    request = OfflineBotApi()
    recorder: StatsRecorder | None = None
    app: EchoApplication
    if variant == "echo":
        app = build_echo_bot(request)
    else:
        settings = Settings(
            token=TOKEN,
            stats_enabled=variant == "ours_stats_on",
            stats_db_path=folder / f"stats-{time.monotonic_ns()}.sqlite3",
            group_settings_path=folder / "groups.json",
            operator_ids=frozenset({4242}),
            rate_limited=False,
        )
        services = build_services(settings, library)
        if isinstance(services.stats, StatsRecorder):
            recorder = services.stats
        app = build_application(settings, services, request=request, with_updater=False)
    errors: list[str] = []

    async def count_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        errors.append(type(context.error).__name__)

    app.add_error_handler(count_error)
    async with app:
        if app.post_init is not None:
            await app.post_init(app)  # as run_polling does: statistics start, menus are set
        try:
            await _drive(app, warmup)
            if recorder is not None:
                await recorder.flush()
            request.calls.clear()
            gc.collect()
            t0 = time.perf_counter()
            await _drive(app, timed)
            if recorder is not None:
                await recorder.flush()  # the run ends when its events are in SQLite
            elapsed = time.perf_counter() - t0
        finally:
            if app.post_shutdown is not None:
                await app.post_shutdown(app)
    written = recorder.status().written if recorder is not None else 0
    return {
        "updates_per_s": len(timed) / elapsed,
        "seconds": elapsed,
        "api_calls_per_update": sum(request.calls.values()) / len(timed),
        "handler_errors": len(errors),
        "stats_events_written": written,
    }


async def _measure(
    library: ContentLibrary, questions: Sequence[str], updates: int, rounds: int
) -> dict[str, Any]:
    pack = library.default
    texts = [q.replace("HelperBot", BOT_USERNAME) for q in questions]
    timed = update_mix(updates, pack, texts)
    warmup = update_mix(min(500, max(50, updates // 10)), pack, texts, seed=99)
    runs: dict[str, list[dict[str, Any]]] = {v: [] for v in VARIANTS}
    with tempfile.TemporaryDirectory(prefix="bench-pipeline-") as tmp:
        for r in range(rounds):
            order = VARIANTS[r % 3 :] + VARIANTS[: r % 3]  # each bot goes first in turn
            for variant in order:
                runs[variant].append(await _one_run(variant, library, Path(tmp), warmup, timed))
    results: dict[str, Any] = {"updates": updates, "rounds": rounds, "warmup_updates": len(warmup)}
    for variant in VARIANTS:
        rates = [run["updates_per_s"] for run in runs[variant]]
        results[variant] = {
            "updates_per_s": median(rates),
            "rounds_updates_per_s": rates,
            "api_calls_per_update": runs[variant][0]["api_calls_per_update"],
            "handler_errors": sum(run["handler_errors"] for run in runs[variant]),
            "stats_events_written": runs[variant][0]["stats_events_written"],
        }
    echo = results["echo"]["updates_per_s"]
    for variant in ("ours_stats_off", "ours_stats_on"):
        results[variant]["ratio_to_echo"] = results[variant]["updates_per_s"] / echo
        # The same ratio round by round (paired runs), for a view of the noise.
        results[variant]["rounds_ratio_to_echo"] = [
            a["updates_per_s"] / b["updates_per_s"]
            for a, b in zip(runs[variant], runs["echo"], strict=True)
        ]
    return results


def run(
    library: ContentLibrary, questions: Sequence[str], *, updates: int, rounds: int
) -> tuple[dict[str, Any], list[Row]]:
    """Run the rounds with production-like logging (INFO, to a null stream), then restore it."""
    root = logging.getLogger()
    saved = (list(root.handlers), root.level)
    with open(os.devnull, "w", encoding="utf-8") as sink:
        configure_logging("INFO", (TOKEN,), stream=sink)
        try:
            results = asyncio.run(_measure(library, questions, updates, rounds))
        finally:
            for handler in list(root.handlers):
                root.removeHandler(handler)
            for handler in saved[0]:
                root.addHandler(handler)
            root.setLevel(saved[1])
    results["build"] = (
        "ApplicationBuilder, same OfflineBotApi request class, concurrent_updates(64), "
        "no rate limiter, updater(None); process_update sequentially"
    )
    return results, _rows(results)


def _rows(results: dict[str, Any]) -> list[Row]:
    n = results["updates"]
    rows = [
        Row(
            SECTION,
            f"{LABELS['echo']} ({n:,} updates, median of {results['rounds']})",
            fmt_rate(results["echo"]["updates_per_s"], "updates"),
        )
    ]
    for variant in ("ours_stats_off", "ours_stats_on"):
        figures = results[variant]
        rows.append(
            Row(
                SECTION,
                f"{LABELS[variant]}: updates/s (ratio to echo)",
                f"{fmt_rate(figures['updates_per_s'], 'updates')} ({figures['ratio_to_echo']:.2f})",
                f">= {TARGET_RATIO:g} of echo",
                verdict(figures["ratio_to_echo"] >= TARGET_RATIO),
            )
        )
    calls = ", ".join(
        f"{results[v]['api_calls_per_update']:.2f}" for v in ("echo", "ours_stats_on")
    )
    rows.append(Row(SECTION, "Bot API calls per update: echo, ours", calls))
    errors = sum(results[v]["handler_errors"] for v in VARIANTS)
    if errors:
        rows.append(Row(SECTION, "handler errors during the runs", str(errors), "0", "MISSED"))
    return rows
