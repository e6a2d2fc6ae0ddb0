"""Benchmark of the statistics: queue-to-SQLite throughput, answering latency with statistics
on vs. off (side by side in one run), and the report query over a million stored events.

    .venv/bin/python bench/stats_bench.py [--events 60000] [--rate 12000] [--rounds 30]
        [--rows 1000000]

Targets: >= 10,000 events/s; latency with statistics within 10% of without; the summary of
a million events in < 1 s. Prints figures; it is not a test. Everything goes to a temporary
folder that is removed afterwards.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tgbot.config import Settings  # noqa: E402
from tgbot.core.answers import Answer, answer_for  # noqa: E402
from tgbot.core.content import ContentPack, load_content  # noqa: E402
from tgbot.stats.events import AskPath, Channel  # noqa: E402
from tgbot.stats.queries import summary  # noqa: E402
from tgbot.stats.recorder import StatsRecorder  # noqa: E402
from tgbot.stats.service import NullStats, StatsService  # noqa: E402
from tgbot.stats.store import open_reader, open_store  # noqa: E402

DEV_SET = REPO.parent / "shared" / "eval" / "dev.jsonl"
FALLBACK_QUESTIONS = (
    "why does my baby twitch in her sleep",
    "my newborn is jittery when crying, is that normal?",
    "what do infantile spasms look like",
    "she went blue and is jerking",
    "which pram is best for jogging",
    "is myoclonus the same as epilepsy",
    "my name is Anna, call me on 07700 900123, what is a myoclonic jerk",
    "🍼🍼",
)
PRIVATE = {"channel": Channel.PRIVATE, "path": AskPath.FREE_TEXT}
# The bot's own default (no question texts); bench/scrub_bench.py measures the opt-in scrubber.
STORE_TEXT = Settings().stats_store_text


def _questions() -> list[str]:
    if DEV_SET.is_file():
        lines = DEV_SET.read_text(encoding="utf-8").splitlines()
        return [json.loads(line)["text"] for line in lines if line.strip()]
    return list(FALLBACK_QUESTIONS)


# -- 1. throughput -----------------------------------------------------------------------


def _stored(path: Path) -> tuple[int, int]:
    with closing(sqlite3.connect(path)) as conn:
        events = conn.execute("SELECT COUNT(*) FROM events").fetchone()[0]
        dropped = conn.execute("SELECT value FROM meta WHERE key = 'dropped_events'").fetchone()
    return int(events), int(dropped[0])


async def measure_sustained(
    folder: Path, answers: Sequence[Answer], events: int, rate: int
) -> dict[str, float]:
    """Events offered at a steady rate, yielding every millisecond the way a bot's loop turns
    between updates, while the writer flushes in the background; stored events/s."""
    path = folder / "sustained.sqlite3"
    rec = StatsRecorder(path, store_text=STORE_TEXT)
    await rec.start()
    loop = asyncio.get_running_loop()
    start = loop.time()
    sent = 0
    while sent < events:
        due = min(events, int((loop.time() - start) * rate) + 1)
        while sent < due:
            rec.record_answer(answers[sent % len(answers)], user_id=sent % 5_000, **PRIVATE)
            sent += 1
        await asyncio.sleep(0.001)
    await rec.flush()
    elapsed = loop.time() - start
    await rec.stop()
    stored, dropped = _stored(path)
    return {
        "offered": events,
        "offered_per_s": rate,
        "stored": stored,
        "dropped": dropped,
        "seconds": elapsed,
        "events_per_s": stored / elapsed,
    }


async def measure_burst(folder: Path, answers: Sequence[Answer], events: int) -> dict[str, float]:
    """A full queue waiting, then written: the writer's own speed, stored events/s."""
    path = folder / "burst.sqlite3"
    rec = StatsRecorder(path, flush_interval=3600, store_text=STORE_TEXT)
    await rec.start()
    for i in range(events):
        rec.record_answer(answers[i % len(answers)], user_id=i, **PRIVATE)
    start = time.perf_counter()
    await rec.flush()
    elapsed = time.perf_counter() - start
    await rec.stop()
    stored, dropped = _stored(path)
    return {
        "stored": stored,
        "dropped": dropped,
        "seconds": elapsed,
        "events_per_s": stored / elapsed,
    }


