"""`python -m tgbot report`: writes the operator report as one self-contained HTML file.

Reads the statistics database read-only; a missing database gives the "no questions yet"
page. Never imports telegram.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sqlite3
import sys
import tempfile
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from tgbot.core.content import DEFAULT_CONTENT_DIR, ContentError, load_content
from tgbot.report.build import render_page
from tgbot.report.charts import render_stats_png
from tgbot.report.data import load_report_data

__all__ = ["build_parser", "main"]

DEFAULT_DB = Path("data/stats.sqlite3")  # the bot's default for STATS_DB_PATH


def _days(value: str) -> int:
    try:
        days = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number of days: {value!r}") from None
    if not 1 <= days <= 36500:
        raise argparse.ArgumentTypeError(f"days must be between 1 and 36500, not {days}")
    return days


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m tgbot report",
        description="Write the operator report (one self-contained HTML file with charts).",
    )
    parser.add_argument(
        "--days", type=_days, default=30, help="the last N UTC days, today included (30)"
    )
    parser.add_argument(
        "--out", type=Path, default=Path("report.html"), help="HTML file to write (report.html)"
    )
    parser.add_argument(
        "--db",
        type=Path,
        default=None,
        help=f"statistics database (default: $STATS_DB_PATH or {DEFAULT_DB})",
    )
    parser.add_argument(
        "--png", type=Path, default=None, help="also write the /stats chart (PNG) to this file"
    )
    version = parser.add_mutually_exclusive_group()
    version.add_argument(
        "--content",
        type=Path,
        default=DEFAULT_CONTENT_DIR,
        help="content folder whose version the report names (default: the bot's content)",
    )
    version.add_argument(
        "--content-version", default=None, help="name this content version instead of loading it"
    )
    return parser


def _content_version(args: argparse.Namespace) -> str:
    if args.content_version is not None:
        return str(args.content_version)
    try:
        return load_content(args.content).version
    except (ContentError, OSError) as exc:
        # The figures are still worth having; the page says the version is unknown.
        first_line = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        sys.stderr.write(f"warning: content not loaded, version unknown: {first_line}\n")
        return "unknown (content did not load)"


def _write_atomically(path: Path, data: bytes) -> None:
    # A reader (a browser, a mail job) never sees a half-written report.
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    db_path: Path = args.db or Path(os.environ.get("STATS_DB_PATH") or DEFAULT_DB)
    version = _content_version(args)
    now = datetime.now(UTC)
    try:
        data = asyncio.run(load_report_data(db_path, args.days, now=now, content_version=version))
    except sqlite3.Error as exc:
        # SchemaMismatch is one; a corrupt or foreign file is another. Say which file.
        sys.stderr.write(f"cannot read the statistics database {db_path}: {exc}\n")
        return 1
    _write_atomically(args.out, render_page(data).encode("utf-8"))
    if args.png is not None:
        _write_atomically(args.png, render_stats_png(data))
    state = "no questions yet" if data.is_empty else f"{data.questions} questions"
    print(f"wrote {args.out}: {data.period.first} to {data.period.last}, {state}")
    return 0
