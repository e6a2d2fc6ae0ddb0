"""Report queries over the statistics store, with typed results.

Used by the operators' /stats, the `stats` command line and the HTML report. Every function
reads live events and the daily aggregates of rolled-up days together, so a window that
reaches past the retention period still counts everything. Days are UTC. Read-only.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import aiosqlite

from tgbot.stats.period import Window, window
from tgbot.stats.store import DROPPED_EVENTS, read_counter

__all__ = [
    "ConceptCount",
    "DayCounts",
    "StatsSummary",
    "TextCount",
    "TopicCount",
    "TopicFeedback",
    "Window",
    "daily_series",
    "dropped_events",
    "feedback_by_topic",
    "red_flag_concepts",
    "summaries",
    "summary",
    "top_texts",
    "top_topics",
    "window",
]


@dataclass(frozen=True, slots=True)
class DayCounts:
    """One day's questions by outcome, red flags by level, and distinct askers."""

    day: date
    answered: int = 0
    suggested: int = 0
    fallback: int = 0
    empty: int = 0
    urgent: int = 0
    emergency: int = 0
    askers: int = 0

    @property
    def questions(self) -> int:
        return self.answered + self.suggested + self.fallback + self.empty

    @property
    def unanswered(self) -> int:
        """Questions no topic answered: the kind fallback or nothing readable."""
        return self.fallback + self.empty


@dataclass(frozen=True, slots=True)
class TopicCount:
    topic: str
    questions: int


@dataclass(frozen=True, slots=True)
class ConceptCount:
    """Events that touched a red-flag concept, by the event's overall level."""

    concept: str
    level: str | None
    events: int


@dataclass(frozen=True, slots=True)
class TopicFeedback:
    """👍/👎 on answers of one topic (topic None: answers without a topic)."""

    topic: str | None
    helpful: int
    unhelpful: int


@dataclass(frozen=True, slots=True)
class CheckCount:
    """How many warning-signs checks ended at a step (or "all-clear"), at what level."""

    ended_at: str
    level: str | None
    checks: int


@dataclass(frozen=True, slots=True)
class TextCount:
    """A scrubbed question text and how often it was kept in the window."""

    text: str
    count: int


@dataclass(frozen=True, slots=True)
class StatsSummary:
    """Everything the operators' overview shows for one window."""

    window: Window
    daily: tuple[DayCounts, ...]
    top_topics: tuple[TopicCount, ...]
    red_flag_concepts: tuple[ConceptCount, ...]
    feedback: tuple[TopicFeedback, ...]
    top_unanswered: tuple[TextCount, ...]
    top_unhelpful: tuple[TextCount, ...]
    dropped_events: int
    checks: tuple[CheckCount, ...] = ()

    def _total(self, name: str) -> int:
        return sum(int(getattr(d, name)) for d in self.daily)

    @property
    def questions(self) -> int:
        return self._total("questions")

    @property
    def answered(self) -> int:
        return self._total("answered")

    @property
    def suggested(self) -> int:
        return self._total("suggested")

    @property
    def unanswered(self) -> int:
        return self._total("unanswered")

    @property
    def urgent(self) -> int:
        return self._total("urgent")

    @property
    def emergency(self) -> int:
        return self._total("emergency")

    @property
    def answered_share(self) -> float:
        """Answered with a topic, of all questions (suggestions do not count as answered)."""
        return self.answered / self.questions if self.questions else 0.0

    @property
    def askers_average(self) -> float:
        """Distinct askers per day, averaged over every day of the window.

        Tokens rotate daily, so askers cannot be counted across days: there is no total.
        """
        return self._total("askers") / self.window.days


def _bounds(w: Window) -> tuple[str, str]:
    return w.start.isoformat(), w.end.isoformat()


