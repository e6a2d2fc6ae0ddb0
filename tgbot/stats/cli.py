"""`python -m tgbot stats`: the operators' figures on the command line, and the events export.

    python -m tgbot stats [--db PATH] [--days N] [--format table|csv|json]
    python -m tgbot stats export --format csv [--db PATH] [--days N] [--output FILE]

Without --days the figures cover the last 7 and the last 30 days, as /stats does. Reads the
database read-only, so it is safe while the bot runs. Everything it prints is anonymous.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import os
import sqlite3
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

from tgbot.stats.formatting import csv_safe, summary_csv, summary_json, summary_text
from tgbot.stats.queries import StatsSummary, summaries, window
from tgbot.stats.store import open_reader

__all__ = ["EXPORT_COLUMNS", "default_db_path", "main"]

DEFAULT_DB_PATH = Path("data/stats.sqlite3")
EXPORT_COLUMNS = (
    "event_id",
    "hour",
    "day",
    "channel",
    "path",
    "outcome",
    "topic",
    "confidence_bucket",
    "level",
    "concepts",
    "suggested",
    "language",
    "asker",
    "feedback",
)


def default_db_path() -> Path:
    """STATS_DB_PATH, or data/stats.sqlite3."""
    return Path(os.environ.get("STATS_DB_PATH") or DEFAULT_DB_PATH)


def _positive(value: str) -> int:
    n = int(value)
    if n < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return n


def _when(value: str) -> datetime:
    moment = datetime.fromisoformat(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--db",
        type=Path,
        default=None,
        help=f"database file (default: $STATS_DB_PATH or {DEFAULT_DB_PATH})",
    )
    parser.add_argument("--days", type=_positive, default=None, help="last N UTC days")
    # Reproducible reports (tests, re-running a past day): the moment taken as "now".
    parser.add_argument("--now", type=_when, default=None, help=argparse.SUPPRESS)


def _summary_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m tgbot stats",
        description="Anonymous question statistics (last 7 and 30 days unless --days).",
        epilog="Export the events: python -m tgbot stats export --format csv",
    )
    _common(parser)
    parser.add_argument("--format", choices=("table", "csv", "json"), default="table")
    return parser


def _export_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m tgbot stats export",
        description="Export the stored events (anonymous: daily tokens, no texts) as CSV.",
    )
    _common(parser)
    parser.add_argument("--format", choices=("csv",), default="csv")
    parser.add_argument("--output", type=Path, default=None, help="file (default: stdout)")
    return parser


async def _summaries(db_path: Path, days: Sequence[int], now: datetime) -> list[StatsSummary]:
    db = await open_reader(db_path)
    try:
        return list(await summaries(db, days, now))
    finally:
        await db.close()


async def _export(db_path: Path, days: int | None, now: datetime, out: TextIO) -> int:
    db = await open_reader(db_path)
    rows = 0
    try:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(EXPORT_COLUMNS)
        lo = window(days, now).start.isoformat() if days else ""
        async with db.execute(
            """
            SELECT e.event_id, e.hour, e.day, e.channel, e.path, e.outcome, e.topic,
                e.confidence_bucket, e.level, e.concepts, e.suggested, e.language, e.asker,
                CASE f.helpful WHEN 1 THEN 'helpful' WHEN 0 THEN 'unhelpful' ELSE '' END
            FROM events AS e LEFT JOIN feedback AS f ON f.event_id = e.event_id
            WHERE e.day >= ? ORDER BY e.hour, e.event_id
            """,
            (lo,),
        ) as cursor:
            async for row in cursor:
                writer.writerow([csv_safe(str(v)) if v is not None else "" for v in row])
                rows += 1
    finally:
        await db.close()
    return rows


def main(argv: Sequence[str]) -> int:
    """Entry point of `python -m tgbot stats ...`; returns the exit status."""
    args_list = list(argv)
    exporting = args_list[:1] == ["export"]
    parser = _export_parser() if exporting else _summary_parser()
    args = parser.parse_args(args_list[1:] if exporting else args_list)
    db_path: Path = args.db or default_db_path()
    now: datetime = args.now or datetime.now(UTC)
    try:
        if exporting:
            if args.output:
                with args.output.open("w", encoding="utf-8", newline="") as out:
                    count = asyncio.run(_export(db_path, args.days, now, out))
                sys.stderr.write(f"exported {count} events to {args.output}\n")
            else:
                asyncio.run(_export(db_path, args.days, now, sys.stdout))
            return 0
        windows = asyncio.run(_summaries(db_path, [args.days] if args.days else [7, 30], now))
    except BrokenPipeError:
        return _closed_pipe()
    except FileNotFoundError:
        sys.stderr.write(
            f"no statistics database at {db_path}: the bot creates it on its first start "
            "(set STATS_DB_PATH or pass --db)\n"
        )
        return 1
    except sqlite3.Error as exc:
        sys.stderr.write(f"cannot read {db_path}: {type(exc).__name__}: {exc}\n")
        return 1
    try:
        if args.format == "json":
            print(summary_json(windows))
        elif args.format == "csv":
            sys.stdout.write(summary_csv(windows))
        else:
            print(summary_text(windows))
        sys.stdout.flush()
    except BrokenPipeError:
        return _closed_pipe()
    return 0


def _closed_pipe() -> int:
    # The reader (e.g. `| head`) stopped reading: not an error. Point stdout at devnull so
    # the interpreter's final flush does not complain.
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    return 0
