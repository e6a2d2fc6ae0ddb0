"""The statistics database: one SQLite file through aiosqlite, WAL mode, versioned schema.

Opening creates the file (and its folder) and applies forward migrations tracked in
`PRAGMA user_version`. Writes happen in whole batches, one transaction each; retention rolls
old events into daily aggregates that keep counts only. Every statement is parameterised.
Nothing here ever sees a Telegram id, a name or raw text: events arrive anonymous.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import aiosqlite

from tgbot.stats.events import CheckEvent, FeedbackEvent, QuestionEvent

__all__ = [
    "DROPPED_EVENTS",
    "MIGRATIONS",
    "SCHEMA_VERSION",
    "Batch",
    "RollUp",
    "SchemaMismatch",
    "migrate",
    "open_reader",
    "open_store",
    "read_counter",
    "roll_up",
    "write_batch",
]

# aiosqlite logs every call at DEBUG with its SQL parameters, which would put asker tokens
# and question texts into a debug log; statistics must never reach a log.
logging.getLogger("aiosqlite").setLevel(logging.INFO)

DROPPED_EVENTS = "dropped_events"

# One migration is a sequence of statements that takes the schema from version i to i + 1.
# Never edit a released step: append a new one.
Migration = Sequence[str]

MIGRATIONS: tuple[Migration, ...] = (
    (
        # One row per answered question. hour/day are UTC; topic and level are NULL when
        # none; concepts is a comma-joined copy of event_concepts for readable exports.
        """
        CREATE TABLE events (
            event_id TEXT PRIMARY KEY CHECK (length(event_id) = 12),
            hour TEXT NOT NULL,
            day TEXT NOT NULL,
            channel TEXT NOT NULL,
            path TEXT NOT NULL,
            outcome TEXT NOT NULL,
            topic TEXT,
            confidence_bucket TEXT NOT NULL,
            level TEXT,
            concepts TEXT NOT NULL DEFAULT '',
            suggested INTEGER NOT NULL CHECK (suggested IN (0, 1)),
            language TEXT NOT NULL,
            asker TEXT
        )
        """,
        # Covering indexes, one per report query, so a month of a million events is read
        # from the index alone.
        "CREATE INDEX events_by_day_outcome ON events (day, outcome, level, topic)",
        "CREATE INDEX events_by_day_asker ON events (day, asker)",
        # Red-flag concepts of an event (level is the event's overall level), so counts by
        # concept are an index scan instead of splitting strings.
        """
        CREATE TABLE event_concepts (
            event_id TEXT NOT NULL,
            day TEXT NOT NULL,
            concept TEXT NOT NULL,
            level TEXT,
            PRIMARY KEY (event_id, concept)
        ) WITHOUT ROWID
        """,
        "CREATE INDEX event_concepts_by_day ON event_concepts (day, concept, level)",
        # The last 👍/👎 on an event. day and topic are copied from the event, so windows
        # match the questions and counts per topic need no join.
        """
        CREATE TABLE feedback (
            event_id TEXT PRIMARY KEY,
            helpful INTEGER NOT NULL CHECK (helpful IN (0, 1)),
            hour TEXT NOT NULL,
            day TEXT NOT NULL,
            topic TEXT
        )
        """,
        "CREATE INDEX feedback_by_day ON feedback (day, topic, helpful)",
        # Scrubbed texts of unanswered questions and of questions answered with a 👎.
        """
        CREATE TABLE questions_text (
            event_id TEXT NOT NULL,
            kind TEXT NOT NULL CHECK (kind IN ('unanswered', 'unhelpful')),
            day TEXT NOT NULL,
            text TEXT NOT NULL,
            PRIMARY KEY (event_id, kind)
        )
        """,
        "CREATE INDEX questions_text_by_day ON questions_text (day, kind, text)",
        # Retention: counts of rolled-up days, no tokens and no texts. '' stands for none.
        """
        CREATE TABLE daily_counts (
            day TEXT NOT NULL,
            channel TEXT NOT NULL,
            path TEXT NOT NULL,
            outcome TEXT NOT NULL,
            topic TEXT NOT NULL,
            level TEXT NOT NULL,
            language TEXT NOT NULL,
            questions INTEGER NOT NULL,
            helpful INTEGER NOT NULL,
            unhelpful INTEGER NOT NULL,
            PRIMARY KEY (day, channel, path, outcome, topic, level, language)
        ) WITHOUT ROWID
        """,
        """
        CREATE TABLE daily_askers (
            day TEXT PRIMARY KEY,
            askers INTEGER NOT NULL
        ) WITHOUT ROWID
        """,
        """
        CREATE TABLE daily_concepts (
            day TEXT NOT NULL,
            concept TEXT NOT NULL,
            level TEXT NOT NULL,
            events INTEGER NOT NULL,
            PRIMARY KEY (day, concept, level)
        ) WITHOUT ROWID
        """,
        # Counters that outlive events, such as events dropped on queue overflow.
        """
        CREATE TABLE meta (
            key TEXT PRIMARY KEY,
            value INTEGER NOT NULL
        ) WITHOUT ROWID
        """,
        "INSERT INTO meta (key, value) VALUES ('dropped_events', 0)",
    ),
    (
        # How the warning-signs checks ended, counted per day: no ids, tokens or texts.
        """
        CREATE TABLE checks (
            day TEXT NOT NULL,
            channel TEXT NOT NULL,
            ended_at TEXT NOT NULL,
            level TEXT NOT NULL,
            checks INTEGER NOT NULL,
            PRIMARY KEY (day, channel, ended_at, level)
        ) WITHOUT ROWID
        """,
    ),
)
SCHEMA_VERSION = len(MIGRATIONS)


class SchemaMismatch(sqlite3.DatabaseError):
    """The file's schema is newer than this code, or (for readers) not the current one."""


