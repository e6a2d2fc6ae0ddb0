"""Specification of the reports: exact figures for a known set of events, before and after
retention, through the query functions, the operators' text and the command line."""

from __future__ import annotations

import asyncio
import csv
import io
import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from tgbot.core.answers import Outcome
from tgbot.core.model import Level
from tgbot.stats import cli
from tgbot.stats.events import AskPath, Channel
from tgbot.stats.queries import StatsSummary, Window, daily_series, summary, window
from tgbot.stats.recorder import StatsRecorder
from tgbot.stats.store import open_reader
from tgbot.stats.testing import FakeClock, make_answer

TODAY = datetime(2025, 3, 10, 15, 0, tzinfo=UTC)
PRAM = "which pram is best for long walks"
SPASMS = "he bends forward again and again"


async def _record_known_events(db_path: Path, clock: FakeClock) -> None:
    """Three days of questions whose figures are worked out by hand in the tests below."""
    rec = StatsRecorder(db_path, clock=clock, flush_interval=0.01)
    await rec.start()
    private = {"channel": Channel.PRIVATE, "path": AskPath.FREE_TEXT}

    # Two days ago: 3 answered (sleep-twitching), 1 fallback, 1 suggested; askers 1-4.
    clock.set(TODAY - timedelta(days=2))
    liked = [rec.record_answer(make_answer(), user_id=u, **private) for u in (1, 2, 3)]
    rec.record_answer(make_answer(PRAM, topic=None), user_id=1, **private)
    rec.record_answer(
        make_answer("is twitchy normal?", topic=None, suggestions=("a",)), user_id=4, **private
    )
    for event_id in liked[:2]:
        rec.record_feedback(event_id, helpful=True)

    # Yesterday: 2 answered infantile-spasms (urgent), 1 answered emergency, 1 empty;
    # askers 1, 5, 6.
    clock.set(TODAY - timedelta(days=1))
    spasms = make_answer(
        SPASMS, topic="infantile-spasms", level=Level.URGENT, concepts=("infantile-spasms",)
    )
    disliked = rec.record_answer(spasms, user_id=1, **private)
    rec.record_answer(spasms, user_id=5, channel=Channel.GROUP, path=AskPath.ASK_COMMAND)
    rec.record_answer(
        make_answer(
            "not breathing",
            topic="when-to-see-doctor",
            level=Level.EMERGENCY,
            concepts=("not-breathing",),
        ),
        user_id=6,
        **private,
    )
    rec.record_answer(make_answer("🍼", topic=None, outcome=Outcome.EMPTY), user_id=6, **private)
    rec.record_feedback(disliked, helpful=False, voter_id=1)  # its asker

    # Today: 2 fallbacks with the same text, 1 answered; askers 7 and 8.
    clock.set(TODAY)
    rec.record_answer(make_answer(PRAM, topic=None), user_id=7, **private)
    rec.record_answer(make_answer(PRAM, topic=None), user_id=8, **private)
    rec.record_answer(make_answer(), user_id=7, **private)
    await rec.stop()


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "stats.sqlite3"


@pytest.fixture
async def known(db_path: Path) -> Path:
    await _record_known_events(db_path, FakeClock(TODAY))
    return db_path


@pytest.fixture
def known_file(db_path: Path) -> Path:
    """The known events for the command line, which runs its own event loop."""
    asyncio.run(_record_known_events(db_path, FakeClock(TODAY)))
    return db_path


async def _summary(db_path: Path, days: int, now: datetime = TODAY) -> StatsSummary:
    db = await open_reader(db_path)
    try:
        return await summary(db, days, now)
    finally:
        await db.close()


async def test_totals_over_the_last_7_days(known: Path) -> None:
    s = await _summary(known, 7)
    assert (s.questions, s.answered, s.suggested, s.unanswered) == (12, 7, 1, 4)
    assert (s.urgent, s.emergency) == (2, 1)
    assert s.answered_share == pytest.approx(7 / 12)
    assert s.dropped_events == 0


async def test_daily_series_splits_outcomes_and_counts_askers_per_day(known: Path) -> None:
    s = await _summary(known, 3)
    rows = [
        (d.day.isoformat(), d.answered, d.suggested, d.unanswered, d.urgent, d.emergency, d.askers)
        for d in s.daily
    ]
    assert rows == [
        ("2025-03-08", 3, 1, 1, 0, 0, 4),
        ("2025-03-09", 3, 0, 1, 2, 1, 3),
        ("2025-03-10", 1, 0, 2, 0, 0, 2),
    ]
    assert s.askers_average == pytest.approx(3.0)


async def test_days_without_questions_are_in_the_series(known: Path) -> None:
    s = await _summary(known, 7)
    assert [d.day for d in s.daily] == [date(2025, 3, 4) + timedelta(days=i) for i in range(7)]
    assert [d.questions for d in s.daily] == [0, 0, 0, 0, 5, 4, 3]


async def test_top_topics_red_flags_and_feedback(known: Path) -> None:
    s = await _summary(known, 7)
    assert [(t.topic, t.questions) for t in s.top_topics] == [
        ("sleep-twitching", 4),
        ("infantile-spasms", 2),
        ("when-to-see-doctor", 1),
    ]
    assert [(c.concept, c.level, c.events) for c in s.red_flag_concepts] == [
        ("infantile-spasms", "urgent", 2),
        ("not-breathing", "emergency", 1),
    ]
    assert [(f.topic, f.helpful, f.unhelpful) for f in s.feedback] == [
        ("sleep-twitching", 2, 0),
        ("infantile-spasms", 0, 1),
    ]


