"""python -m tgbot eval-privacy: what the stored-text scrubber keeps of the personal-data corpus.

For each corpus part (tune, sealed) it prints the identifiers kept by the scrubber and the
share of the other words it kept, then runs every message through the real recorder (as an
unanswered question, and as an answered one that its asker votes 👎) into a fresh database,
renders the /report page, captures the statistics logs, and counts the identifiers found in
the database, its WAL and shared-memory files, the page and the logs. Aggregates only: it
never prints a corpus text, so the sealed part stays blind (`--show-leaks` works on tune
only). Exit status 1 when any identifier was stored (or, with texts on, kept by the scrubber).
Never imports telegram.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import re
import sqlite3
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from tgbot.config import Settings
from tgbot.core.answers import Outcome
from tgbot.report.build import build_report_html
from tgbot.stats.events import AskPath, Channel
from tgbot.stats.privacy_eval import (
    CorpusMessage,
    PrivacyFigures,
    Searchable,
    evaluate,
    identifier_pieces,
    load_corpus,
    pieces_found,
)
from tgbot.stats.recorder import StatsRecorder
from tgbot.stats.scrub import normalise
from tgbot.stats.testing import make_answer
from tgbot.stats.vocabulary import LETTERS

__all__ = ["StoredLeaks", "main", "stored_leaks"]

DEFAULT_CORPUS = Path("tests/pii_corpus")
PARTS = ("tune", "sealed")
_WORDS = re.compile(r"(?:" + LETTERS.pattern + r"|\d)+")
_ASKER = 1_000_001  # a made-up Telegram id for the corpus's asker


@dataclass(frozen=True, slots=True)
class StoredLeaks:
    """Identifiers found in what the bot wrote to disk and showed operators."""

    identifiers: int
    in_database: int  # the database file, its -wal and -shm, read while open and after close
    in_report: int
    in_logs: int


class _Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


def _table_values(db: Path) -> str:
    """Every row of every table, as SQLite's own dump of the database writes them."""
    connection = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return "\n".join(connection.iterdump())
    finally:
        connection.close()


def _read_files(db: Path) -> str:
    parts = []
    for path in (db, db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm")):
        if path.exists():
            parts.append(path.read_bytes().decode("utf-8", errors="replace"))
    return "\n".join(parts)


async def _run_bot_path(
    messages: Sequence[CorpusMessage], db: Path, store_text: str
) -> tuple[str, str, str, str]:
    """The database files' bytes, its tables' values, the report page and the log lines."""
    capture = _Capture()
    stats_logger = logging.getLogger("tgbot")
    previous_level = stats_logger.level
    stats_logger.addHandler(capture)
    stats_logger.setLevel(logging.DEBUG)
    try:
        recorder = StatsRecorder(db, store_text=store_text)
        await recorder.start()
        for message in messages:
            unanswered = make_answer(message.text, topic=None, outcome=Outcome.FALLBACK)
            recorder.record_answer(
                unanswered, channel=Channel.GROUP, path=AskPath.FREE_TEXT, user_id=_ASKER
            )
            answered = make_answer(message.text)
            event_id = recorder.record_answer(
                answered, channel=Channel.GROUP, path=AskPath.FREE_TEXT, user_id=_ASKER
            )
            recorder.record_feedback(event_id, helpful=False, voter_id=_ASKER)
        await recorder.flush()
        while_open = _read_files(db)
        page = await build_report_html(db, 30)
        await recorder.stop()
        on_disk = while_open + "\n" + _read_files(db)
        values = _table_values(db)
    finally:
        stats_logger.removeHandler(capture)
        stats_logger.setLevel(previous_level)
    return on_disk, values, page, "\n".join(capture.lines)


def _words(text: str) -> set[str]:
    return {w.casefold() for w in _WORDS.findall(text)}


async def stored_leaks(
    messages: Sequence[CorpusMessage], workdir: Path, *, store_text: str = "unanswered"
) -> StoredLeaks:
    """Run the messages through the recorder (with this STATS_STORE_TEXT) and the report;
    count the identifiers found there.

    A word of an identifier counts only if it is not also a word outside the identifiers of
    some message, nor a word the same run writes with texts switched off (table names, the
    report's own words): those could have come from elsewhere.
    """
    baseline = await _run_bot_path(messages, workdir / "baseline.sqlite3", "none")
    stored = await _run_bot_path(messages, workdir / "stats.sqlite3", store_text)
    ordinary = set().union(*(_words(part) for part in baseline))
    for message in messages:
        text = normalise(message.text)
        for identifier in message.identifiers:
            text = text.replace(normalise(identifier), " ")
        ordinary |= _words(text)
    raw, values, page, logs = (Searchable.of(part) for part in stored)
    in_database = in_report = in_logs = 0
    for message in messages:
        for identifier in message.identifiers:
            pieces = identifier_pieces(identifier) - ordinary
            # In the files' raw bytes one- and two-character pieces turn up by chance (page
            # headers, random ids); those are looked for in the tables' values instead.
            long_pieces = {p for p in pieces if len(p) > 2}
            in_database += bool(pieces_found(raw, long_pieces) or pieces_found(values, pieces))
            in_report += bool(pieces_found(page, pieces))
            in_logs += bool(pieces_found(logs, pieces))
    return StoredLeaks(
        identifiers=sum(len(m.identifiers) for m in messages),
        in_database=in_database,
        in_report=in_report,
        in_logs=in_logs,
    )


def _print_figures(part: str, figures: PrivacyFigures, stored: StoredLeaks | None) -> None:
    print(
        f"{part:7s} messages={figures.messages} identifiers={figures.identifiers} "
        f"identifiers_kept={figures.identifiers_kept} "
        f"texts_kept={figures.texts_kept} "
        f"non_personal_words_kept={figures.words_kept}/{figures.words} "
        f"({figures.words_kept_share:.1%})"
    )
    if stored is not None:
        print(
            f"{'':7s} stored: database+wal={stored.in_database} report={stored.in_report} "
            f"logs={stored.in_logs} (of {stored.identifiers} identifiers)"
        )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tgbot eval-privacy", description=__doc__)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="folder of the parts")
    parser.add_argument("--parts", nargs="+", choices=PARTS, default=list(PARTS))
    parser.add_argument("--no-store", action="store_true", help="skip the database/report run")
    parser.add_argument(
        "--store-text",
        choices=("unanswered", "none"),
        default="unanswered",
        help="STATS_STORE_TEXT for the database run "
        f"(the bot's default: {Settings().stats_store_text})",
    )
    parser.add_argument(
        "--show-leaks", action="store_true", help="list kept identifiers (tune part only)"
    )
    args = parser.parse_args(argv)
    failed = False
    for part in args.parts:
        path = args.corpus / f"{part}.jsonl"
        if not path.exists():
            print(f"{part:7s} missing: {path}", file=sys.stderr)
            failed = True
            continue
        messages = load_corpus(path)
        figures = evaluate(messages)
        stored = None
        if not args.no_store:
            with tempfile.TemporaryDirectory() as workdir:
                stored = asyncio.run(
                    stored_leaks(messages, Path(workdir), store_text=args.store_text)
                )
        _print_figures(part, figures, stored)
        if args.show_leaks and part == "tune":
            for message_id, identifier in figures.leaks:
                print(f"  kept {message_id}: {identifier}")
        # With texts off the scrubber's figure is information; what is stored decides.
        failed |= figures.identifiers_kept > 0 and args.store_text == "unanswered"
        failed |= (
            stored is not None and (stored.in_database or stored.in_report or stored.in_logs) > 0
        )
    return 1 if failed else 0
