"""Immutable value types shared by the core: topics, sources, red-flag levels and content problems.

Never imports telegram, aiosqlite or anything with I/O.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date
from pathlib import Path


class Level(enum.StrEnum):
    """How urgent a red flag is. EMERGENCY outranks URGENT."""

    URGENT = "urgent"
    EMERGENCY = "emergency"

    @property
    def rank(self) -> int:
        return 2 if self is Level.EMERGENCY else 1


def highest(*levels: Level | None) -> Level | None:
    """The most urgent of the given levels, or None when none is set."""
    present = [lv for lv in levels if lv is not None]
    return max(present, key=lambda lv: lv.rank) if present else None


@dataclass(frozen=True, slots=True)
class Source:
    """Where the facts of an answer come from."""

    title: str
    url: str | None = None


@dataclass(frozen=True, slots=True)
class Topic:
    """One curated answer with the phrasings parents use to ask for it."""

    id: str
    title: str
    questions: tuple[str, ...]
    keywords: tuple[str, ...]
    related: tuple[str, ...]
    red_flag: bool
    sources: tuple[Source, ...]
    reviewed: date
    body: str
    summary: str = ""
    # Who last checked the topic against its sources, and when it must be checked again
    # (check-content warns once that date has come).
    reviewed_by: str = ""
    next_review: date | None = None
    # A reassuring topic ("this is usually normal") never answers a message that asserts a
    # red flag: the warning-signs topic does, with this one offered beside it.
    reassuring: bool = False
    # The overview topic answers in-domain messages too vague for any one topic ("jerks?",
    # "my baby jerks"): it helps the parent say more rather than giving the fallback.
    overview: bool = False
    # The topic that answers the same question about a baby ("what causes myoclonus" ->
    # "what causes myoclonic jerks in a baby"): chosen instead when a child is named.
    child_topic: str | None = None
    # Likewise the newborn version ("twitching in sleep" -> "benign sleep myoclonus in
    # newborns"): it leads only when the message names a newborn; otherwise this one does.
    newborn_topic: str | None = None
    # What kind of question the topic answers, in a few words ("cause", "treatment",
    # "definition"): a question asking that ("what causes ...") favours it over topics that
    # merely share its subject.
    intent: tuple[str, ...] = ()
    path: Path | None = None
    # the file line the body starts on, so checks of the body point at the line to fix
    body_line: int = 1


@dataclass(frozen=True, slots=True)
class RedFlagResult:
    """What the red-flag detector found in a text: the overall level and the concepts matched."""

    level: Level | None
    concepts: tuple[str, ...] = ()
    # False when every sign was written negated ("no fever", "he isn't blue"). The level
    # stands regardless (safety first); this only stops a negated sign from overriding the
    # topic the parent actually asked about.
    asserted: bool = True

    @property
    def flagged(self) -> bool:
        return self.level is not None


NO_RED_FLAG = RedFlagResult(level=None, concepts=())


@dataclass(frozen=True, slots=True)
class ContentProblem:
    """One problem found while loading content, pointing at the file and line to fix."""

    path: Path
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"
