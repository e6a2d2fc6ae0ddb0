"""Checks of topic bodies against the rest of the content: red-flag levels and review dates.

A topic that tells parents to call the emergency number for a sign the red-flag rules rate
"see a doctor today" (or the other way round) gives a parent two answers to one message, so
check-content refuses it; "see a doctor soon" is refused too, because a tired parent reads it
as "this week". Review dates that have come are warnings: the bot still starts. Pure
functions over loaded content; never imports telegram or aiosqlite, never reads files.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from tgbot.core.model import ContentProblem, Level, Topic
from tgbot.core.redflags import RedFlagRules

# What a body says to do, as it says it. Emergency wording wins over "today" in one sentence
# only when it comes first; each sentence is judged on its own.
_EMERGENCY_ADVICE = re.compile(
    r"\bcall (?:the|your local) emergency number\b|\bcall (?:999|911|112)\b|"
    r"\bcall an ambulance\b",
    re.I,
)
_TODAY_ADVICE = re.compile(
    r"\bsee (?:a|your) (?:doctor|GP)(?: or [\w ]+?)? (?:today|the same day)\b|"
    r"\b(?:doctor|GP) the same day\b|\bthe same day\b|\btoday\b",
    re.I,
)
# "Soon" next to a doctor: finding 8 of the content review.
_VAGUE_SOON = re.compile(r"\b(?:doctor|GP|checked|seen)\b[^.:\n]{0,40}\bsoon\b", re.I)
_BULLET = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s+")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
# Inside one piece of advice, the signs are a list: "if she struggles to breathe, turns
# blue, or cannot be woken". Each is checked alone.
_CLAUSE_SPLIT = re.compile(r",\s*(?:or\s+|and\s+)?|;\s*|\s+or if\s+|\s+or when\s+")
_MARKUP = re.compile(r"\*\*|__|`")


@dataclass(frozen=True, slots=True)
class Advice:
    """One sign a body names, with the level of help the body gives for it."""

    text: str
    level: Level
    line: int


def advice_in(body: str, first_line: int = 1) -> Iterator[Advice]:
    """The signs a body gives advice for: bullets under an advice line, and the clauses of
    a sentence that itself gives advice ("Call the emergency number if ..., ... or ...")."""
    lead: Level | None = None
    for offset, raw in enumerate(body.splitlines()):
        line = _MARKUP.sub("", raw).strip()
        number = first_line + offset
        if not line:
            lead = None
            continue
        if _BULLET.match(line):
            if lead is not None:
                for clause in _clauses(_BULLET.sub("", line)):
                    yield Advice(clause, lead, number)
            continue
        lead = None
        for sentence in _SENTENCE_END.split(line):
            level = _advice_level(sentence)
            if level is None:
                continue
            if sentence.rstrip().endswith(":"):
                lead = level  # the bullets that follow carry this advice
            clauses = _conditions(sentence)
            for clause in clauses:
                yield Advice(clause, level, number)


def _advice_level(sentence: str) -> Level | None:
    emergency = _EMERGENCY_ADVICE.search(sentence)
    today = _TODAY_ADVICE.search(sentence)
    if emergency and (not today or emergency.start() <= today.start()):
        return Level.EMERGENCY
    return Level.URGENT if today else None


def _conditions(sentence: str) -> list[str]:
    """The signs of an "... if X, Y or Z" sentence (none when it names no condition)."""
    found = re.search(r"\b(?:if|when)\b(.*)", sentence, re.I)
    if not found:
        return []
    return _clauses(found.group(1))


def _clauses(text: str) -> list[str]:
    """A list of signs split into the signs ("X, Y, or Z" -> X, Y, Z)."""
    rest = text.strip().rstrip(" .:")
    return [c.strip() for c in _CLAUSE_SPLIT.split(rest) if c and c.strip()]


def level_problems(topics: Iterable[Topic], rules: RedFlagRules) -> list[ContentProblem]:
    """Topics whose advice disagrees with the red-flag levels, and "see a doctor soon"."""
    problems: list[ContentProblem] = []
    for topic in topics:
        path = topic.path or Path(f"{topic.id}.md")
        first = topic.body_line
        for offset, raw in enumerate(topic.body.splitlines()):
            if _VAGUE_SOON.search(raw):
                problems.append(
                    ContentProblem(
                        path,
                        first + offset,
                        'say when: "today" or "the same day", not "soon" (a parent reads '
                        '"soon" as "this week")',
                    )
                )
        for advice in advice_in(topic.body, first):
            found = rules.detect(advice.text)
            if found.level is None or not found.asserted or found.level is advice.level:
                continue
            if advice.level is Level.EMERGENCY:
                wrong = "calling the emergency number for it, but red_flags.yaml rates it urgent"
            else:
                wrong = "seeing a doctor today, but red_flags.yaml rates it an emergency"
            concepts = ", ".join(found.concepts)
            problems.append(
                ContentProblem(
                    path,
                    advice.line,
                    f"advice disagrees with the red-flag level: {advice.text!r} ({concepts}): "
                    f"the topic says {wrong}",
                )
            )
    return problems


def review_warnings(topics: Iterable[Topic], today: date | None = None) -> list[ContentProblem]:
    """A warning for each topic whose next review date has come."""
    today = today or date.today()
    out: list[ContentProblem] = []
    for topic in topics:
        if topic.next_review is not None and topic.next_review <= today:
            out.append(
                ContentProblem(
                    topic.path or Path(f"{topic.id}.md"),
                    1,
                    f"review due: next_review was {topic.next_review} (last reviewed "
                    f"{topic.reviewed} by {topic.reviewed_by or 'nobody'})",
                )
            )
    return out
