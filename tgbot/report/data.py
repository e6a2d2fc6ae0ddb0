"""Reads the figures of one operator report from the statistics database into a ReportData.

An adapter over tgbot.stats.queries.summary (its SQL, its retention roll-ups), so the report,
/stats and `python -m tgbot stats` always agree. Read-only; a missing database file is an
empty report, not an error. Never imports matplotlib or telegram.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from tgbot.report.model import (
    DayFigures,
    ReportData,
    ReportPeriod,
    TopicCount,
    TopicFeedback,
    UnansweredQuestion,
    report_period,
)
from tgbot.stats import queries
from tgbot.stats.store import open_reader

__all__ = ["NO_TOPIC", "TOP_ROWS", "empty_report", "load_report_data"]

# How many topics and unanswered texts the page lists: enough to act on, short enough to read.
TOP_ROWS = 10
# Feedback on a reply without a topic (suggestions, the fallback) still counts; it is shown
# under this label, which cannot clash with a topic id (ids are slugs without parentheses).
NO_TOPIC = "(no topic)"


def empty_report(period: ReportPeriod, generated_at: datetime, content_version: str) -> ReportData:
    """The report of a period without any recorded question."""
    return ReportData(
        period=period,
        generated_at=generated_at,
        content_version=content_version,
        days=tuple(DayFigures(day=d) for d in period.each_day()),
    )


async def load_report_data(
    db_path: Path, days: int, *, now: datetime | None = None, content_version: str = ""
) -> ReportData:
    """The report of the last `days` UTC days up to `now`, read from the database at db_path.

    Raises tgbot.stats.store.SchemaMismatch when the file has another schema version.
    """
    generated_at = (now or datetime.now(UTC)).astimezone(UTC)
    period = report_period(days, generated_at)
    # One stat() call: not worth a thread hop (ASYNC240 asks for one).
    if not db_path.is_file():  # noqa: ASYNC240
        # The bot creates the file on its first start; before that there is nothing to show.
        return empty_report(period, generated_at, content_version)
    db = await open_reader(db_path)
    try:
        # One summary reads the window's day rows once (the per-figure query functions would
        # each read them again) and is exactly what /stats and `python -m tgbot stats` show.
        stats = await queries.summary(db, days, generated_at, top=TOP_ROWS)
    finally:
        await db.close()
    return ReportData(
        period=period,
        generated_at=generated_at,
        content_version=content_version,
        days=tuple(
            DayFigures(
                day=d.day,
                answered=d.answered,
                suggested=d.suggested,
                # Same definition as `python -m tgbot stats`: the fallback or nothing readable.
                unanswered=d.unanswered,
                emergency=d.emergency,
                urgent=d.urgent,
                askers=d.askers,
            )
            for d in stats.daily
        ),
        top_topics=tuple(TopicCount(t.topic, t.questions) for t in stats.top_topics),
        feedback=tuple(
            TopicFeedback(f.topic if f.topic is not None else NO_TOPIC, f.helpful, f.unhelpful)
            for f in stats.feedback
        ),
        top_unanswered=tuple(UnansweredQuestion(t.text, t.count) for t in stats.top_unanswered),
        dropped_events=stats.dropped_events,
    )