async def open_store(
    path: Path,
    *,
    busy_timeout_ms: int = 2_000,
    migrations: Sequence[Migration] = MIGRATIONS,
    max_page_count: int | None = None,
) -> aiosqlite.Connection:
    """Open (creating if needed) the database for writing, in WAL mode, migrated.

    max_page_count caps the file size; tests use it to simulate a full disk.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    # isolation_level=None: we issue BEGIN/COMMIT ourselves, one transaction per batch.
    db = await aiosqlite.connect(path, isolation_level=None)
    try:
        # Waiting briefly rides out a checkpoint or a CLI reader; longer is an outage.
        await db.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
        async with db.execute("PRAGMA journal_mode = WAL") as cur:
            row = await cur.fetchone()
        if row is None or str(row[0]).lower() != "wal":
            raise sqlite3.OperationalError("could not switch the database to WAL mode")
        # NORMAL is durable across a process crash in WAL mode (only a power cut can lose the
        # last commits) and keeps a batch commit cheap.
        await db.execute("PRAGMA synchronous = NORMAL")
        if max_page_count is not None:
            await db.execute(f"PRAGMA max_page_count = {int(max_page_count)}")
        await migrate(db, migrations)
    except BaseException:
        await db.close()
        raise
    return db


async def open_reader(path: Path) -> aiosqlite.Connection:
    """Open an existing database read-only for reports; it must have the current schema."""
    if not await asyncio.to_thread(path.is_file):
        raise FileNotFoundError(f"no statistics database at {path}")
    # A URI, so the path is percent-encoded: a "#", "?" or "%" in it would otherwise cut the
    # path short or add parameters (and "mode=ro" would be lost: SQLite would create a file).
    uri = await asyncio.to_thread(lambda: path.absolute().as_uri() + "?mode=ro")
    db = await aiosqlite.connect(uri, uri=True)
    try:
        version = await _user_version(db)
        if version != SCHEMA_VERSION:
            raise SchemaMismatch(
                f"{path} has schema version {version}, this code reads version "
                f"{SCHEMA_VERSION}; start the bot once to migrate it, or update the code"
            )
    except BaseException:
        await db.close()
        raise
    return db


async def _user_version(db: aiosqlite.Connection) -> int:
    async with db.execute("PRAGMA user_version") as cur:
        row = await cur.fetchone()
    return int(row[0]) if row else 0


async def migrate(db: aiosqlite.Connection, migrations: Sequence[Migration] = MIGRATIONS) -> int:
    """Apply the missing migration steps, each in its own transaction; returns the version."""
    version = await _user_version(db)
    if version > len(migrations):
        raise SchemaMismatch(
            f"database schema version {version} is newer than this code ({len(migrations)})"
        )
    for target in range(version + 1, len(migrations) + 1):
        await db.execute("BEGIN IMMEDIATE")
        try:
            for statement in migrations[target - 1]:
                await db.execute(statement)
            # user_version is transactional: a failed step leaves the old version behind.
            await db.execute(f"PRAGMA user_version = {int(target)}")
            await db.execute("COMMIT")
        except BaseException:
            await _rollback(db)
            raise
    return len(migrations)


async def _rollback(db: aiosqlite.Connection) -> None:
    try:
        if db.in_transaction:
            await db.execute("ROLLBACK")
    except (sqlite3.Error, ValueError):
        pass  # the connection is broken anyway; the caller reports the original error


@dataclass(slots=True)
class Batch:
    """What one transaction writes."""

    questions: list[QuestionEvent] = field(default_factory=list)
    feedback: list[FeedbackEvent] = field(default_factory=list)
    checks: list[CheckEvent] = field(default_factory=list)
    dropped: int = 0  # overflow drops not yet counted in the database

    def __len__(self) -> int:
        return len(self.questions) + len(self.feedback) + len(self.checks)


# DO NOTHING on a duplicate id only: a batch retried after a commit whose success was not
# seen is harmless, while a row breaking a CHECK still fails the whole batch.
_INSERT_EVENT = """
    INSERT INTO events (event_id, hour, day, channel, path, outcome, topic,
        confidence_bucket, level, concepts, suggested, language, asker)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT (event_id) DO NOTHING
