"""`python -m bench`: every benchmark in one run, one table of figures and targets, and
bench/results.json (git-ignored) with all the details.

    python -m bench            full run (several minutes)
    python -m bench --quick    small sizes, under a minute: a smoke run that CI uses
    python -m bench --only matcher,pipeline --json /tmp/r.json

Sections: 1 matcher (latency, scale, index build and memory), 2 pipeline (updates through
python-telegram-bot with an offline Bot API, ours vs a bare echo bot), 3 over HTTP (the
real bot process against tests/fakebotapi on 127.0.0.1), 4 statistics (SQLite throughput,
/stats over a million events), 5 start-up (first answer, peak RSS). Benchmarks print figures;
they are not tests: a missed target is reported as MISSED and the exit code stays 0. A
section that fails to run is reported and makes the exit code 1.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

# PTB's documented opt-in to timedelta durations, as the launcher sets it for the bot.
os.environ.setdefault("PTB_TIMEDELTA", "1")

from bench.suite import matcher_scale, over_http, pipeline, startup, stats_store
from bench.suite.figures import MISSED, OK, Row, table
from tgbot.core.content import ContentLibrary, load_content
from tgbot.core.ui_texts import UI_TEXTS

REPO = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "results.json"
SECTIONS = ("matcher", "pipeline", "http", "stats", "startup")
LABELS = {
    "matcher": matcher_scale.SECTION,
    "pipeline": pipeline.SECTION,
    "http": over_http.SECTION,
    "stats": stats_store.SECTION,
    "startup": startup.SECTION,
}


@dataclass(frozen=True, slots=True)
class Sizes:
    """How much each section does; --quick shrinks everything."""

    matcher_sizes: tuple[int, ...]
    matcher_rounds: int
    pipeline_updates: int
    pipeline_rounds: int
    http_users: int
    http_limited: int
    http_unlimited: int
    stats_events: int
    stats_rows: int
    startup_runs: int
    startup_topics: int


FULL = Sizes(
    matcher_sizes=(1_000, 10_000),
    matcher_rounds=5,
    pipeline_updates=20_000,
    pipeline_rounds=3,
    http_users=50,
    http_limited=600,
    http_unlimited=2_000,
    stats_events=60_000,
    stats_rows=1_000_000,
    startup_runs=5,
    startup_topics=10_000,
)
QUICK = Sizes(
    matcher_sizes=(100, 1_000),
    matcher_rounds=1,
    pipeline_updates=600,
    pipeline_rounds=2,
    http_users=10,
    http_limited=60,
    http_unlimited=150,
    stats_events=10_000,
    stats_rows=20_000,
    startup_runs=1,
    startup_topics=1_000,
)

Section = Callable[[], tuple[dict[str, Any], list[Row]]]


def _sections(library: ContentLibrary, sizes: Sizes, folder: Path) -> dict[str, Section]:
    pack = library.default
    questions, _ = matcher_scale.dev_questions()
    return {
        "matcher": lambda: matcher_scale.run(
            pack, sizes=sizes.matcher_sizes, rounds=sizes.matcher_rounds
        ),
        "pipeline": lambda: pipeline.run(
            library, questions, updates=sizes.pipeline_updates, rounds=sizes.pipeline_rounds
        ),
        "http": lambda: over_http.run(
            questions,
            folder / "http",
            users=sizes.http_users,
            limited_total=sizes.http_limited,
            unlimited_total=sizes.http_unlimited,
        ),
        "stats": lambda: stats_store.run(
            pack, questions, folder, events=sizes.stats_events, rows=sizes.stats_rows
        ),
        "startup": lambda: startup.run(pack, topics=sizes.startup_topics, runs=sizes.startup_runs),
    }


def _meta(quick: bool) -> dict[str, Any]:
    try:  # read-only: which code was measured
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        commit = ""
    return {
        "mode": "quick" if quick else "full",
        "started": datetime.now(UTC).isoformat(timespec="seconds"),
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "load_average_at_start": os.getloadavg(),
        "commit": commit,
        "command": "python -m bench" + (" --quick" if quick else ""),
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes (a smoke run)")
    parser.add_argument("--only", default="", help=f"comma-separated: {', '.join(SECTIONS)}")
    parser.add_argument("--json", type=Path, default=RESULTS, help="where to write the results")
    args = parser.parse_args(argv)
    chosen = [s for s in args.only.split(",") if s] or list(SECTIONS)
    unknown = set(chosen) - set(SECTIONS)
    if unknown:
        parser.error(f"unknown section(s): {', '.join(sorted(unknown))}")
    sizes = QUICK if args.quick else FULL
    results: dict[str, Any] = {"meta": _meta(args.quick), "sizes": asdict(sizes)}
    rows: list[Row] = []
    failed: list[str] = []
    library = load_content(required_texts=UI_TEXTS)
    began = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        sections = _sections(library, sizes, Path(tmp))
        for name in chosen:
            print(f"[bench] {name} ...", file=sys.stderr, flush=True)
            t0 = time.perf_counter()
            try:
                figures, section_rows = sections[name]()
            except Exception as exc:  # report and go on: one broken section hides no other
                traceback.print_exc()
                failed.append(name)
                figures = {"error": f"{type(exc).__name__}: {exc}"}
                section_rows = [Row(LABELS[name], "section failed to run", type(exc).__name__)]
            figures["section_seconds"] = time.perf_counter() - t0
            results[name] = figures
            rows.extend(section_rows)
            gc.collect()  # one section's garbage must not weigh on the next
    results["meta"]["seconds"] = time.perf_counter() - began
    results["meta"]["load_average_at_end"] = os.getloadavg()
    results["rows"] = [row.as_json() for row in rows]
    targets = [row for row in rows if row.verdict]
    results["targets"] = {
        "ok": sum(1 for row in targets if row.verdict == OK),
        "missed": [f"{row.section}: {row.measure}" for row in targets if row.verdict == MISSED],
    }
    results["failed_sections"] = failed
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(results, indent=2, default=str) + "\n", encoding="utf-8")
    meta = results["meta"]
    print(
        f"\n{meta['command']}  ({meta['mode']}, {meta['seconds']:.0f} s, Python "
        f"{meta['python']}, {meta['cpus']} CPUs, load {meta['load_average_at_start'][0]:.1f} at "
        f"start)\n"
    )
    print(table(rows))
    print(
        f"\ntargets: {results['targets']['ok']} OK, {len(results['targets']['missed'])} MISSED"
        f"; details in {args.json}"
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
