"""Helpers for tests of code that records statistics: a settable clock and ready-made Answers.

Lets a test build an Answer with a chosen outcome, topic and red flags without content, and
move time across UTC midnight or past the retention period. Not used by the bot itself.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from tgbot.core.answers import Answer, Outcome, Reply, TopicRef
from tgbot.core.model import Level, RedFlagResult, Topic

__all__ = ["FakeClock", "make_answer"]


class FakeClock:
    """A clock that stands still until moved; call it to read the time (UTC)."""

    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or datetime(2025, 3, 10, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> None:
        self.now += delta

    def set(self, moment: datetime) -> None:
        self.now = moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _topic(topic_id: str, red_flag: bool) -> Topic:
    return Topic(
        id=topic_id,
        title=topic_id.replace("-", " ").capitalize(),
        questions=(),
        keywords=(),
        related=(),
        red_flag=red_flag,
        sources=(),
        reviewed=date(2025, 1, 1),
        body="",
    )


def make_answer(
    question: str = "why does my baby twitch in her sleep",
    *,
    topic: str | None = "sleep-twitching",
    outcome: Outcome | None = None,
    confidence: float | None = None,
    level: Level | None = None,
    concepts: tuple[str, ...] = (),
    suggestions: tuple[str, ...] = (),
    language: str = "en",
    topic_red_flag: bool = False,
) -> Answer:
    """An Answer as answer_for would build it; outcome follows from topic and suggestions."""
    if outcome is None:
        if topic is not None:
            outcome = Outcome.ANSWERED
        elif suggestions:
            outcome = Outcome.SUGGESTED
        else:
            outcome = Outcome.FALLBACK
    if confidence is None:
        confidence = {Outcome.ANSWERED: 0.85, Outcome.SUGGESTED: 0.5}.get(outcome, 0.1)
    refs = tuple(TopicRef(s, s) for s in suggestions)
    reply = Reply(
        emergency_prompt="Call now." if level is Level.EMERGENCY else None,
        heading=None,
        body=None,
        message=None,
        suggestions_intro="Did you mean:" if refs else None,
        suggestions=refs,
        doctor_prompt="See a doctor." if level else None,
        disclaimer="Not medical advice.",
        sources_label="Sources:",
        sources=(),
        related_intro="Related:",
        related=(),
    )
    return Answer(
        question=question,
        language=language,
        outcome=outcome,
        topic=_topic(topic, topic_red_flag) if topic else None,
        confidence=confidence,
        text_flags=RedFlagResult(level=level if concepts else None, concepts=concepts),
        level=level,
        reply=reply,
    )