async def test_most_common_unanswered_and_unhelpful_texts(known: Path) -> None:
    s = await _summary(known, 7)
    assert [(t.text, t.count) for t in s.top_unanswered] == [(PRAM, 3), ("is twitchy normal?", 1)]
    assert [(t.text, t.count) for t in s.top_unhelpful] == [(SPASMS, 1)]


async def test_a_one_day_window_holds_today_only(known: Path) -> None:
    s = await _summary(known, 1)
    assert (s.questions, s.answered, s.unanswered) == (3, 1, 2)
    assert [(t.text, t.count) for t in s.top_unanswered] == [(PRAM, 2)]


async def test_figures_survive_the_retention_roll_up(known: Path) -> None:
    later = TODAY + timedelta(days=200)
    before = await _summary(known, 400, later)
    rec = StatsRecorder(known, clock=FakeClock(later), retention_days=180)
    await rec.start()
    await rec.stop()
    after = await _summary(known, 400, later)
    assert after.daily == before.daily
    assert after.top_topics == before.top_topics
    assert after.red_flag_concepts == before.red_flag_concepts
    assert after.feedback == before.feedback
    assert after.top_unanswered == ()  # texts are deleted with their events, not aggregated


async def test_series_mix_rolled_up_and_live_days(known: Path) -> None:
    # Retention of 1 day on TODAY rolls up the 8th only; the 9th and the 10th stay live.
    rec = StatsRecorder(known, clock=FakeClock(TODAY), retention_days=1)
    await rec.start()
    await rec.stop()
    s = await _summary(known, 3)
    assert [(d.questions, d.askers) for d in s.daily] == [(5, 4), (4, 3), (3, 2)]


def test_window_counts_whole_utc_days_up_to_today() -> None:
    w = window(7, datetime.fromisoformat("2025-03-11T01:00:00+02:00"))
    assert w == Window(date(2025, 3, 4), date(2025, 3, 10))
    assert w.days == 7


async def test_an_empty_database_reports_zeros(db_path: Path) -> None:
    rec = StatsRecorder(db_path, clock=FakeClock(TODAY))
    await rec.start()
    await rec.stop()
    db = await open_reader(db_path)
    try:
        series = await daily_series(db, window(30, TODAY))
    finally:
        await db.close()
    assert len(series) == 30
    assert sum(d.questions for d in series) == 0


def _run_cli(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = cli.main(argv)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_cli_json_gives_the_exact_figures(
    known_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = _run_cli(
        ["--db", str(known_file), "--format", "json", "--now", TODAY.isoformat()], capsys
    )
    assert code == 0
    data = json.loads(out)
    assert [w["days"] for w in data["windows"]] == [7, 30]
    week = data["windows"][0]
    assert (week["questions"], week["answered"], week["suggested"], week["unanswered"]) == (
        12,
        7,
        1,
        4,
    )
    assert [d["askers"] for d in week["daily"]][-3:] == [4, 3, 2]
    assert week["top_topics"][0] == {"topic": "sleep-twitching", "questions": 4}
    assert week["top_unanswered"][0] == {"text": PRAM, "count": 3}
    assert data["dropped_events"] == 0


def test_cli_table_is_the_operators_text(
    known_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = _run_cli(
        ["--db", str(known_file), "--days", "3", "--now", TODAY.isoformat()], capsys
    )
    assert code == 0
    assert "Last 3 days (2025-03-08 to 2025-03-10, UTC)" in out
    assert "Questions: 12; answered 7 (58%), suggestions 1, unanswered 4" in out
    assert "Red flags by concept: infantile-spasms (urgent) 2; not-breathing (emergency) 1" in out
    assert "Feedback 👍/👎 by topic: sleep-twitching 2/0; infantile-spasms 0/1" in out
    assert f"3× {PRAM}" in out


def test_cli_csv_has_one_figure_a_row(known_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run_cli(
        ["--db", str(known_file), "--days", "7", "--format", "csv", "--now", TODAY.isoformat()],
        capsys,
    )
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    totals = {r["key"]: r["value"] for r in rows if r["section"] == "total"}
    assert totals["questions"] == "12"
    assert totals["dropped_events"] == "0"
    assert {"day", "topic", "red_flag", "feedback", "unanswered_text"} <= {
        r["section"] for r in rows
    }


def test_cli_export_writes_every_event_as_csv(
    known_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = _run_cli(["export", "--format", "csv", "--db", str(known_file)], capsys)
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert len(rows) == 12
    assert tuple(rows[0]) == cli.EXPORT_COLUMNS
    assert sorted(r["feedback"] for r in rows if r["feedback"]) == [
        "helpful",
        "helpful",
        "unhelpful",
    ]


def test_cli_export_of_the_last_day_only(
    known_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = _run_cli(
        ["export", "--db", str(known_file), "--days", "1", "--now", TODAY.isoformat()], capsys
    )
    assert code == 0
    assert len(list(csv.DictReader(io.StringIO(out)))) == 3


def test_cli_export_to_a_file(
    known_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "events.csv"
    code, _, err = _run_cli(["export", "--db", str(known_file), "--output", str(target)], capsys)
    assert code == 0
    assert "exported 12 events" in err
    assert len(target.read_text(encoding="utf-8").splitlines()) == 13


def test_cli_uses_stats_db_path_by_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("STATS_DB_PATH", str(tmp_path / "nowhere.sqlite3"))
    code, _, err = _run_cli([], capsys)
    assert code == 1
    assert "nowhere.sqlite3" in err
    assert not (tmp_path / "nowhere.sqlite3").exists()


def test_cli_refuses_a_file_that_is_not_a_database(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.sqlite3"
    bad.write_bytes(b"garbage" * 100)
    code, _, err = _run_cli(["--db", str(bad)], capsys)
    assert code == 1
    assert "cannot read" in err