async def throughput(folder: Path, answers: Sequence[Answer], events: int, rate: int) -> None:
    print("1. Throughput through the queue into SQLite (default recorder settings)")
    s = await measure_sustained(folder, answers, events, rate)
    print(
        f"   sustained: {events:,} offered at {rate:,}/s; {s['stored']:,} stored, "
        f"{s['dropped']:,} dropped in {s['seconds']:.2f} s: {s['events_per_s']:,.0f} events/s"
        "  (target >= 10,000/s)"
    )
    # A full queue (10,000 events) is the most the recorder holds.
    b = await measure_burst(folder, answers, 10_000)
    stored, dropped, elapsed = b["stored"], b["dropped"], b["seconds"]
    print(
        f"   burst: a full queue of {stored:,} events written in {elapsed:.3f} s: "
        f"{stored / elapsed:,.0f} events/s ({dropped} dropped)"
    )


# -- 2. answering latency, statistics on vs. off -----------------------------------------


def _time_one(service: StatsService, question: str, pack: ContentPack, user_id: int) -> int:
    t0 = time.perf_counter_ns()
    answer = answer_for(question, pack)
    service.record_answer(answer, user_id=user_id, **PRIVATE)
    return time.perf_counter_ns() - t0


async def latency(folder: Path, pack: ContentPack, questions: Sequence[str], rounds: int) -> None:
    on = StatsRecorder(folder / "latency.sqlite3", store_text=STORE_TEXT)
    off = NullStats()
    await on.start()
    for q in questions:  # warm caches (stemmer, regexes) for both sides alike
        _time_one(off, q, pack, 1)
        _time_one(on, q, pack, 1)
    times: dict[str, list[int]] = {"off": [], "on": []}
    for r in range(rounds):
        for i, q in enumerate(questions):
            # Alternate which side goes first so drift and cache effects fall on both.
            order = (("on", on), ("off", off)) if (r + i) % 2 else (("off", off), ("on", on))
            for name, service in order:
                times[name].append(_time_one(service, q, pack, 10_000 + i))
            await asyncio.sleep(0)  # let the writer flush in the background, as in the bot
    await on.stop()

    def describe(ns: list[int]) -> tuple[float, float, float]:
        us = sorted(n / 1000 for n in ns)
        return statistics.median(us), statistics.fmean(us), us[int(len(us) * 0.95)]

    off_med, off_mean, off_p95 = describe(times["off"])
    on_med, on_mean, on_p95 = describe(times["on"])
    print("2. Answering latency: answer_for + record_answer, statistics on vs. off")
    print(f"   {len(questions)} questions x {rounds} rounds, interleaved in one run")
    for label, (med, mean, p95) in (
        ("off (NullStats):    ", (off_med, off_mean, off_p95)),
        ("on  (StatsRecorder):", (on_med, on_mean, on_p95)),
    ):
        print(f"   {label} median {med:7.1f} us  mean {mean:7.1f} us  p95 {p95:7.1f} us")
    print(
        f"   overhead: median {100 * (on_med / off_med - 1):+.1f}%  "
        f"mean {100 * (on_mean / off_mean - 1):+.1f}%  (target within 10%)"
    )


# -- 3. the report over a million events -------------------------------------------------

TOPICS = (
    "sleep-twitching",
    "newborn-jitters",
    "infantile-spasms",
    "when-to-see-doctor",
    "seizure-first-aid",
    "what-is-myoclonus",
    "myoclonus-everyday",
    "myoclonic-jerk-vs-seizure",
)
CONCEPTS = (("not-breathing", "emergency"), ("blue-colour", "emergency"), ("fever", "urgent"))


