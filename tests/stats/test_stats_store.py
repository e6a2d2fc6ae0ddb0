"""Specification of the statistics store: schema, migrations, batch writes, retention."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import aiosqlite
import pytest

from tgbot.core.answers import Outcome
from tgbot.core.model import Level
from tgbot.stats.events import AskPath, Channel, FeedbackEvent, QuestionEvent
from tgbot.stats.store import (
    DROPPED_EVENTS,
    MIGRATIONS,
    SCHEMA_VERSION,
    Batch,
    SchemaMismatch,
    open_reader,
    open_store,
    read_counter,
    roll_up,
    write_batch,
)


def _event(
    event_id: str = "a" * 12,
    *,
    day: str = "2025-03-10",
    topic: str | None = "sleep-twitching",
    outcome: Outcome = Outcome.ANSWERED,
    level: Level | None = None,
    concepts: tuple[str, ...] = (),
    asker: str | None = "0123456789abcdef",
    text: str | None = None,
) -> QuestionEvent:
    return QuestionEvent(
        event_id=event_id,
        hour=f"{day}T12:00Z",
        day=day,
        channel=Channel.PRIVATE,
        path=AskPath.FREE_TEXT,
        outcome=str(outcome),
        topic=topic,
        confidence_bucket="0.8-0.9",
        level=str(level) if level else None,
        concepts=concepts,
        suggested=False,
        language="en",
        asker=asker,
        text=text,
    )


def _query(path: Path, sql: str, params: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    with closing(sqlite3.connect(path)) as conn:
        return [tuple(r) for r in conn.execute(sql, params).fetchall()]


def _exists(path: Path) -> bool:
    return path.is_file()


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "nested" / "data" / "stats.sqlite3"


async def test_first_open_creates_the_folder_the_file_and_the_current_schema(
    db_path: Path,
) -> None:
    db = await open_store(db_path)
    await db.close()
    assert _exists(db_path)
    assert _query(db_path, "PRAGMA user_version") == [(SCHEMA_VERSION,)]
    assert _query(db_path, "PRAGMA journal_mode") == [("wal",)]
    tables = {r[0] for r in _query(db_path, "SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"events", "event_concepts", "feedback", "questions_text", "meta"} <= tables
    assert {"daily_counts", "daily_askers", "daily_concepts"} <= tables


async def test_reopening_keeps_the_data_and_the_version(db_path: Path) -> None:
    db = await open_store(db_path)
    await write_batch(db, Batch(questions=[_event()]))
    await db.close()
    db = await open_store(db_path)
    await db.close()
    assert _query(db_path, "SELECT COUNT(*) FROM events") == [(1,)]
    assert _query(db_path, "PRAGMA user_version") == [(SCHEMA_VERSION,)]


async def test_migrations_apply_forward_and_keep_the_rows(db_path: Path) -> None:
    db = await open_store(db_path)
    await write_batch(db, Batch(questions=[_event()]))
    await db.close()
    extended = (*MIGRATIONS, ("ALTER TABLE events ADD COLUMN extra TEXT DEFAULT 'x'",))
    db = await open_store(db_path, migrations=extended)
    await db.close()
    assert _query(db_path, "PRAGMA user_version") == [(SCHEMA_VERSION + 1,)]
    assert _query(db_path, "SELECT event_id, extra FROM events") == [("a" * 12, "x")]


async def test_a_failed_migration_step_leaves_the_previous_version(db_path: Path) -> None:
    db = await open_store(db_path)
    await db.close()
    broken = (*MIGRATIONS, ("CREATE TABLE half_done (x)", "THIS IS NOT SQL"))
    with pytest.raises(sqlite3.OperationalError):
        await open_store(db_path, migrations=broken)
    assert _query(db_path, "PRAGMA user_version") == [(SCHEMA_VERSION,)]
    assert _query(db_path, "SELECT name FROM sqlite_master WHERE name = 'half_done'") == []


async def test_a_database_from_newer_code_is_refused(db_path: Path) -> None:
    db = await open_store(db_path)
    await db.execute("PRAGMA user_version = 99")
    await db.close()
    with pytest.raises(SchemaMismatch):
        await open_store(db_path)


async def test_a_batch_is_written_all_or_nothing(db_path: Path) -> None:
    db = await open_store(db_path)
    try:
        bad = _event("b" * 12)._replace(event_id="too-short")  # violates the CHECK constraint
        with pytest.raises(sqlite3.IntegrityError):
            await write_batch(db, Batch(questions=[_event(), bad], dropped=3))
        assert not db.in_transaction
    finally:
        await db.close()
    assert _query(db_path, "SELECT COUNT(*) FROM events") == [(0,)]
    assert _query(db_path, "SELECT value FROM meta WHERE key = ?", (DROPPED_EVENTS,)) == [(0,)]


async def test_concepts_are_stored_per_event_and_joined_for_export(db_path: Path) -> None:
    db = await open_store(db_path)
    event = _event(level=Level.EMERGENCY, concepts=("blue-colour", "not-breathing"))
    await write_batch(db, Batch(questions=[event]))
    await db.close()
    assert _query(db_path, "SELECT concepts, level FROM events") == [
        ("blue-colour,not-breathing", "emergency")
    ]
    assert _query(db_path, "SELECT concept, level FROM event_concepts ORDER BY concept") == [
        ("blue-colour", "emergency"),
        ("not-breathing", "emergency"),
    ]


async def test_feedback_for_an_event_that_does_not_exist_is_ignored(db_path: Path) -> None:
    db = await open_store(db_path)
    await write_batch(db, Batch(feedback=[FeedbackEvent("c" * 12, False, "2025-03-10T12:00Z")]))
    await db.close()
    assert _query(db_path, "SELECT COUNT(*) FROM feedback") == [(0,)]


async def test_feedback_takes_the_day_and_topic_of_its_event(db_path: Path) -> None:
    db = await open_store(db_path)
    await write_batch(db, Batch(questions=[_event(day="2025-03-09")]))
    await write_batch(db, Batch(feedback=[FeedbackEvent("a" * 12, True, "2025-03-10T08:00Z")]))
    await db.close()
    assert _query(db_path, "SELECT helpful, hour, day, topic FROM feedback") == [
        (1, "2025-03-10T08:00Z", "2025-03-09", "sleep-twitching")
    ]


async def test_dropped_events_add_up_across_batches(db_path: Path) -> None:
    db = await open_store(db_path)
    try:
        await write_batch(db, Batch(dropped=2))
        await write_batch(db, Batch(dropped=5))
        assert await read_counter(db, DROPPED_EVENTS) == 7
    finally:
        await db.close()


async def test_roll_up_keeps_counts_and_deletes_old_rows(db_path: Path) -> None:
    db = await open_store(db_path)
    old = [
        _event("1" * 12, day="2025-01-01", asker="t1", text=None),
        _event("2" * 12, day="2025-01-01", asker="t2", level=Level.URGENT, concepts=("x",)),
        _event(
            "3" * 12,
            day="2025-01-01",
            asker="t1",
            topic=None,
            outcome=Outcome.FALLBACK,
            text="what pram",
        ),
    ]
    await write_batch(db, Batch(questions=[*old, _event("4" * 12, day="2025-03-01")]))
    await write_batch(db, Batch(feedback=[FeedbackEvent("1" * 12, False, "2025-01-01T13:00Z")]))
    rolled = await roll_up(db, "2025-02-01")
    await db.close()
    assert (rolled.events, rolled.days) == (3, 1)
    assert _query(db_path, "SELECT event_id FROM events") == [("4" * 12,)]
    assert _query(db_path, "SELECT COUNT(*) FROM questions_text") == [(0,)]
    assert _query(db_path, "SELECT COUNT(*) FROM feedback") == [(0,)]
    assert _query(db_path, "SELECT COUNT(*) FROM event_concepts") == [(0,)]
    assert _query(
        db_path,
        "SELECT outcome, topic, level, questions, helpful, unhelpful FROM daily_counts "
        "ORDER BY outcome, level",
    ) == [
        ("answered", "sleep-twitching", "", 1, 0, 1),
        ("answered", "sleep-twitching", "urgent", 1, 0, 0),
        ("fallback", "", "", 1, 0, 0),
    ]
    assert _query(db_path, "SELECT day, askers FROM daily_askers") == [("2025-01-01", 2)]
    assert _query(db_path, "SELECT concept, level, events FROM daily_concepts") == [
        ("x", "urgent", 1)
    ]


async def test_the_aggregates_hold_no_tokens_and_no_texts(db_path: Path) -> None:
    db = await open_store(db_path)
    await write_batch(
        db,
        Batch(
            questions=[
                _event(
                    day="2025-01-01",
                    asker="feedfacecafebeef",
                    topic=None,
                    outcome=Outcome.FALLBACK,
                    text="secret words",
                )
            ]
        ),
    )
    await roll_up(db, "2025-02-01")
    await db.close()
    for table in ("daily_counts", "daily_askers", "daily_concepts"):
        for row in _query(db_path, f"SELECT * FROM {table}"):  # noqa: S608 (fixed names)
            assert "feedfacecafebeef" not in repr(row)
            assert "secret" not in repr(row)


async def test_a_reader_refuses_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        await open_reader(tmp_path / "missing.sqlite3")
    assert not _exists(tmp_path / "missing.sqlite3")


async def test_a_reader_refuses_a_schema_it_does_not_know(db_path: Path) -> None:
    db = await open_store(db_path)
    await db.execute("PRAGMA user_version = 99")
    await db.close()
    with pytest.raises(SchemaMismatch):
        await open_reader(db_path)


async def test_a_reader_cannot_write(db_path: Path) -> None:
    db = await open_store(db_path)
    await db.close()
    reader = await open_reader(db_path)
    try:
        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            await reader.execute("DELETE FROM events")
    finally:
        await reader.close()


@pytest.mark.parametrize(
    ("query", "index"),
    [
        (
            "SELECT day, outcome, level, topic, COUNT(*) FROM events WHERE day BETWEEN ? AND ? "
            "GROUP BY day, outcome, level, topic",
            "events_by_day_outcome",
        ),
        (
            "SELECT day, COUNT(DISTINCT asker) FROM events WHERE day BETWEEN ? AND ? "
            "AND asker IS NOT NULL GROUP BY day",
            "events_by_day_asker",
        ),
        (
            "SELECT day, topic, SUM(helpful), SUM(1 - helpful) FROM feedback "
            "WHERE day BETWEEN ? AND ? GROUP BY day, topic",
            "feedback_by_day",
        ),
        (
            "SELECT day, concept, level, COUNT(*) FROM event_concepts "
            "WHERE day BETWEEN ? AND ? GROUP BY day, concept, level",
            "event_concepts_by_day",
        ),
    ],
)
async def test_report_queries_read_a_covering_index(db_path: Path, query: str, index: str) -> None:
    db = await open_store(db_path)
    try:
        async with db.execute(f"EXPLAIN QUERY PLAN {query}", ("a", "b")) as cur:
            plan = " ".join(str(row[-1]) for row in await cur.fetchall())
    finally:
        await db.close()
    assert f"COVERING INDEX {index}" in plan


async def test_aiosqlite_debug_logging_is_off_so_parameters_never_reach_a_log() -> None:
    import logging

    assert not logging.getLogger("aiosqlite").isEnabledFor(logging.DEBUG)
    assert isinstance(aiosqlite.Connection, type)