"""
_INSERT_CONCEPT = """
    INSERT INTO event_concepts (event_id, day, concept, level) VALUES (?, ?, ?, ?)
    ON CONFLICT (event_id, concept) DO NOTHING
"""
_INSERT_UNANSWERED = """
    INSERT INTO questions_text (event_id, kind, day, text) VALUES (?, 'unanswered', ?, ?)
    ON CONFLICT (event_id, kind) DO NOTHING
"""
# Feedback attaches only to an event that exists, and takes the event's day and topic.
_UPSERT_FEEDBACK = """
    INSERT INTO feedback (event_id, helpful, hour, day, topic)
    SELECT event_id, ?, ?, day, topic FROM events WHERE event_id = ?
    ON CONFLICT (event_id) DO UPDATE SET helpful = excluded.helpful, hour = excluded.hour
"""
_INSERT_UNHELPFUL = """
    INSERT INTO questions_text (event_id, kind, day, text)
    SELECT event_id, 'unhelpful', day, ? FROM events WHERE event_id = ?
    ON CONFLICT (event_id, kind) DO UPDATE SET text = excluded.text
"""
# A count, not a row per check: a batch retried after a commit it did not see may count a
# check twice, the price of keeping no id at all.
_COUNT_CHECK = """
    INSERT INTO checks (day, channel, ended_at, level, checks) VALUES (?, ?, ?, ?, 1)
    ON CONFLICT (day, channel, ended_at, level) DO UPDATE SET checks = checks + 1
