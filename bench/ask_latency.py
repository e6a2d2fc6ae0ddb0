"""How fast `python -m tgbot ask --jsonl` answers, one question at a time, after loading.

Sends each question, waits for its JSON line (lockstep, like the evaluation does), and prints
the start-up time and per-question mean / p50 / p99 in milliseconds.

    python -m bench.ask_latency [--rounds N]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEV_SET = REPO.parent / "shared" / "eval" / "dev.jsonl"
FALLBACK_QUESTIONS = [
    "what is myoclonus",
    "my newborn is jittery when she cries, is that normal",
    "why does my baby twitch in his sleep",
    "what do infantile spasms look like",
    "he is not breathing and has gone blue",
    "how much formula for a 2 month old",
]


def questions() -> list[str]:
    if DEV_SET.exists():
        lines = DEV_SET.read_text(encoding="utf-8").splitlines()
        return [json.loads(line)["text"].replace("{bot}", "HelperBot") for line in lines if line]
    return FALLBACK_QUESTIONS


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def run(rounds: int) -> dict[str, float]:
    texts = questions() * rounds
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "tgbot", "ask", "--jsonl"],
        cwd=REPO,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        encoding="utf-8",
    )
    assert proc.stdin is not None
    assert proc.stdout is not None
    latencies: list[float] = []
    first = 0.0
    for i, text in enumerate(texts):
        ts = time.perf_counter()
        proc.stdin.write(text + "\n")
        proc.stdin.flush()
        proc.stdout.readline()
        now = time.perf_counter()
        if i == 0:
            first = now - t0
        else:
            latencies.append(now - ts)
    proc.stdin.close()
    proc.wait()
    return {
        "questions": float(len(latencies)),
        "startup_to_first_answer_ms": first * 1000,
        "mean_ms": statistics.fmean(latencies) * 1000,
        "p50_ms": percentile(latencies, 0.50) * 1000,
        "p99_ms": percentile(latencies, 0.99) * 1000,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=5, help="times through the question list")
    args = parser.parse_args(argv)
    figures = run(args.rounds)
    print("ask --jsonl latency (lockstep, after loading)")
    for key, value in figures.items():
        print(f"  {key:<28} {value:10.2f}")
    verdict = "OK" if figures["mean_ms"] <= 2.0 else "MISSED"
    print(f"  target mean <= 2 ms per question: {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
