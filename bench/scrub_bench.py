"""Benchmark of the stored-text scrubber: loading its vocabulary, and scrubbing one text.

    .venv/bin/python bench/scrub_bench.py [--rounds 5]

Prints the vocabulary's load time and memory, and the time to scrub a text (median, p99,
worst) over the dev questions and the tune part of the PII corpus, and what a slice of the
recorder's writer (recorder._SCRUB_SLICE texts between two turns of the event loop) costs.
Target: a slice within 20 ms, so a burst of kept texts never holds up a reply for long.
Figures only; it is not a test.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tgbot.stats import recorder  # noqa: E402
from tgbot.stats.scrub import scrub  # noqa: E402
from tgbot.stats.vocabulary import vocabulary  # noqa: E402

DEV_SET = REPO.parent / "shared" / "eval" / "dev.jsonl"
TUNE = REPO / "tests" / "pii_corpus" / "tune.jsonl"
SLICE_TARGET_MS = 20.0


def _texts(path: Path) -> list[str]:
    if not path.is_file():
        return []
    return [json.loads(line)["text"] for line in path.read_text("utf-8").splitlines() if line]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(argv)

    tracemalloc.start()
    started = time.perf_counter()
    vocabulary()
    load_s = time.perf_counter() - started
    memory_mb = tracemalloc.get_traced_memory()[0] / 1e6
    tracemalloc.stop()
    print(f"vocabulary: loaded in {load_s:.2f} s, {memory_mb:.1f} MB")

    worst_slice = 0.0
    for name, texts in (("dev questions", _texts(DEV_SET)), ("PII corpus (tune)", _texts(TUNE))):
        if not texts:
            print(f"{name}: not found, skipped")
            continue
        times = []
        for _ in range(args.rounds):
            for text in texts:
                t = time.perf_counter()
                scrub(text)
                times.append((time.perf_counter() - t) * 1000)
        times.sort()
        p99 = times[int(len(times) * 0.99) - 1]
        slice_ms = p99 * recorder._SCRUB_SLICE
        worst_slice = max(worst_slice, slice_ms)
        print(
            f"{name}: {len(texts)} texts, median {statistics.median(times):.2f} ms, "
            f"p99 {p99:.2f} ms, worst {times[-1]:.2f} ms; a writer slice of "
            f"{recorder._SCRUB_SLICE} at p99: {slice_ms:.1f} ms"
        )
    verdict = "met" if worst_slice <= SLICE_TARGET_MS else "MISSED"
    print(f"target: a writer slice within {SLICE_TARGET_MS:.0f} ms: {verdict}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
