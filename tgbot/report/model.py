"""The figures one operator report shows, as frozen values: what the page and the PNG draw.

Pure data: never imports aiosqlite, matplotlib or telegram, so tests and renderers can build
a ReportData by hand. Every text in here came from the database and is untrusted until the
renderer escapes it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from tgbot.stats.period import window

__all__ = [
    "DayFigures",
    "ReportData",
    "ReportPeriod",
    "TopicCount",
    "TopicFeedback",
    "UnansweredQuestion",
    "day_label",
    "report_period",
]


def day_label(d: date) -> str:
    """A day as people write it: "4 Mar 2025" (no leading zero, any platform)."""
    return f"{d.day} {d:%b %Y}"


@dataclass(frozen=True, slots=True)
class ReportPeriod:
    """Whole UTC days from `first` to `last`, both included."""

    first: date
    last: date

    def __post_init__(self) -> None:
        if self.last < self.first:
            raise ValueError(f"period ends ({self.last}) before it starts ({self.first})")

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    @property
    def span_label(self) -> str:
        """ "4 Mar 2025 – 10 Mar 2025", or the one day."""
        if self.first == self.last:
            return day_label(self.first)
        return f"{day_label(self.first)} – {day_label(self.last)}"

    def each_day(self) -> tuple[date, ...]:
        return tuple(self.first + timedelta(days=i) for i in range(self.days))


def report_period(days: int, now: datetime | None = None) -> ReportPeriod:
    """The last `days` UTC days up to and including today, as the statistics count them."""
    span = window(days, now or datetime.now(UTC))
    return ReportPeriod(first=span.start, last=span.end)


@dataclass(frozen=True, slots=True)
class DayFigures:
    """One UTC day. Askers are distinct within the day only: tokens rotate daily."""

    day: date
    answered: int = 0
    suggested: int = 0
    unanswered: int = 0
    emergency: int = 0
    urgent: int = 0
    askers: int = 0

    @property
    def questions(self) -> int:
        return self.answered + self.suggested + self.unanswered

    @property
    def red_flags(self) -> int:
        return self.emergency + self.urgent


@dataclass(frozen=True, slots=True)
class TopicCount:
    """How often a topic was the answer."""

    topic: str
    questions: int


@dataclass(frozen=True, slots=True)
class TopicFeedback:
    """👍/👎 given on answers of one topic."""

    topic: str
    helpful: int
    unhelpful: int

    @property
    def votes(self) -> int:
        return self.helpful + self.unhelpful

    @property
    def share_helpful(self) -> float | None:
        return self.helpful / self.votes if self.votes else None


@dataclass(frozen=True, slots=True)
class UnansweredQuestion:
    """A scrubbed question the bot could not answer, and how often it was asked."""

    text: str
    count: int


@dataclass(frozen=True, slots=True)
class ReportData:
    """Everything the operator report shows for one period; `days` covers every day of it."""

    period: ReportPeriod
    generated_at: datetime
    content_version: str
    days: tuple[DayFigures, ...]
    top_topics: tuple[TopicCount, ...] = ()
    feedback: tuple[TopicFeedback, ...] = ()
    top_unanswered: tuple[UnansweredQuestion, ...] = ()
    dropped_events: int = 0

    def __post_init__(self) -> None:
        # The charts put one bar per day; a gap or a stray day would shift every later bar.
        if tuple(d.day for d in self.days) != self.period.each_day():
            raise ValueError("ReportData.days must hold exactly one entry per day of the period")

    @property
    def questions(self) -> int:
        return sum(d.questions for d in self.days)

    @property
    def answered(self) -> int:
        return sum(d.answered for d in self.days)

    @property
    def suggested(self) -> int:
        return sum(d.suggested for d in self.days)

    @property
    def unanswered(self) -> int:
        return sum(d.unanswered for d in self.days)

    @property
    def emergency(self) -> int:
        return sum(d.emergency for d in self.days)

    @property
    def urgent(self) -> int:
        return sum(d.urgent for d in self.days)

    @property
    def share_answered(self) -> float | None:
        return self.answered / self.questions if self.questions else None

    @property
    def peak_askers(self) -> int:
        return max((d.askers for d in self.days), default=0)

    @property
    def mean_askers(self) -> float:
        return sum(d.askers for d in self.days) / len(self.days) if self.days else 0.0

    @property
    def helpful(self) -> int:
        return sum(f.helpful for f in self.feedback)

    @property
    def unhelpful(self) -> int:
        return sum(f.unhelpful for f in self.feedback)

    @property
    def share_helpful(self) -> float | None:
        votes = self.helpful + self.unhelpful
        return self.helpful / votes if votes else None

    @property
    def is_empty(self) -> bool:
        return self.questions == 0
