"""Run the soak from the command line: `.venv/bin/python tests/soak [--messages N ...]`.

Defaults come from SOAK_MESSAGES, SOAK_USERS, SOAK_FAULT_RATE and SOAK_SEED (else the quick
CI size). Prints the report; the last line is the verdict. Exit status 0 only when every
count is zero.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

TESTS = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(TESTS))  # fakebotapi, e2e and soak live in tests/

from soak.runner import SoakConfig, run_soak  # noqa: E402 - needs the path above
from soak.test_soak import failures  # noqa: E402


def main(argv: list[str]) -> int:
    defaults = SoakConfig.from_env()
    parser = argparse.ArgumentParser(prog="soak", description=__doc__)
    parser.add_argument("--messages", type=int, default=defaults.messages)
    parser.add_argument("--users", type=int, default=defaults.users)
    parser.add_argument("--fault-rate", type=float, default=defaults.fault_rate)
    parser.add_argument("--seed", type=int, default=defaults.seed)
    parser.add_argument("--no-db-faults", action="store_true")
    parser.add_argument("--workdir", type=Path, help="keep the bot's log and database here")
    args = parser.parse_args(argv)
    config = SoakConfig.from_env(
        {
            "SOAK_MESSAGES": str(args.messages),
            "SOAK_USERS": str(args.users),
            "SOAK_FAULT_RATE": str(args.fault_rate),
            "SOAK_SEED": str(args.seed),
            "SOAK_DB_FAULTS": "0" if args.no_db_faults else "1",
        }
    )
    if args.workdir is not None:
        args.workdir.mkdir(parents=True, exist_ok=True)
        report = run_soak(config, args.workdir)
    else:
        with tempfile.TemporaryDirectory(prefix="soak-") as workdir:
            report = run_soak(config, Path(workdir))
    problems = failures(report, config)
    for problem in problems:
        print(f"soak: FAILED {problem}")
    for line in report.all_lines():
        print(line, flush=True)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
