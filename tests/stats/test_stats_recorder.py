"""Specification of StatsRecorder: what is queued, written, kept as text, dropped, rolled up."""

from __future__ import annotations

import asyncio
import logging
import re
import sqlite3
from collections.abc import AsyncIterator, Callable
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tgbot.core.answers import Answer, Outcome
from tgbot.core.model import Level
from tgbot.stats.events import AskPath, Channel
from tgbot.stats.recorder import StatsRecorder
from tgbot.stats.service import StatsService
from tgbot.stats.testing import FakeClock, make_answer

PRIVATE = {"channel": Channel.PRIVATE, "path": AskPath.FREE_TEXT}


def _query(path: Path, sql: str, params: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    with closing(sqlite3.connect(path)) as conn:
        return [tuple(r) for r in conn.execute(sql, params).fetchall()]


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2025, 3, 10, 12, 34, 56, tzinfo=UTC))


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "stats.sqlite3"


@pytest.fixture
def make_recorder(db_path: Path, clock: FakeClock) -> Callable[..., StatsRecorder]:
    def make(**overrides: object) -> StatsRecorder:
        options: dict[str, object] = {
            "clock": clock,
            "flush_interval": 0.01,
            "retry_initial": 0.01,
            "retry_max": 0.05,
            "busy_timeout_ms": 50,
            "stop_timeout": 1.0,
        }
        options.update(overrides)
        return StatsRecorder(db_path, **options)  # type: ignore[arg-type]

    return make


@pytest.fixture
async def recorder(make_recorder: Callable[..., StatsRecorder]) -> AsyncIterator[StatsRecorder]:
    rec = make_recorder()
    await rec.start()
    try:
        yield rec
    finally:
        await rec.stop()


def _record(rec: StatsRecorder, answer: Answer | None = None, user_id: int | None = 111) -> str:
    return rec.record_answer(answer or make_answer(), user_id=user_id, **PRIVATE)


def test_the_recorder_is_a_stats_service(make_recorder: Callable[..., StatsRecorder]) -> None:
    service: StatsService = make_recorder()
    assert callable(service.record_answer)


def test_record_answer_returns_a_fresh_event_id_before_start(
    make_recorder: Callable[..., StatsRecorder], db_path: Path
) -> None:
    rec = make_recorder()
    ids = {_record(rec) for _ in range(100)}
    assert len(ids) == 100
    assert all(re.fullmatch(r"[0-9a-f]{12}", i) for i in ids)
    assert rec.status().queued == 100
    assert not db_path.exists()


async def test_recorded_questions_are_written_with_their_fields(
    recorder: StatsRecorder, db_path: Path
) -> None:
    answer = make_answer(
        "baby went blue and is jerking",
        topic="when-to-see-doctor",
        confidence=0.93,
        level=Level.EMERGENCY,
        concepts=("not-breathing", "blue-colour"),
    )
    event_id = recorder.record_answer(
        answer, channel=Channel.GROUP, path=AskPath.ASK_COMMAND, user_id=5_123_456_789
    )
    assert await recorder.flush()
    [row] = _query(
        db_path,
        "SELECT event_id, hour, day, channel, path, outcome, topic, confidence_bucket, level, "
        "concepts, suggested, language FROM events",
    )
    assert row == (
        event_id,
        "2025-03-10T12:00Z",
        "2025-03-10",
        "group",
        "ask",
        "answered",
        "when-to-see-doctor",
        "0.9-1.0",
        "emergency",
        "blue-colour,not-breathing",
        0,
        "en",
    )


async def test_the_hour_is_truncated_and_in_utc(
    recorder: StatsRecorder, clock: FakeClock, db_path: Path
) -> None:
    clock.set(datetime.fromisoformat("2025-03-11T00:45:10+02:00"))
    _record(recorder)
    await recorder.flush()
    assert _query(db_path, "SELECT hour, day FROM events") == [("2025-03-10T22:00Z", "2025-03-10")]


async def test_suggestions_are_recorded_as_shown(recorder: StatsRecorder, db_path: Path) -> None:
    _record(recorder, make_answer("twitchy?", topic=None, suggestions=("a", "b")))
    await recorder.flush()
    assert _query(db_path, "SELECT outcome, suggested, topic FROM events") == [
        ("suggested", 1, None)
    ]


async def test_questions_without_a_user_have_no_asker_token(
    recorder: StatsRecorder, db_path: Path
) -> None:
    _record(recorder, user_id=None)
    await recorder.flush()
    assert _query(db_path, "SELECT asker FROM events") == [(None,)]


