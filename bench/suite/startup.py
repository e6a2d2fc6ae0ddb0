"""Section 5, start-up and memory: from process start to the first answer of
`python -m tgbot ask --jsonl`, and the process's peak RSS, for the real content and for a
large catalogue (the curated topics plus generated ones) written to a temporary content
folder (--content).

One question is written at once and the clock stops when its JSON line arrives, so the
figure covers interpreter start, imports, loading and validating the content, building the
index and answering. Peak RSS is the child's VmHWM (/proc/<pid>/status) once it answered:
not ru_maxrss, which on Linux keeps the size of the benchmark process the child was forked
from, before it exec'd Python.
A first, untimed run warms the bytecode and file caches, as on a server that ran it before.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.suite.figures import Row, fmt_mb, verdict
from bench.suite.synthetic import build_lexicon, synthetic_catalogue, write_content_dir
from tgbot.core.content import ContentPack

SECTION = "5 start-up"
REPO = Path(__file__).resolve().parents[2]
QUESTION = "why does my baby twitch in her sleep?"
TARGET_SECONDS = 1.5
TARGET_RSS_BYTES = 80 * 1_000_000  # 80 MB
TIMEOUT = 300.0


def first_answer(content: Path | None) -> dict[str, float]:
    """Spawn the ask CLI, send one question, time the first line; peak RSS of the child."""
    command = [sys.executable, "-m", "tgbot", "ask", "--jsonl"]
    if content is not None:
        command += ["--content", str(content)]
    with tempfile.TemporaryFile() as errors:
        t0 = time.perf_counter()
        process = subprocess.Popen(
            command,
            cwd=REPO,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=errors,
            text=True,
            encoding="utf-8",
        )
        if process.stdin is None or process.stdout is None:
            raise RuntimeError("no pipes to the ask CLI")
        process.stdin.write(QUESTION + "\n")
        process.stdin.flush()
        line = process.stdout.readline()
        elapsed = time.perf_counter() - t0
        peak = _peak_rss(process.pid)
        process.stdin.close()
        process.wait(TIMEOUT)
        process.stdout.close()
        if not line or json.loads(line).get("question") != QUESTION:
            errors.seek(0)
            tail = errors.read().decode("utf-8", "replace")[-2000:]
            raise RuntimeError(f"ask --jsonl gave no answer (exit {process.returncode}):\n{tail}")
    return {"seconds": elapsed, "peak_rss_bytes": peak}


def _peak_rss(pid: int) -> float:
    """The process's peak resident set so far, in bytes (nan where /proc is missing)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text(encoding="ascii")
    except OSError:
        return float("nan")
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return float(line.split()[1]) * 1024.0  # reported in kB
    return float("nan")


def measure(content: Path | None, runs: int) -> dict[str, Any]:
    first_answer(content)  # warm caches, not counted
    samples = [first_answer(content) for _ in range(runs)]
    return {
        "runs": runs,
        "seconds_median": statistics.median(s["seconds"] for s in samples),
        "seconds_all": [s["seconds"] for s in samples],
        "peak_rss_bytes_max": max(s["peak_rss_bytes"] for s in samples),
    }


def run(pack: ContentPack, *, topics: int, runs: int) -> tuple[dict[str, Any], list[Row]]:
    results: dict[str, Any] = {"real": measure(None, runs)}
    results["real"]["topics"] = len(pack.topics)
    with tempfile.TemporaryDirectory(prefix="bench-content-") as tmp:
        # The curated topics come along (the red-flag rules name some of them), so the
        # synthetic ones make up the rest of the count.
        catalogue = synthetic_catalogue(max(0, topics - len(pack.topics)), build_lexicon(pack))
        t0 = time.perf_counter()
        folder = write_content_dir(Path(tmp), catalogue)
        written = time.perf_counter() - t0
        del catalogue
        results["synthetic"] = measure(folder, max(1, runs // 2))
        results["synthetic"].update(topics=topics, write_s=written)
    real, synthetic = results["real"], results["synthetic"]
    rows = [
        Row(
            SECTION,
            f"real content ({real['topics']} topics): process start to first answer",
            f"{real['seconds_median']:.2f} s (median of {real['runs']})",
            f"< {TARGET_SECONDS:g} s",
            verdict(real["seconds_median"] < TARGET_SECONDS),
        ),
        Row(
            SECTION,
            "real content: peak RSS",
            fmt_mb(real["peak_rss_bytes_max"]),
            f"< {TARGET_RSS_BYTES / 1e6:g} MB",
            verdict(real["peak_rss_bytes_max"] < TARGET_RSS_BYTES),
        ),
        Row(
            SECTION,
            f"{topics:,} topics: start to first answer, peak RSS",
            f"{synthetic['seconds_median']:.2f} s, {fmt_mb(synthetic['peak_rss_bytes_max'])}",
        ),
    ]
    return results, rows
