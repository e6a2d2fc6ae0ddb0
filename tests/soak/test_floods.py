"""The review's floods as a test: under each, an unrelated parent's private emergency prompt
arrives within 1 s (p99 over at least 20 probes), through the real bot and a fake Bot API that
enforces Telegram's flood control. Prints one line of figures per flood (see soak.floods).

A timing bound, so it lives with the soak (marked slow and e2e) rather than the unit tests;
FLOOD_SIZE and FLOOD_RATE make it bigger or gentler.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from soak.floods import FLOODS, FloodConfig, run_floods

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def test_no_flood_delays_another_parents_emergency_prompt(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = FloodConfig(
        size=int(os.environ.get("FLOOD_SIZE", FloodConfig.size)),
        rate=float(os.environ.get("FLOOD_RATE", FloodConfig.rate)),
    )
    results = run_floods(tmp_path, config)
    with capsys.disabled():
        print()
        for result in results:
            print(result.line(), flush=True)
    assert [r.name for r in results] == list(FLOODS)
    for result in results:
        assert len(result.delays) >= 20, result.line()
        assert result.unanswered_probes == 0, result.line()
        assert result.p99 <= config.bound_seconds, result.line()
        # The flooded chat itself stays within Telegram's limits: the fake refused nothing.
        assert result.refused_429 == 0, result.line()
