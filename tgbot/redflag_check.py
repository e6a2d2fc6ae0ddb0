"""python -m tgbot eval-redflags: the red-flag detector's figures on a labelled corpus.

Prints recall, exact level and false positives overall, for emergency concepts, per language
and per concept. `--failures FILE` writes each miss (text included) for tuning, and is refused
on a sealed corpus, which measures and never tunes. Never imports telegram.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from tgbot.core.content import DEFAULT_CONTENT_DIR, load_content
from tgbot.core.redflag_eval import evaluate, format_figures, load_cases

__all__ = ["main"]

DEFAULT_CASES = (Path("tests/redflag_corpus/tune.jsonl"),)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tgbot eval-redflags", description=__doc__)
    parser.add_argument("--cases", type=Path, action="append", help="JSON Lines corpus (repeat)")
    parser.add_argument("--content", type=Path, default=DEFAULT_CONTENT_DIR)
    parser.add_argument("--failures", type=Path, help="write each failure as a JSON line")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    paths = args.cases or list(DEFAULT_CASES)
    if args.failures and any("sealed" in p.name for p in paths):
        print("refused: a sealed corpus measures; it never lists its failures", file=sys.stderr)
        return 2
    library = load_content(args.content)
    if library.problems:
        for problem in library.problems:
            print(problem, file=sys.stderr)
        return 1
    cases = [c for p in paths for c in load_cases(p)]
    fig = evaluate(library.default.red_flags, cases)
    if args.json:
        print(
            json.dumps(
                {
                    "overall": {
                        "recall": fig.overall.recall,
                        "exact": fig.overall.exact_level,
                        "fp": fig.overall.fp_rate,
                    },
                    "emergency_recall": fig.emergency.recall,
                    "by_lang": {
                        k: {"recall": t.recall, "fp": t.fp_rate} for k, t in fig.by_lang.items()
                    },
                },
                indent=1,
            )
        )
    else:
        print(format_figures(fig, " + ".join(str(p) for p in paths)))
    if args.failures:
        with args.failures.open("w", encoding="utf-8") as f:
            for failure in fig.failures:
                f.write(json.dumps(failure, ensure_ascii=False) + "\n")
    return 0