async def test_the_same_user_on_one_day_counts_as_one_asker(
    recorder: StatsRecorder, db_path: Path
) -> None:
    for user_id in (1, 1, 1, 2):
        _record(recorder, user_id=user_id)
    await recorder.flush()
    assert _query(db_path, "SELECT COUNT(DISTINCT asker) FROM events") == [(2,)]


async def test_the_writer_flushes_on_its_own(recorder: StatsRecorder, db_path: Path) -> None:
    _record(recorder)
    for _ in range(200):
        if recorder.status().written:
            break
        await asyncio.sleep(0.01)
    assert _query(db_path, "SELECT COUNT(*) FROM events") == [(1,)]


async def test_overflow_drops_the_oldest_events_and_counts_them(
    make_recorder: Callable[..., StatsRecorder], db_path: Path
) -> None:
    rec = make_recorder(queue_limit=5)
    ids = [_record(rec) for _ in range(8)]
    assert rec.status().dropped_unsaved == 3
    await rec.start()
    await rec.stop()
    kept = {r[0] for r in _query(db_path, "SELECT event_id FROM events")}
    assert kept == set(ids[3:])
    assert _query(db_path, "SELECT value FROM meta WHERE key = 'dropped_events'") == [(3,)]


async def test_dropped_events_show_in_the_operator_summary(
    make_recorder: Callable[..., StatsRecorder],
) -> None:
    rec = make_recorder(queue_limit=2)
    for _ in range(6):
        _record(rec)
    await rec.start()
    try:
        text = await rec.operator_summary()
    finally:
        await rec.stop()
    assert "Dropped events (queue overflow): 4" in text


async def test_stop_writes_everything_queued(
    make_recorder: Callable[..., StatsRecorder], db_path: Path
) -> None:
    rec = make_recorder(flush_interval=3600, batch_size=10_000, max_batch=10_000)
    await rec.start()
    for _ in range(2_345):
        _record(rec)
    await rec.stop()
    assert _query(db_path, "SELECT COUNT(*) FROM events") == [(2_345,)]


async def test_stop_twice_is_harmless(recorder: StatsRecorder) -> None:
    await recorder.stop()
    await recorder.stop()


@pytest.mark.parametrize(
    ("outcome", "kept"),
    [
        (Outcome.FALLBACK, True),
        (Outcome.SUGGESTED, True),
        (Outcome.ANSWERED, False),
        (Outcome.EMPTY, False),
    ],
)
async def test_text_is_kept_only_for_unanswered_questions(
    recorder: StatsRecorder, db_path: Path, outcome: Outcome, kept: bool
) -> None:
    topic = "sleep-twitching" if outcome is Outcome.ANSWERED else None
    _record(recorder, make_answer("which pram is best, asks Anna", topic=topic, outcome=outcome))
    await recorder.flush()
    texts = _query(db_path, "SELECT kind, text FROM questions_text")
    assert texts == ([("unanswered", "which pram is best, asks […]")] if kept else [])


async def test_the_bot_addressing_is_not_part_of_the_kept_text(
    recorder: StatsRecorder, db_path: Path
) -> None:
    _record(recorder, make_answer("/ask@parents_bot which pram is best", topic=None))
    await recorder.flush()
    assert _query(db_path, "SELECT text FROM questions_text") == [("which pram is best",)]


async def test_thumbs_down_keeps_the_scrubbed_text_of_an_answered_question(
    recorder: StatsRecorder, db_path: Path
) -> None:
    event_id = _record(recorder, make_answer("why does Leo twitch at night, is it normal"))
    assert recorder.record_feedback(event_id, helpful=False, voter_id=111)  # the asker
    await recorder.flush()
    assert _query(db_path, "SELECT event_id, helpful FROM feedback") == [(event_id, 0)]
    assert _query(db_path, "SELECT kind, text FROM questions_text") == [
        ("unhelpful", "why does […] twitch at night, is it normal")
    ]


async def test_thumbs_down_keeps_no_text_that_cannot_be_kept_safely(
    recorder: StatsRecorder, db_path: Path
) -> None:
    event_id = _record(recorder, make_answer("why does Leo twitch, call 07700 900123"))
    assert recorder.record_feedback(event_id, helpful=False, voter_id=111)
    await recorder.flush()
    assert _query(db_path, "SELECT event_id, helpful FROM feedback") == [(event_id, 0)]
    assert _query(db_path, "SELECT text FROM questions_text") == []


