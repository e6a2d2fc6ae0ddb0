"""Specification of anonymity: after a scripted run with parents who put their names, usernames,
phone numbers and e-mail addresses into their messages, no such value, no user or chat id and
no salt appears in any column of any table, in the database files, or in any log line."""

from __future__ import annotations

import asyncio
import logging
import re
import sqlite3
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tgbot.core.answers import Outcome, answer_for
from tgbot.core.content import load_content
from tgbot.stats.anonymize import AskerTokens
from tgbot.stats.events import AskPath, Channel
from tgbot.stats.recorder import StatsRecorder
from tgbot.stats.testing import FakeClock, make_answer


@dataclass(frozen=True)
class Parent:
    user_id: int
    chat_id: int
    username: str
    first: str
    last: str
    phone: str
    email: str

    def identifiers(self) -> list[str]:
        digits = re.sub(r"\D", "", self.phone)
        return [
            str(self.user_id),
            str(self.chat_id),
            str(abs(self.chat_id)),
            self.username,
            self.first,
            self.last,
            self.phone,
            digits[-7:],
            self.email,
            self.email.split("@")[0],
        ]


PARENTS = (
    Parent(
        5_123_456_789,
        -1_001_234_567_890,
        "annabelle_w",
        "Annabelle",
        "Whitcombe",
        "+44 7700 900123",
        "annabelle.whitcombe@example.com",
    ),
    Parent(
        6_234_567_890,
        6_234_567_890,
        "markus_k_1987",
        "Markus",
        "Kowalczyk",
        "0176-1234567",
        "markus.kowalczyk@web.de",
    ),
    Parent(
        7_345_678_901,
        -1_009_876_543_210,
        "ngozi_mama",
        "Ngozi",
        "Oyelaran",
        "(555) 123-4567",
        "ngozi.o@mail.co.uk",
    ),
)


def _messages(p: Parent) -> list[str]:
    return [
        f"Hi, I'm {p.first} {p.last}. My baby twitches in her sleep, is that normal? "
        f"Call me on {p.phone}",
        f"my name is {p.first}, email {p.email}, which pram is best for jogging?",
        f"@{p.username} here: what is myoclonus?",
        f"{p.first} {p.last}, {p.phone}, {p.email}: she went blue and stopped breathing",
        f"which stroller should {p.first} buy? {p.last} family, t.me/{p.username}",
        f"my son {p.first} has jerks when falling asleep - {p.first} {p.last} ({p.email})",
        f"why does my baby twitch when she falls asleep, asks {p.first}",
    ]


def _all_values(db_path: Path) -> Iterator[tuple[str, str]]:
    with closing(sqlite3.connect(db_path)) as conn:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        assert "events" in tables
        for table in tables:
            for row in conn.execute(f'SELECT * FROM "{table}"'):  # noqa: S608 (names from schema)
                for value in row:
                    yield table, str(value)


def _file_bytes(folder: Path) -> bytes:
    return b"".join(p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file())


async def _scripted_run(db_path: Path, clock: FakeClock, tokens: AskerTokens) -> list[str]:
    """Every parent asks every message in a private chat and a group, on two days, and gives
    feedback; a few questions are forced to stay unanswered so their text is kept."""
    pack = load_content().default
    rec = StatsRecorder(db_path, clock=clock, tokens=tokens, flush_interval=0.01)
    await rec.start()
    raw: list[str] = []
    for day in range(2):
        clock.advance(timedelta(days=day))
        for parent in PARENTS:
            for i, message in enumerate(_messages(parent)):
                raw.append(message)
                channel = Channel.PRIVATE if i % 2 == 0 else Channel.GROUP
                event_id = rec.record_answer(
                    answer_for(message, pack),
                    channel=channel,
                    path=AskPath.FREE_TEXT,
                    user_id=parent.user_id,
                )
                rec.record_feedback(event_id, helpful=i % 3 == 0, voter_id=parent.user_id)
                forced = make_answer(message, topic=None, outcome=Outcome.FALLBACK)
                rec.record_answer(
                    forced, channel=channel, path=AskPath.ASK_COMMAND, user_id=parent.user_id
                )
                answered = make_answer(message)
                rec.record_feedback(
                    rec.record_answer(
                        answered, channel=channel, path=AskPath.BUTTON, user_id=parent.user_id
                    ),
                    helpful=False,
                    voter_id=parent.user_id,
                )
        await asyncio.sleep(0.05)
    text = await rec.operator_summary()
    await rec.stop()
    assert "Questions: 126" in text.replace("\n", " ")
    return raw