# Every count is read per day, once, for the widest window asked for; narrower windows and the
# totals are sums over those rows in Python. Grouping by day first lets SQLite stream each
# covering index instead of sorting a month of events.
_OUTCOME_ROWS = """
    SELECT day, outcome, level, topic, COUNT(*) FROM events
    WHERE day BETWEEN ? AND ? GROUP BY day, outcome, level, topic
    UNION ALL
    SELECT day, outcome, NULLIF(level, ''), NULLIF(topic, ''), SUM(questions) FROM daily_counts
    WHERE day BETWEEN ? AND ? GROUP BY day, outcome, level, topic
"""
_ASKER_ROWS = """
    SELECT day, COUNT(DISTINCT asker) FROM events
    WHERE day BETWEEN ? AND ? AND asker IS NOT NULL GROUP BY day
    UNION ALL
    SELECT day, askers FROM daily_askers WHERE day BETWEEN ? AND ?
"""
_CONCEPT_ROWS = """
    SELECT day, concept, level, COUNT(*) FROM event_concepts
    WHERE day BETWEEN ? AND ? GROUP BY day, concept, level
    UNION ALL
    SELECT day, concept, NULLIF(level, ''), SUM(events) FROM daily_concepts
    WHERE day BETWEEN ? AND ? GROUP BY day, concept, level
"""
_FEEDBACK_ROWS = """
    SELECT day, topic, SUM(helpful), SUM(1 - helpful) FROM feedback
    WHERE day BETWEEN ? AND ? GROUP BY day, topic
    UNION ALL
    SELECT day, NULLIF(topic, ''), SUM(helpful), SUM(unhelpful) FROM daily_counts
    WHERE day BETWEEN ? AND ? AND (helpful > 0 OR unhelpful > 0) GROUP BY day, topic
"""
_TEXTS = """
    SELECT text, COUNT(*) AS n FROM questions_text
    WHERE day BETWEEN ? AND ? AND kind = ?
    GROUP BY text ORDER BY n DESC, text LIMIT ?
"""

_CHECKS = """
    SELECT ended_at, level, SUM(checks) AS n FROM checks
    WHERE day BETWEEN ? AND ?
    GROUP BY ended_at, level ORDER BY n DESC, ended_at
"""

_Row = tuple[Any, ...]


@dataclass(frozen=True, slots=True)
class _DayRows:
    """Per-day counts of a window, read once; `within` narrows them to a sub-window."""

    outcomes: list[_Row]  # day, outcome, level, topic, n
    askers: list[_Row]  # day, n
    concepts: list[_Row]  # day, concept, level, n
    feedback: list[_Row]  # day, topic, helpful, unhelpful

    @classmethod
    async def read(cls, db: aiosqlite.Connection, w: Window) -> _DayRows:
        lo, hi = _bounds(w)
        params = (lo, hi, lo, hi)
        return cls(
            outcomes=[tuple(r) for r in await db.execute_fetchall(_OUTCOME_ROWS, params)],
            askers=[tuple(r) for r in await db.execute_fetchall(_ASKER_ROWS, params)],
            concepts=[tuple(r) for r in await db.execute_fetchall(_CONCEPT_ROWS, params)],
            feedback=[tuple(r) for r in await db.execute_fetchall(_FEEDBACK_ROWS, params)],
        )

    def within(self, w: Window) -> _DayRows:
        lo, hi = _bounds(w)

        def keep(rows: list[_Row]) -> list[_Row]:
            return [r for r in rows if lo <= r[0] <= hi]

        return _DayRows(
            keep(self.outcomes), keep(self.askers), keep(self.concepts), keep(self.feedback)
        )

    def daily(self, w: Window) -> tuple[DayCounts, ...]:
        counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        for day, outcome, level, _topic, n in self.outcomes:
            counts[day][str(outcome)] += int(n)
            if level:
                counts[day][str(level)] += int(n)
        for day, n in self.askers:
            counts[day]["askers"] += int(n)
        series = []
        for d in w.each_day():
            c = counts.get(d.isoformat(), {})
            series.append(
                DayCounts(
                    day=d,
                    answered=c.get("answered", 0),
                    suggested=c.get("suggested", 0),
                    fallback=c.get("fallback", 0),
                    empty=c.get("empty", 0),
                    urgent=c.get("urgent", 0),
                    emergency=c.get("emergency", 0),
                    askers=c.get("askers", 0),
                )
            )
        return tuple(series)

    def top_topics(self, limit: int) -> tuple[TopicCount, ...]:
        totals: dict[str, int] = defaultdict(int)
        for _day, _outcome, _level, topic, n in self.outcomes:
            if topic:
                totals[str(topic)] += int(n)
        ranked = sorted(totals.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]
        return tuple(TopicCount(t, n) for t, n in ranked)

    def red_flag_concepts(self) -> tuple[ConceptCount, ...]:
        totals: dict[tuple[str, str], int] = defaultdict(int)
        for _day, concept, level, n in self.concepts:
            totals[(str(concept), str(level or ""))] += int(n)
        ranked = sorted(totals.items(), key=lambda kv: (-kv[1], kv[0]))
        return tuple(ConceptCount(c, lv or None, n) for (c, lv), n in ranked)

    def feedback_by_topic(self) -> tuple[TopicFeedback, ...]:
        up: dict[str, int] = defaultdict(int)
        down: dict[str, int] = defaultdict(int)
        for _day, topic, helpful, unhelpful in self.feedback:
            up[str(topic or "")] += int(helpful)
            down[str(topic or "")] += int(unhelpful)
        ranked = sorted(up, key=lambda t: (-(up[t] + down[t]), t))
        return tuple(TopicFeedback(t or None, up[t], down[t]) for t in ranked)