async def test_thumbs_down_from_someone_else_counts_but_keeps_no_text(
    recorder: StatsRecorder, db_path: Path
) -> None:
    # In a group anyone can press 👎 under another parent's answer.
    event_id = _record(recorder, make_answer("why does my son twitch at night"), user_id=111)
    assert recorder.record_feedback(event_id, helpful=False, voter_id=222)
    await recorder.flush()
    assert _query(db_path, "SELECT event_id, helpful FROM feedback") == [(event_id, 0)]
    assert _query(db_path, "SELECT text FROM questions_text") == []


async def test_thumbs_down_without_a_known_voter_or_asker_keeps_no_text(
    recorder: StatsRecorder, db_path: Path
) -> None:
    no_voter = _record(recorder, make_answer("why does my son twitch at night"))
    no_asker = _record(recorder, make_answer("why does my son twitch at night"), user_id=None)
    assert recorder.record_feedback(no_voter, helpful=False)
    assert recorder.record_feedback(no_asker, helpful=False, voter_id=111)
    await recorder.flush()
    assert len(_query(db_path, "SELECT event_id FROM feedback")) == 2
    assert _query(db_path, "SELECT text FROM questions_text") == []


async def test_thumbs_down_by_the_asker_after_utc_midnight_keeps_no_text(
    make_recorder: Callable[..., StatsRecorder], db_path: Path
) -> None:
    # The asker token changes at midnight; the check fails closed rather than keep an id.
    clock = FakeClock(datetime(2025, 3, 10, 23, 59, tzinfo=UTC))
    rec = make_recorder(clock=clock)
    await rec.start()
    event_id = _record(rec, make_answer("why does my son twitch at night"))
    clock.advance(timedelta(minutes=2))
    assert rec.record_feedback(event_id, helpful=False, voter_id=111)
    await rec.stop()
    assert len(_query(db_path, "SELECT event_id FROM feedback")) == 1
    assert _query(db_path, "SELECT text FROM questions_text") == []


async def test_answered_texts_are_scrubbed_within_a_flush_interval(
    recorder: StatsRecorder,
) -> None:
    _record(recorder, make_answer("why does Leo twitch"))
    assert recorder.status().unscrubbed_texts == 1
    await asyncio.sleep(0.1)  # the fixture's flush interval is 0.01 s
    assert recorder.status().unscrubbed_texts == 0


async def test_thumbs_down_before_the_writer_ran_still_keeps_only_scrubbed_text(
    make_recorder: Callable[..., StatsRecorder], db_path: Path
) -> None:
    rec = make_recorder(flush_interval=3600)
    await rec.start()
    event_id = _record(rec, make_answer("why does Leo twitch at night"))
    rec.record_feedback(event_id, helpful=False, voter_id=111)
    await rec.stop()
    assert _query(db_path, "SELECT text FROM questions_text") == [("why does […] twitch at night",)]


async def test_thumbs_up_keeps_no_text(recorder: StatsRecorder, db_path: Path) -> None:
    event_id = _record(recorder)
    recorder.record_feedback(event_id, helpful=True)
    await recorder.flush()
    assert _query(db_path, "SELECT helpful FROM feedback") == [(1,)]
    assert _query(db_path, "SELECT COUNT(*) FROM questions_text") == [(0,)]


async def test_a_change_of_mind_keeps_the_last_vote_and_withdraws_the_text(
    recorder: StatsRecorder, db_path: Path
) -> None:
    event_id = _record(recorder)
    recorder.record_feedback(event_id, helpful=False)
    await recorder.flush()
    recorder.record_feedback(event_id, helpful=True)
    await recorder.flush()
    assert _query(db_path, "SELECT helpful FROM feedback") == [(1,)]
    assert _query(db_path, "SELECT COUNT(*) FROM questions_text") == [(0,)]


async def test_thumbs_down_after_a_day_keeps_the_vote_but_not_the_text(
    recorder: StatsRecorder, clock: FakeClock, db_path: Path
) -> None:
    event_id = _record(recorder)
    clock.advance(timedelta(hours=25))
    recorder.record_feedback(event_id, helpful=False)
    await recorder.flush()
    assert _query(db_path, "SELECT helpful FROM feedback") == [(0,)]
    assert _query(db_path, "SELECT COUNT(*) FROM questions_text") == [(0,)]


