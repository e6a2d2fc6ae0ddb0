"""Section 3, over HTTP: the real bot process (`python bot.py`) long-polling the project's fake
Bot API server on 127.0.0.1, with N parents asking at once.

Each of the N concurrent "users" writes a question, waits for the bot's first sendMessage in
its chat, and then the next parent takes its place (a new user: parents mostly ask once, and
the flood guard rightly slows one user who asks many questions a minute). Latency runs from
the moment the update is queued on the server to the moment the server receives the bot's
sendMessage. Throughput is answered questions per second of wall time.

The bot runs twice: as in production, with the outbox pacing its sends (which keeps a bot within
Telegram's ~30 messages/s and so caps this figure by design), and with BENCH_NO_RATE_LIMIT=1
to show what the bot itself could do. Telegram's own limit for one bot, about 30 messages/s,
is the ceiling that matters in production.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench.suite.figures import Row, fmt_ms, fmt_rate, ms, percentile, verdict
from tests.fakebotapi import FakeBotApi, Mark

SECTION = "3 over HTTP"
REPO = Path(__file__).resolve().parents[2]
TELEGRAM_LIMIT = 30.0  # messages/s one bot may send (Telegram's broadcast limit)
BOT_USERNAME = "BenchHelpBot"
START_TIMEOUT = 30.0
STALL_SECONDS = 15.0  # a question unanswered this long is counted lost, and the user moves on


class BotUnderTest:
    """`python bot.py` with a clean environment pointed at the fake server, logging to a file."""

    def __init__(self, api: FakeBotApi, workdir: Path, *, rate_limited: bool) -> None:
        self.api = api
        self.workdir = workdir
        self.log_path = workdir / "bot.log"
        self.rate_limited = rate_limited
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(self.workdir),
            "LANG": "C.UTF-8",
            "NO_PROXY": "*",  # loopback must never go through a proxy
            **self.api.bot_env(),
            "BOT_MODE": "polling",
            "STATS_DB_PATH": str(self.workdir / "data" / "stats.sqlite3"),
            "LOG_LEVEL": "INFO",
            "BENCH_NO_RATE_LIMIT": "0" if self.rate_limited else "1",
        }
        mark = self.api.mark()
        self.workdir.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "bot.py"],
                cwd=REPO,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
            )

        def polling() -> bool:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError("the bot exited at start:\n" + self.log_tail())
            return any(c.params.get("timeout") for c in self.api.calls("getUpdates", since=mark))

        self.api.wait_for(polling, START_TIMEOUT, what="the bot to long-poll")

    def stop(self) -> int | None:
        process = self.process
        if process is None:
            return None
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(5)
        return process.returncode

    def log_tail(self, lines: int = 30) -> str:
        text = self.log_path.read_text(encoding="utf-8", errors="replace")
        return "\n".join(text.splitlines()[-lines:])


def _load(api: FakeBotApi, questions: Sequence[str], users: int, total: int) -> dict[str, Any]:
    """Keep `users` questions in flight until `total` are answered (or the time runs out)."""
    inflight: dict[int, float] = {}  # chat id -> monotonic time the question was queued
    latencies: list[float] = []
    asked = lost = 0
    cursor = api.mark().calls
    start_mark = api.mark()

    def ask() -> None:
        nonlocal asked
        user = api.user(f"Parent{asked}", language_code="en")
        question = questions[asked % len(questions)]
        asked += 1
        inflight[user.id] = time.monotonic()
        api.send_text(user, question)

    first = time.monotonic()
    for _ in range(min(users, total)):
        ask()
    last_answer = first
    deadline = first + max(60.0, total / 5.0)  # bounded: even at 5 answers/s it ends
    while len(latencies) + lost < total and time.monotonic() < deadline:
        seen = cursor

        def new_calls(since: int = seen) -> list[Any] | None:
            return api.calls(since=Mark(calls=since, messages=0)) or None

        try:
            calls = api.wait_for(new_calls, timeout=1.0, what="bot calls")
        except TimeoutError:
            calls = []
        cursor += len(calls)
        for call in calls:
            if call.method != "sendMessage":
                continue
            sent_at = inflight.pop(int(call.params.get("chat_id", 0)), None)
            if sent_at is None:
                continue  # a later part of a long answer, or an answer already counted
            latencies.append(call.started - sent_at)
            last_answer = max(last_answer, call.started)
            if asked < total:
                ask()
        now = time.monotonic()
        for chat_id, sent_at in list(inflight.items()):
            if now - sent_at > STALL_SECONDS:
                del inflight[chat_id]
                lost += 1
                if asked < total:
                    ask()
    failed = sum(1 for c in api.calls("sendMessage", since=start_mark) if c.done and not c.ok)
    elapsed = max(last_answer - first, 1e-9)
    return {
        "users": users,
        "asked": asked,
        "answered": len(latencies),
        "lost": lost + len(inflight),
        "failed_sends": failed,
        "seconds": elapsed,
        "answered_per_s": len(latencies) / elapsed,
        "p50_ms": ms(percentile(latencies, 0.50)),
        "p95_ms": ms(percentile(latencies, 0.95)),
        "p99_ms": ms(percentile(latencies, 0.99)),
    }


def _one_variant(
    questions: Sequence[str], folder: Path, *, rate_limited: bool, users: int, total: int
) -> dict[str, Any]:
    with FakeBotApi(bot_username=BOT_USERNAME) as api:
        bot = BotUnderTest(api, folder, rate_limited=rate_limited)
        try:
            bot.start()
            _load(api, questions, min(users, 5), min(10, total))  # warm-up, not counted
            figures = _load(api, questions, users, total)
        finally:
            code = bot.stop()
        figures["exit_code"] = code
        if figures["answered"] == 0:
            raise RuntimeError("no answers over HTTP; bot log:\n" + bot.log_tail())
    return figures


def run(
    questions: Sequence[str],
    folder: Path,
    *,
    users: int,
    limited_total: int,
    unlimited_total: int,
) -> tuple[dict[str, Any], list[Row]]:
    """Both variants in one run: rate-limited (production) and unlimited (capacity)."""
    texts = [q.replace("HelperBot", BOT_USERNAME) for q in questions]
    results: dict[str, Any] = {
        "rate_limited": _one_variant(
            texts, folder / "limited", rate_limited=True, users=users, total=limited_total
        ),
        "unlimited": _one_variant(
            texts, folder / "unlimited", rate_limited=False, users=users, total=unlimited_total
        ),
        "telegram_limit_per_s": TELEGRAM_LIMIT,
    }
    return results, _rows(results)


def _rows(results: dict[str, Any]) -> list[Row]:
    rows: list[Row] = []
    for key, label in (
        ("rate_limited", "with AIORateLimiter (production)"),
        ("unlimited", "BENCH_NO_RATE_LIMIT=1 (capacity)"),
    ):
        f = results[key]
        rows.append(
            Row(
                SECTION,
                f"{label}, {f['users']} users: answered/s",
                f"{fmt_rate(f['answered_per_s'], 'answers')} ({f['answered']:,} answered, "
                f"{f['lost']} lost)",
                f">= {TELEGRAM_LIMIT:g}/s (Telegram's limit)" if key == "unlimited" else "",
                verdict(f["answered_per_s"] >= TELEGRAM_LIMIT) if key == "unlimited" else "",
            )
        )
        rows.append(
            Row(
                SECTION,
                f"{label}: latency p50 / p95 / p99",
                f"{fmt_ms(f['p50_ms'])} / {fmt_ms(f['p95_ms'])} / {fmt_ms(f['p99_ms'])}",
            )
        )
    return rows