async def daily_series(db: aiosqlite.Connection, w: Window) -> tuple[DayCounts, ...]:
    """One DayCounts for every day of the window, days without questions included."""
    return (await _DayRows.read(db, w)).daily(w)


async def top_topics(
    db: aiosqlite.Connection, w: Window, limit: int = 10
) -> tuple[TopicCount, ...]:
    """Topics answered most often in the window, most asked first."""
    return (await _DayRows.read(db, w)).top_topics(limit)


async def red_flag_concepts(db: aiosqlite.Connection, w: Window) -> tuple[ConceptCount, ...]:
    """Events per red-flag concept and overall level, most frequent first."""
    return (await _DayRows.read(db, w)).red_flag_concepts()


async def feedback_by_topic(db: aiosqlite.Connection, w: Window) -> tuple[TopicFeedback, ...]:
    """👍/👎 per topic for questions asked in the window, most feedback first."""
    return (await _DayRows.read(db, w)).feedback_by_topic()


async def top_texts(
    db: aiosqlite.Connection, w: Window, kind: str = "unanswered", limit: int = 10
) -> tuple[TextCount, ...]:
    """The most frequent kept (scrubbed) texts of a kind: 'unanswered' or 'unhelpful'."""
    lo, hi = _bounds(w)
    rows = await db.execute_fetchall(_TEXTS, (lo, hi, kind, limit))
    return tuple(TextCount(str(t), int(n)) for t, n in rows)


async def check_endings(db: aiosqlite.Connection, w: Window) -> tuple[CheckCount, ...]:
    """How the warning-signs checks of the window ended, most frequent first."""
    lo, hi = _bounds(w)
    rows = await db.execute_fetchall(_CHECKS, (lo, hi))
    return tuple(CheckCount(str(e), str(lv) or None, int(n)) for e, lv, n in rows)


async def dropped_events(db: aiosqlite.Connection) -> int:
    """Events lost to queue overflow since the database was created."""
    return await read_counter(db, DROPPED_EVENTS)


async def summaries(
    db: aiosqlite.Connection, days: Sequence[int], now: datetime, *, top: int = 10
) -> tuple[StatsSummary, ...]:
    """The operators' overview for several windows ending at `now` (e.g. 7 and 30 days),
    reading the events once for the widest of them."""
    windows = [window(n, now) for n in days]
    if not windows:
        return ()
    widest = min(windows, key=lambda w: w.start)
    rows = await _DayRows.read(db, widest)
    dropped = await dropped_events(db)
    result = []
    for w in windows:
        part = rows.within(w)
        result.append(
            StatsSummary(
                window=w,
                daily=part.daily(w),
                top_topics=part.top_topics(top),
                red_flag_concepts=part.red_flag_concepts(),
                feedback=part.feedback_by_topic(),
                top_unanswered=await top_texts(db, w, "unanswered", top),
                top_unhelpful=await top_texts(db, w, "unhelpful", top),
                dropped_events=dropped,
                checks=await check_endings(db, w),
            )
        )
    return tuple(result)


async def summary(
    db: aiosqlite.Connection, days: int, now: datetime, *, top: int = 10
) -> StatsSummary:
    """The operators' overview of the last `days` UTC days up to `now`."""
    return (await summaries(db, [days], now, top=top))[0]
