"""The benchmark suite still runs: `python -m bench --quick` exits 0 and writes its results.

Benchmarks print figures and are not tests; this only checks that every section executes
(a missed target does not fail it, a section that crashes does).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SECTIONS = ("matcher", "pipeline", "http", "stats", "startup")


def test_quick_benchmark_run_executes_every_section(tmp_path: Path) -> None:
    results = tmp_path / "results.json"
    env = {k: v for k, v in os.environ.items() if not k.startswith("TELEGRAM_")}
    done = subprocess.run(
        [sys.executable, "-m", "bench", "--quick", "--json", str(results)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    data = json.loads(results.read_text(encoding="utf-8"))
    for section in SECTIONS:
        assert section in data, f"no {section} section"
        assert "error" not in data[section], data[section].get("error")
    assert data["meta"]["mode"] == "quick"
    assert data["rows"], "the table is empty"
    assert "targets:" in done.stdout
