"""Section 1, the matcher: per-question latency and questions/s with the real content and
with synthetic catalogues, index build time and memory at each size, and how cost grows.

Latency is one `TopicIndex.match()` call, timed alone; the question set is the dev set (real
parents' messages) plus, for a synthetic catalogue, questions written from its own topics
with slips. The first pass runs on a cold correction cache and is reported apart ("cold");
the figures against the targets are the warm passes after it, as a running bot sees them.
Memory is what tracemalloc sees allocated by building the index (the topics themselves
excluded), measured in a separate build so tracing does not slow the timed one.
"""

from __future__ import annotations

import gc
import json
import time
import tracemalloc
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench.suite.figures import Row, fmt_mb, fmt_ms, fmt_rate, ms, percentile, verdict
from bench.suite.synthetic import build_lexicon, synthetic_catalogue
from tgbot.core.content import ContentPack
from tgbot.core.matching import TopicIndex, Vocabulary
from tgbot.core.model import Topic

SECTION = "1 matcher"
DEV_SET = Path(__file__).resolve().parents[3] / "shared" / "eval" / "dev.jsonl"
BOT_NAME = "HelperBot"
FALLBACK_QUESTIONS = (
    "why does my baby twitch in her sleep",
    "my newborn is jittery when crying, is that normal?",
    "what do infantile spasms look like",
    "she went blue and is jerking",
    "is myoclonus the same as epilepsy",
    "which pram is best for jogging",
    "my 4 month old jerks his arms in clusters when he wakes up, should I worry?",
    "🍼🍼",
)
TARGET_P99_MS = 1.0  # at 1,000 topics
GROWTH_LIMIT = 1.0  # cost ratio / topic ratio: 1.0 is linear


def dev_questions() -> tuple[list[str], str]:
    """The dev set's messages (read at run time), or a few built-in ones when it is absent."""
    if DEV_SET.is_file():
        lines = DEV_SET.read_text(encoding="utf-8").splitlines()
        texts = [json.loads(line)["text"].replace("{bot}", BOT_NAME) for line in lines if line]
        return texts, str(DEV_SET)
    return list(FALLBACK_QUESTIONS), "built-in questions (dev set not found)"


def time_matches(index: TopicIndex, questions: Sequence[str], rounds: int) -> dict[str, float]:
    """Cold first pass, then `rounds` warm passes: percentiles in ms and questions/s."""
    cold: list[float] = []
    for question in questions:
        t0 = time.perf_counter()
        index.match(question)
        cold.append(time.perf_counter() - t0)
    warm: list[float] = []
    gc.collect()
    for _ in range(rounds):
        for question in questions:
            t0 = time.perf_counter()
            index.match(question)
            warm.append(time.perf_counter() - t0)
    return {
        "questions": len(questions),
        "timed_calls": len(warm),
        "p50_ms": ms(percentile(warm, 0.50)),
        "p99_ms": ms(percentile(warm, 0.99)),
        "max_ms": ms(max(warm)),
        "questions_per_s": len(warm) / sum(warm),
        "cold_p50_ms": ms(percentile(cold, 0.50)),
        "cold_p99_ms": ms(percentile(cold, 0.99)),
    }


def build_figures(topics: Sequence[Topic], vocabulary: Vocabulary) -> dict[str, float]:
    """Build time (best of two untraced builds) and traced memory of one more build."""
    times = []
    for _ in range(2):
        gc.collect()
        t0 = time.perf_counter()
        TopicIndex(topics, vocabulary)
        times.append(time.perf_counter() - t0)
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        index = TopicIndex(topics, vocabulary)
        after = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    del index
    return {"build_s": min(times), "index_bytes": after - before}