async def test_only_the_most_recent_answers_are_remembered_for_feedback(
    make_recorder: Callable[..., StatsRecorder], db_path: Path
) -> None:
    rec = make_recorder(recent_limit=3)
    await rec.start()
    first = _record(rec)
    for _ in range(3):
        _record(rec)
    rec.record_feedback(first, helpful=False)
    await rec.stop()
    assert _query(db_path, "SELECT COUNT(*) FROM feedback") == [(1,)]
    assert _query(db_path, "SELECT COUNT(*) FROM questions_text") == [(0,)]


async def test_store_text_none_keeps_no_text_at_all(
    make_recorder: Callable[..., StatsRecorder], db_path: Path
) -> None:
    rec = make_recorder(store_text="none")
    await rec.start()
    _record(rec, make_answer("which pram is best", topic=None))
    answered = _record(rec)
    rec.record_feedback(answered, helpful=False)
    await rec.stop()
    assert _query(db_path, "SELECT COUNT(*) FROM events") == [(2,)]
    assert _query(db_path, "SELECT COUNT(*) FROM questions_text") == [(0,)]


def test_an_unknown_store_text_setting_is_refused(
    make_recorder: Callable[..., StatsRecorder],
) -> None:
    with pytest.raises(ValueError, match="store_text"):
        make_recorder(store_text="all")


@pytest.mark.parametrize(
    "event_id", ["", "abc", "ABCDEF012345", "0123456789abc", "../../etc/pa", "12345678901g", None]
)
def test_feedback_with_a_malformed_event_id_is_refused(
    make_recorder: Callable[..., StatsRecorder], event_id: object
) -> None:
    rec = make_recorder()
    assert rec.record_feedback(event_id, helpful=True) is False  # type: ignore[arg-type]
    assert rec.status().queued == 0


async def test_feedback_for_an_unknown_event_is_ignored(
    recorder: StatsRecorder, db_path: Path
) -> None:
    assert recorder.record_feedback("0123456789ab", helpful=True)
    await recorder.flush()
    assert _query(db_path, "SELECT COUNT(*) FROM feedback") == [(0,)]


async def test_a_broken_answer_never_raises_and_warns_once(
    recorder: StatsRecorder, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="tgbot.stats")
    for _ in range(3):
        event_id = recorder.record_answer(None, **PRIVATE, user_id=1)  # type: ignore[arg-type]
        assert re.fullmatch(r"[0-9a-f]{12}", event_id)
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "stats_record_failed" in warnings[0].getMessage()