def generate_events(path: Path, rows: int, now: datetime, days: int) -> float:
    """Insert `rows` events spread over the last `days` days with executemany; seconds taken."""
    rng = random.Random(4)
    hours = [now - timedelta(hours=h) for h in range(days * 24)]
    stamps = [(h.strftime("%Y-%m-%d"), h.strftime("%Y-%m-%dT%H:00Z")) for h in hours]
    askers = [f"{n:016x}" for n in range(3_000)]
    start = time.perf_counter()
    with closing(sqlite3.connect(path)) as conn:
        conn.execute("PRAGMA synchronous = OFF")
        chunk = 50_000
        for offset in range(0, rows, chunk):
            events, concepts, feedback, texts = [], [], [], []
            for n in range(offset, min(rows, offset + chunk)):
                day, hour = stamps[rng.randrange(len(stamps))]
                event_id = f"{n:012x}"
                roll = rng.random()
                outcome = "answered" if roll < 0.75 else "suggested" if roll < 0.85 else "fallback"
                topic = rng.choice(TOPICS) if outcome == "answered" else None
                level = concept = None
                if roll < 0.075:  # one answered event in ten carries a red flag
                    concept, level = CONCEPTS[n % len(CONCEPTS)]
                    concepts.append((event_id, day, concept, level))
                events.append(
                    (event_id, hour, day, "private", "free_text", outcome, topic, "0.7-0.8",
                     level, concept or "", int(outcome == "suggested"), "en",
                     askers[rng.randrange(len(askers))])
                )  # fmt: skip
                if topic and rng.random() < 0.05:
                    feedback.append((event_id, int(rng.random() < 0.8), hour, day, topic))
                if outcome != "answered":
                    texts.append((event_id, "unanswered", day, f"question {rng.randrange(500)}"))
            with conn:
                conn.executemany(
                    "INSERT INTO events VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", events
                )
                conn.executemany("INSERT INTO event_concepts VALUES (?, ?, ?, ?)", concepts)
                conn.executemany("INSERT INTO feedback VALUES (?, ?, ?, ?, ?)", feedback)
                conn.executemany("INSERT INTO questions_text VALUES (?, ?, ?, ?)", texts)
    return time.perf_counter() - start


async def report_query(folder: Path, rows: int) -> None:
    path = folder / "million.sqlite3"
    db = await open_store(path)
    await db.close()
    now = datetime.now(UTC)
    # Worst case for the 30-day window: every event falls inside it.
    generated = generate_events(path, rows, now, days=30)
    print("3. Report query over stored events")
    print(f"   generated {rows:,} events over the last 30 days in {generated:.1f} s")
    db = await open_reader(path)
    try:
        for days in (30, 7):
            timings = []
            for _ in range(3):
                t0 = time.perf_counter()
                s = await summary(db, days, now)
                timings.append(time.perf_counter() - t0)
            print(
                f"   summary over {days:2d} days ({s.questions:,} questions): "
                f"best {min(timings):.3f} s, worst {max(timings):.3f} s  (target < 1 s)"
            )
        t0 = time.perf_counter()
        await summary(db, 7, now)
        await summary(db, 30, now)
        print(f"   /stats (7 + 30 days together): {time.perf_counter() - t0:.3f} s")
    finally:
        await db.close()


async def main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=60_000)
    parser.add_argument("--rate", type=int, default=12_000, help="offered events/s")
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args(argv)
    pack = load_content().default
    questions = _questions()
    answers = [answer_for(q, pack) for q in questions]
    print(f"Python {sys.version.split()[0]}, SQLite {sqlite3.sqlite_version}\n")
    with tempfile.TemporaryDirectory(prefix="stats-bench-") as tmp:
        folder = Path(tmp)
        await throughput(folder, answers, args.events, args.rate)
        print()
        await latency(folder, pack, questions, args.rounds)
        print()
        await report_query(folder, args.rows)
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main(sys.argv[1:])))