@pytest.fixture
def captured_salts() -> list[bytes]:
    return []


@pytest.fixture
def run(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, captured_salts: list[bytes]
) -> tuple[Path, list[str]]:
    caplog.set_level(logging.DEBUG)
    clock = FakeClock(datetime(2025, 3, 10, 22, 0, tzinfo=UTC))

    def salt_source(n: int) -> bytes:
        import secrets

        captured_salts.append(secrets.token_bytes(n))
        return captured_salts[-1]

    db_path = tmp_path / "data" / "stats.sqlite3"
    raw = asyncio.run(_scripted_run(db_path, clock, AskerTokens(clock, salt_source=salt_source)))
    return db_path, raw


def test_no_identifier_appears_in_any_column_of_any_table(run: tuple[Path, list[str]]) -> None:
    db_path, _ = run
    for table, value in _all_values(db_path):
        for parent in PARENTS:
            for secret in parent.identifiers():
                assert secret.lower() not in value.lower(), (table, secret, value)


def test_no_raw_question_text_is_stored(run: tuple[Path, list[str]]) -> None:
    db_path, raw = run
    values = {value for _, value in _all_values(db_path)}
    assert not values & set(raw)


def test_kept_texts_are_scrubbed_versions_of_the_questions(run: tuple[Path, list[str]]) -> None:
    db_path, _ = run
    texts = {v for table, v in _all_values(db_path) if table == "questions_text" and " " in v}
    # The other messages carry a phone, an e-mail or a name cue: only these are kept, one with
    # the parent's name masked, one without the @handle that addressed it.
    assert texts == {
        "why does my baby twitch when she falls asleep, asks […]",
        "here: what is myoclonus?",
    }


def test_no_identifier_appears_in_the_database_files(run: tuple[Path, list[str]]) -> None:
    db_path, _ = run
    content = _file_bytes(db_path.parent).lower()
    for parent in PARENTS:
        for secret in parent.identifiers():
            assert secret.lower().encode() not in content, secret


def test_no_identifier_text_or_token_appears_in_any_log_line(
    run: tuple[Path, list[str]], caplog: pytest.LogCaptureFixture
) -> None:
    db_path, raw = run
    with closing(sqlite3.connect(db_path)) as conn:
        tokens = {r[0] for r in conn.execute("SELECT DISTINCT asker FROM events")}
    assert len(tokens) == 6  # three parents, two days
    records = caplog.get_records("setup") + caplog.records
    lines = [f"{r.name} {r.getMessage()}".lower() for r in records]
    assert any("stats_started" in line for line in lines)
    assert any("stats_stopped written=210 lost=0" in line for line in lines)  # 126 + feedback
    for line in lines:
        for parent in PARENTS:
            for secret in parent.identifiers():
                assert secret.lower() not in line, (secret, line)
        for token in tokens:
            assert token not in line
        for message in raw:
            assert message.lower() not in line


def test_the_salt_is_nowhere_on_disk_nor_in_the_logs(
    run: tuple[Path, list[str]], captured_salts: list[bytes], caplog: pytest.LogCaptureFixture
) -> None:
    db_path, _ = run
    assert len(captured_salts) == 2  # one per UTC day of the run
    content = _file_bytes(db_path.parent)
    logs = " ".join(r.getMessage() for r in caplog.get_records("setup")).lower()
    for salt in captured_salts:
        assert salt not in content
        assert salt.hex().encode() not in content.lower()
        assert salt.hex() not in logs


def test_the_same_parent_has_a_different_token_each_day(run: tuple[Path, list[str]]) -> None:
    db_path, _ = run
    with closing(sqlite3.connect(db_path)) as conn:
        per_day = dict(
            conn.execute("SELECT day, COUNT(DISTINCT asker) FROM events GROUP BY day").fetchall()
        )
        overall = conn.execute("SELECT COUNT(DISTINCT asker) FROM events").fetchone()[0]
    assert list(per_day.values()) == [3, 3]
    assert overall == 6