async def test_a_scrubber_defect_loses_the_text_but_keeps_the_event(
    recorder: StatsRecorder, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(text: str) -> str:
        raise RuntimeError("scrubber defect")

    monkeypatch.setattr("tgbot.stats.recorder.scrub", broken)
    _record(recorder, make_answer("which pram for Anna", topic=None))
    _record(recorder)
    await asyncio.sleep(0.05)  # the writer scrubs remembered texts on its turn
    assert recorder.status().running
    await recorder.flush()
    assert _query(db_path, "SELECT COUNT(*) FROM events") == [(2,)]
    assert _query(db_path, "SELECT COUNT(*) FROM questions_text") == [(0,)]


async def test_old_events_are_rolled_up_on_start(
    make_recorder: Callable[..., StatsRecorder], clock: FakeClock, db_path: Path
) -> None:
    rec = make_recorder(retention_days=30)
    await rec.start()
    _record(rec)
    await rec.stop()
    clock.advance(timedelta(days=31))
    rec = make_recorder(retention_days=30)
    await rec.start()
    await rec.stop()
    assert _query(db_path, "SELECT COUNT(*) FROM events") == [(0,)]
    assert _query(db_path, "SELECT day, questions FROM daily_counts") == [("2025-03-10", 1)]


async def test_retention_runs_again_when_the_day_changes(
    make_recorder: Callable[..., StatsRecorder], clock: FakeClock, db_path: Path
) -> None:
    rec = make_recorder(retention_days=1)
    await rec.start()
    try:
        _record(rec)
        await rec.flush()
        clock.advance(timedelta(days=2))
        _record(rec)
        await rec.flush()
        assert _query(db_path, "SELECT day FROM events") == [("2025-03-12",)]
        assert _query(db_path, "SELECT day, questions FROM daily_counts") == [("2025-03-10", 1)]
    finally:
        await rec.stop()


async def test_operator_summary_reports_the_last_7_and_30_days(recorder: StatsRecorder) -> None:
    _record(recorder)
    _record(recorder, make_answer("which pram is best", topic=None))
    text = await recorder.operator_summary()
    assert "Last 7 days (2025-03-04 to 2025-03-10, UTC)" in text
    assert "Last 30 days (2025-02-09 to 2025-03-10, UTC)" in text
    assert "Questions: 2; answered 1 (50%), suggestions 0, unanswered 1" in text
    assert "1× which pram is best" in text


@pytest.fixture
def corrupt_db(db_path: Path) -> Path:
    db_path.parent.mkdir(parents=True)
    db_path.write_bytes(b"not a database " * 100)
    return db_path


@pytest.mark.usefixtures("corrupt_db")
async def test_operator_summary_explains_when_the_database_is_unavailable(
    make_recorder: Callable[..., StatsRecorder],
) -> None:
    rec = make_recorder(stop_timeout=0.1)
    await rec.start()
    try:
        _record(rec)
        text = await rec.operator_summary()
    finally:
        await rec.stop()
    assert text.startswith("Statistics are unavailable right now")
    assert "1 events are waiting" in text


# --- the warning-signs check ------------------------------------------------------------------


async def test_check_endings_are_counted_per_day_with_nothing_identifying(
    recorder: StatsRecorder, db_path: Path
) -> None:
    recorder.record_check(channel=Channel.PRIVATE, ended_at="series", level=Level.URGENT)
    recorder.record_check(channel=Channel.PRIVATE, ended_at="series", level=Level.URGENT)
    recorder.record_check(channel=Channel.GROUP, ended_at="all-clear", level=None)
    assert await recorder.flush()
    rows = _query(db_path, "SELECT * FROM checks ORDER BY channel")
    assert rows == [
        ("2025-03-10", "group", "all-clear", "", 1),
        ("2025-03-10", "private", "series", "urgent", 2),
    ]
    # A count and its labels: no column could hold an id, a token or a text.
    columns = [r[1] for r in _query(db_path, "PRAGMA table_info(checks)")]
    assert columns == ["day", "channel", "ended_at", "level", "checks"]


async def test_the_operator_summary_shows_how_checks_ended(recorder: StatsRecorder) -> None:
    recorder.record_check(channel=Channel.PRIVATE, ended_at="breathing", level=Level.EMERGENCY)
    recorder.record_check(channel=Channel.PRIVATE, ended_at="all-clear", level=None)
    recorder.record_check(channel=Channel.PRIVATE, ended_at="all-clear", level=None)
    text = await recorder.operator_summary()
    assert "Warning-sign checks: 3, ended at: all-clear 2; breathing (emergency) 1" in text


def test_a_bad_check_record_never_raises(make_recorder: Callable[..., StatsRecorder]) -> None:
    rec = make_recorder()
    rec.record_check(channel="nonsense", ended_at="x", level=None)  # type: ignore[arg-type]
    rec.record_check(channel=Channel.PRIVATE, ended_at="x", level="loud")  # type: ignore[arg-type]


# --- a database damaged while the bot runs ---------------------------------------------------


async def test_a_database_damaged_while_running_is_moved_aside_and_a_fresh_one_started(
    recorder: StatsRecorder, db_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    _record(recorder)
    assert await recorder.flush()
    # Something overwrites the file under the running bot (a bad disk, a stray copy).
    with db_path.open("r+b") as f:
        f.write(b"this is not a database any more " * 200)
    for path in (
        db_path.with_name(db_path.name + "-wal"),
        db_path.with_name(db_path.name + "-shm"),
    ):
        if path.exists():
            path.write_bytes(b"\0garbage" * 100)
    with caplog.at_level(logging.INFO, logger="tgbot.stats"):
        for _ in range(3):
            _record(recorder)
        # The write that finds the damage moves the file aside; the next one (the writer's
        # next turn, or this flush) goes to the fresh file.
        await recorder.flush(give_up_after=5.0)
        assert await recorder.flush(give_up_after=5.0)
    moved = sorted(db_path.parent.glob(db_path.name + ".corrupt-*"))
    assert moved, list(db_path.parent.iterdir())
    # The fresh file holds what came after, and is sound.
    assert _query(db_path, "PRAGMA integrity_check") == [("ok",)]
    assert _query(db_path, "SELECT COUNT(*) FROM events") == [(3,)]
    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1
    assert errors[0].startswith("event=stats_corrupt moved_to=stats.sqlite3.corrupt-")
    text = await recorder.operator_summary()
    assert "found damaged and moved aside to stats.sqlite3.corrupt-" in text