def run(
    pack: ContentPack, *, sizes: Sequence[int], rounds: int
) -> tuple[dict[str, Any], list[Row]]:
    """Measure the real content's index and synthetic ones of the given sizes."""
    questions, source = dev_questions()
    vocabulary = pack.index.vocabulary
    real_topics = list(pack.topics.values())
    results: dict[str, Any] = {"questions_source": source, "rounds": rounds, "sizes": {}}
    real = time_matches(pack.index, questions, rounds)
    real.update(build_figures(real_topics, vocabulary))
    real["topics"] = len(real_topics)
    results["real"] = real
    lexicon = build_lexicon(pack)
    results["lexicon"] = lexicon.source
    for size in sizes:
        catalogue = synthetic_catalogue(size, lexicon)
        figures = build_figures(catalogue.topics, vocabulary)
        index = TopicIndex(catalogue.topics, vocabulary)
        asked = [q for q, _ in catalogue.queries]
        figures.update(time_matches(index, [*asked, *questions], rounds))
        hits = sum(
            1 for q, want in catalogue.queries if (r := index.rank(q, 1)) and r[0].topic_id == want
        )
        figures["hit_at_1"] = hits / len(catalogue.queries) if catalogue.queries else float("nan")
        figures["topics"] = size
        results["sizes"][str(size)] = figures
        del index, catalogue
        gc.collect()
    small, large = min(sizes), max(sizes)
    a, b = results["sizes"][str(small)], results["sizes"][str(large)]
    topic_ratio = large / small
    growth = {
        "topic_ratio": topic_ratio,
        "p50_ratio": b["p50_ms"] / a["p50_ms"],
        "p99_ratio": b["p99_ms"] / a["p99_ms"],
        "build_ratio": b["build_s"] / a["build_s"],
        "memory_ratio": b["index_bytes"] / a["index_bytes"],
    }
    results["growth"] = growth
    return results, _rows(results, sizes)


def _rows(results: dict[str, Any], sizes: Sequence[int]) -> list[Row]:
    rows: list[Row] = []
    real = results["real"]
    rows.append(
        Row(
            SECTION,
            f"real content ({real['topics']} topics): p50 / p99",
            f"{fmt_ms(real['p50_ms'])} / {fmt_ms(real['p99_ms'])}",
        )
    )
    rows.append(
        Row(SECTION, "real content: questions/s", fmt_rate(real["questions_per_s"], "questions"))
    )
    for size in sizes:
        f = results["sizes"][str(size)]
        p99_target = size == 1000
        rows.append(
            Row(
                SECTION,
                f"{size:,} topics: p50 / p99 (cold p99)",
                f"{fmt_ms(f['p50_ms'])} / {fmt_ms(f['p99_ms'])} ({fmt_ms(f['cold_p99_ms'])})",
                f"p99 <= {TARGET_P99_MS:g} ms" if p99_target else "",
                verdict(f["p99_ms"] <= TARGET_P99_MS) if p99_target else "",
            )
        )
        rows.append(
            Row(
                SECTION,
                f"{size:,} topics: questions/s, hit@1",
                f"{fmt_rate(f['questions_per_s'], 'questions')}, {f['hit_at_1']:.2f}",
            )
        )
        rows.append(
            Row(
                SECTION,
                f"{size:,} topics: index build, memory",
                f"{f['build_s']:.2f} s, {fmt_mb(f['index_bytes'])}",
            )
        )
    g = results["growth"]
    limit = g["topic_ratio"] * GROWTH_LIMIT
    worst = max(g["p50_ratio"], g["p99_ratio"])
    rows.append(
        Row(
            SECTION,
            f"growth x{g['topic_ratio']:g} topics: p50 / p99 cost",
            f"x{g['p50_ratio']:.1f} / x{g['p99_ratio']:.1f}",
            f"<= x{limit:g} (linear)",
            verdict(worst <= limit),
        )
    )
    rows.append(
        Row(
            SECTION,
            "growth: build time / index memory",
            f"x{g['build_ratio']:.1f} / x{g['memory_ratio']:.1f}",
        )
    )
    return rows