"""
_DELETE_UNHELPFUL = "DELETE FROM questions_text WHERE event_id = ? AND kind = 'unhelpful'"


def _event_row(e: QuestionEvent) -> tuple[object, ...]:
    return (
        e.event_id,
        e.hour,
        e.day,
        str(e.channel),
        str(e.path),
        str(e.outcome),
        e.topic,
        e.confidence_bucket,
        str(e.level) if e.level else None,
        ",".join(e.concepts),
        int(e.suggested),
        e.language,
        e.asker,
    )


async def write_batch(db: aiosqlite.Connection, batch: Batch) -> None:
    """Write one batch in a single transaction: all of it or, on any error, none of it."""
    await db.execute("BEGIN IMMEDIATE")
    try:
        if batch.questions:
            await db.executemany(_INSERT_EVENT, [_event_row(e) for e in batch.questions])
            concepts = [
                (e.event_id, e.day, c, str(e.level) if e.level else None)
                for e in batch.questions
                for c in e.concepts
            ]
            if concepts:
                await db.executemany(_INSERT_CONCEPT, concepts)
            texts = [(e.event_id, e.day, e.text) for e in batch.questions if e.text]
            if texts:
                await db.executemany(_INSERT_UNANSWERED, texts)
        if batch.feedback:
            await db.executemany(
                _UPSERT_FEEDBACK, [(int(f.helpful), f.hour, f.event_id) for f in batch.feedback]
            )
            unhelpful = [(f.text, f.event_id) for f in batch.feedback if not f.helpful and f.text]
            if unhelpful:
                await db.executemany(_INSERT_UNHELPFUL, unhelpful)
            # A 👍 after a 👎 (a change of mind) withdraws the kept text.
            helpful = [(f.event_id,) for f in batch.feedback if f.helpful]
            if helpful:
                await db.executemany(_DELETE_UNHELPFUL, helpful)
        if batch.checks:
            await db.executemany(
                _COUNT_CHECK,
                [(c.day, str(c.channel), c.ended_at, c.level or "") for c in batch.checks],
            )
        if batch.dropped:
            await _add(db, DROPPED_EVENTS, batch.dropped)
        await db.execute("COMMIT")
    except BaseException:
        await _rollback(db)
        raise


async def _add(db: aiosqlite.Connection, key: str, amount: int) -> None:
    await db.execute(
        "INSERT INTO meta (key, value) VALUES (?, ?) "
        "ON CONFLICT (key) DO UPDATE SET value = value + excluded.value",
        (key, amount),
    )


async def read_counter(db: aiosqlite.Connection, key: str) -> int:
    """A meta counter (0 when it was never set)."""
    async with db.execute("SELECT value FROM meta WHERE key = ?", (key,)) as cur:
        row = await cur.fetchone()
    return int(row[0]) if row else 0


@dataclass(frozen=True, slots=True)
class RollUp:
    """What one retention run moved into the daily aggregates."""

    events: int
    days: int


_ROLL_COUNTS = """
    INSERT INTO daily_counts (day, channel, path, outcome, topic, level, language, questions,
        helpful, unhelpful)
    SELECT e.day, e.channel, e.path, e.outcome, COALESCE(e.topic, ''), COALESCE(e.level, ''),
        e.language, COUNT(*), COALESCE(SUM(f.helpful = 1), 0), COALESCE(SUM(f.helpful = 0), 0)
    FROM events AS e LEFT JOIN feedback AS f ON f.event_id = e.event_id
    WHERE e.day < ?
    GROUP BY 1, 2, 3, 4, 5, 6, 7
    ON CONFLICT (day, channel, path, outcome, topic, level, language) DO UPDATE SET
        questions = questions + excluded.questions,
        helpful = helpful + excluded.helpful,
        unhelpful = unhelpful + excluded.unhelpful
"""
# Askers are distinct per day; a day rolled twice (late events) adds, an upper bound.
_ROLL_ASKERS = """
    INSERT INTO daily_askers (day, askers)
    SELECT day, COUNT(DISTINCT asker) FROM events WHERE day < ? GROUP BY day
    ON CONFLICT (day) DO UPDATE SET askers = askers + excluded.askers
"""
_ROLL_CONCEPTS = """
    INSERT INTO daily_concepts (day, concept, level, events)
    SELECT day, concept, COALESCE(level, ''), COUNT(*) FROM event_concepts WHERE day < ?
    GROUP BY 1, 2, 3
    ON CONFLICT (day, concept, level) DO UPDATE SET events = events + excluded.events
"""
_ROLL_DELETES = (
    "DELETE FROM feedback WHERE day < ?",
    "DELETE FROM event_concepts WHERE day < ?",
    "DELETE FROM questions_text WHERE day < ?",
    "DELETE FROM events WHERE day < ?",
)


async def roll_up(db: aiosqlite.Connection, before_day: str) -> RollUp:
    """Move every event of a day before `before_day` into the aggregates, in one transaction.

    Texts of those days are deleted, not aggregated: retention applies to them too.
    """
    await db.execute("BEGIN IMMEDIATE")
    try:
        async with db.execute(
            "SELECT COUNT(*), COUNT(DISTINCT day) FROM events WHERE day < ?", (before_day,)
        ) as cur:
            row = await cur.fetchone()
        events, days = (int(row[0]), int(row[1])) if row else (0, 0)
        if events:
            for statement in (_ROLL_COUNTS, _ROLL_ASKERS, _ROLL_CONCEPTS):
                await db.execute(statement, (before_day,))
        # Texts and feedback can outlive their events' rows only through a bug; clear anyway.
        for statement in _ROLL_DELETES:
            await db.execute(statement, (before_day,))
        await db.execute("COMMIT")
    except BaseException:
        await _rollback(db)
        raise
    return RollUp(events=events, days=days)
