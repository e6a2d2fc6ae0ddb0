"""Specification of database faults: answering goes on, one warning an outage, nothing lost.

Each fault is real SQLite behaviour: a read-only connection, another connection holding the
write lock, a size cap that makes the file full, and a file that is not a database.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import AsyncIterator, Callable
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

import aiosqlite
import pytest

from tgbot.stats.events import AskPath, Channel
from tgbot.stats.recorder import StatsRecorder
from tgbot.stats.store import open_store
from tgbot.stats.testing import FakeClock, make_answer

PRIVATE = {"channel": Channel.PRIVATE, "path": AskPath.FREE_TEXT}


@dataclass
class Fault:
    """Which fault the next connection the recorder opens will have."""

    read_only: bool = False
    full_at_pages: int | None = None


def _query(path: Path, sql: str) -> list[tuple[object, ...]]:
    with closing(sqlite3.connect(path)) as conn:
        return [tuple(r) for r in conn.execute(sql).fetchall()]


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "stats.sqlite3"


@pytest.fixture
async def existing_db(db_path: Path) -> Path:
    db = await open_store(db_path)
    await db.close()
    return db_path


@pytest.fixture
def fault() -> Fault:
    return Fault()


@pytest.fixture
def recorder_factory(db_path: Path, fault: Fault) -> Callable[[], StatsRecorder]:
    async def opener(path: Path) -> aiosqlite.Connection:
        if fault.read_only:
            return await aiosqlite.connect(f"file:{path}?mode=ro", uri=True, isolation_level=None)
        return await open_store(path, busy_timeout_ms=20, max_page_count=fault.full_at_pages)

    def make() -> StatsRecorder:
        return StatsRecorder(
            db_path,
            clock=FakeClock(),
            flush_interval=0.01,
            retry_initial=0.01,
            retry_max=0.04,
            stop_timeout=2.0,
            opener=opener,
        )

    return make


@pytest.fixture
async def recorder(recorder_factory: Callable[[], StatsRecorder]) -> AsyncIterator[StatsRecorder]:
    rec = recorder_factory()
    await rec.start()
    try:
        yield rec
    finally:
        await rec.stop()


@pytest.fixture
def warnings(caplog: pytest.LogCaptureFixture) -> Callable[[], list[str]]:
    caplog.set_level(logging.DEBUG, logger="tgbot.stats")

    def collected() -> list[str]:
        return [
            r.getMessage()
            for r in caplog.records
            if r.name == "tgbot.stats" and r.levelno == logging.WARNING
        ]

    return collected


async def _until(condition: Callable[[], bool], seconds: float = 5.0) -> None:
    for _ in range(int(seconds / 0.01)):
        if condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("condition not reached in time")


async def _answer_during_outage(rec: StatsRecorder, count: int) -> None:
    """The bot keeps answering: every record call returns at once with an event id."""
    before = rec.status().failed_attempts
    for i in range(count):
        assert len(rec.record_answer(make_answer(), user_id=1000 + i, **PRIVATE)) == 12
    await _until(lambda: rec.status().failed_attempts >= before + 3)
    assert rec.status().in_outage


async def test_read_only_database_keeps_answering_and_writes_after_recovery(
    existing_db: Path,
    fault: Fault,
    recorder_factory: Callable[[], StatsRecorder],
    warnings: Callable[[], list[str]],
) -> None:
    fault.read_only = True  # e.g. a file or mount the bot's user may not write
    rec = recorder_factory()
    await rec.start()
    try:
        await _answer_during_outage(rec, 20)
        fault.read_only = False  # the operator fixes the permissions
        await _until(lambda: not rec.status().in_outage and rec.status().queued == 0)
    finally:
        await rec.stop()
    assert _query(existing_db, "SELECT COUNT(*) FROM events") == [(20,)]
    [warning] = warnings()
    assert "readonly" in warning


async def test_locked_database_keeps_answering_and_writes_after_the_lock_is_released(
    existing_db: Path, recorder: StatsRecorder, warnings: Callable[[], list[str]]
) -> None:
    with closing(sqlite3.connect(existing_db, isolation_level=None)) as other:
        other.execute("BEGIN EXCLUSIVE")
        await _answer_during_outage(recorder, 20)
        other.execute("ROLLBACK")
    await _until(lambda: not recorder.status().in_outage and recorder.status().queued == 0)
    assert _query(existing_db, "SELECT COUNT(*) FROM events") == [(20,)]
    [warning] = warnings()
    assert "locked" in warning


async def test_full_disk_keeps_answering_and_writes_once_there_is_room(
    existing_db: Path,
    fault: Fault,
    recorder_factory: Callable[[], StatsRecorder],
    warnings: Callable[[], list[str]],
) -> None:
    [(pages,)] = _query(existing_db, "PRAGMA page_count")
    fault.full_at_pages = int(str(pages))
    rec = recorder_factory()
    await rec.start()
    try:
        for i in range(300):  # more than fits in the pages already there
            rec.record_answer(make_answer(), user_id=i, **PRIVATE)
        await _answer_during_outage(rec, 10)
        fault.full_at_pages = None
        await _until(lambda: not rec.status().in_outage and rec.status().queued == 0)
    finally:
        await rec.stop()
    assert _query(existing_db, "SELECT COUNT(*) FROM events") == [(310,)]
    [warning] = warnings()
    assert "full" in warning


@pytest.fixture
def corrupt_db(db_path: Path) -> Path:
    db_path.parent.mkdir(parents=True)
    db_path.write_bytes(b"this is not an SQLite database\n" * 200)
    return db_path


def _move_aside(path: Path) -> None:
    path.rename(path.with_suffix(".corrupt"))  # what an operator does with a broken file


async def test_corrupt_file_keeps_answering_and_writes_once_it_is_replaced(
    corrupt_db: Path,
    recorder_factory: Callable[[], StatsRecorder],
    warnings: Callable[[], list[str]],
) -> None:
    db_path = corrupt_db
    rec = recorder_factory()
    await rec.start()  # must not raise
    try:
        await _answer_during_outage(rec, 15)
        _move_aside(db_path)
        await _until(lambda: not rec.status().in_outage and rec.status().queued == 0)
    finally:
        await rec.stop()
    assert _query(db_path, "SELECT COUNT(*) FROM events") == [(15,)]
    assert _query(db_path, "PRAGMA integrity_check") == [("ok",)]
    [warning] = warnings()
    assert "not a database" in warning


async def test_an_outage_at_start_with_nothing_queued_ends_when_the_file_is_replaced(
    corrupt_db: Path,
    recorder_factory: Callable[[], StatsRecorder],
    warnings: Callable[[], list[str]],
) -> None:
    rec = recorder_factory()
    await rec.start()
    try:
        await _until(lambda: rec.status().failed_attempts >= 3)
        _move_aside(corrupt_db)
        await _until(lambda: not rec.status().in_outage)
        attempts = rec.status().failed_attempts
        await asyncio.sleep(0.1)
        assert rec.status().failed_attempts == attempts  # no more retries once recovered
    finally:
        await rec.stop()
    assert len(warnings()) == 1


async def test_each_outage_warns_once_and_recovery_is_logged(
    existing_db: Path,
    recorder: StatsRecorder,
    caplog: pytest.LogCaptureFixture,
    warnings: Callable[[], list[str]],
) -> None:
    for outage in (1, 2):
        with closing(sqlite3.connect(existing_db, isolation_level=None)) as other:
            other.execute("BEGIN EXCLUSIVE")
            await _answer_during_outage(recorder, 5)
            assert len(warnings()) == outage
            other.execute("ROLLBACK")
        await _until(lambda: not recorder.status().in_outage)
    recovered = [r for r in caplog.records if "stats_recovered" in r.getMessage()]
    assert len(recovered) == 2
    assert _query(existing_db, "SELECT COUNT(*) FROM events") == [(10,)]


async def test_retries_back_off_up_to_the_cap(existing_db: Path, recorder: StatsRecorder) -> None:
    with closing(sqlite3.connect(existing_db, isolation_level=None)) as other:
        other.execute("BEGIN EXCLUSIVE")
        recorder.record_answer(make_answer(), user_id=1, **PRIVATE)
        await asyncio.sleep(0.6)
        attempts = recorder.status().failed_attempts
        other.execute("ROLLBACK")
    # Each try waits 20 ms for the lock, then 10, 20, 40, 40 ... ms: about ten tries in
    # 0.6 s, where retrying without back-off would make dozens.
    assert 4 <= attempts <= 15


async def test_queued_events_stay_bounded_during_a_long_outage(
    existing_db: Path, fault: Fault, recorder_factory: Callable[[], StatsRecorder]
) -> None:
    fault.read_only = True
    rec = recorder_factory()
    rec._queue_limit = 50  # a small queue for the test
    await rec.start()
    try:
        await _answer_during_outage(rec, 80)
        assert rec.status().queued == 50
        assert rec.status().dropped_unsaved == 30
        fault.read_only = False
        await _until(lambda: rec.status().queued == 0 and rec.status().dropped_unsaved == 0)
    finally:
        await rec.stop()
    assert _query(existing_db, "SELECT COUNT(*) FROM events") == [(50,)]
    assert _query(existing_db, "SELECT value FROM meta WHERE key = 'dropped_events'") == [(30,)]


async def test_shutdown_during_an_outage_reports_what_could_not_be_written(
    existing_db: Path,
    fault: Fault,
    recorder_factory: Callable[[], StatsRecorder],
    warnings: Callable[[], list[str]],
) -> None:
    fault.read_only = True
    rec = recorder_factory()
    rec._stop_timeout = 0.1
    await rec.start()
    await _answer_during_outage(rec, 7)
    await rec.stop()
    assert any("stats_lost count=7" in w for w in warnings())
