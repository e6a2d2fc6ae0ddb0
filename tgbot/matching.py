"""Question matching: text to the best topic, a confidence, and alternatives.

PLACEHOLDER implementation (rapidfuzz over phrasings) that fixes the interface; the matcher
work replaces the internals. Never imports telegram or aiosqlite.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from tgbot.model import Topic
from tgbot.text import normalize

# Confidence at or above ANSWER_THRESHOLD answers; between SUGGEST and ANSWER offers
# "did you mean" suggestions; below SUGGEST the matcher abstains.
ANSWER_THRESHOLD = 0.6
SUGGEST_THRESHOLD = 0.4
MAX_SUGGESTIONS = 3


@dataclass(frozen=True, slots=True)
class Candidate:
    """A topic and how well it fits the question (0..1)."""

    topic_id: str
    score: float


@dataclass(frozen=True, slots=True)
class Match:
    """The matcher's decision: a topic (or None when abstaining or unsure) and alternatives."""

    topic_id: str | None
    confidence: float
    suggestions: tuple[str, ...] = ()
    candidates: tuple[Candidate, ...] = ()


class TopicIndex:
    """An index over topics' phrasings, keywords and titles."""

    def __init__(self, topics: Sequence[Topic], synonyms: Mapping[str, tuple[str, ...]]) -> None:
        self._choices: list[str] = []
        self._owners: list[str] = []
        for topic in topics:
            for phrase in (topic.title, *topic.questions, *topic.keywords):
                self._choices.append(normalize(phrase))
                self._owners.append(topic.id)
        self._synonyms = synonyms

    def rank(self, text: str, limit: int = 5) -> list[Candidate]:
        """Topics best fitting the text, best first, at most limit of them."""
        query = normalize(text)
        if not query:
            return []
        best: dict[str, float] = {}
        for _choice, score, i in process.extract(
            query, self._choices, scorer=fuzz.token_set_ratio, limit=50
        ):
            owner = self._owners[i]
            best[owner] = max(best.get(owner, 0.0), score / 100.0)
        ranked = sorted(best.items(), key=lambda kv: -kv[1])[:limit]
        return [Candidate(t, s) for t, s in ranked]

    def match(self, text: str) -> Match:
        """Decide: answer with the best topic, suggest alternatives, or abstain."""
        ranked = self.rank(text, limit=MAX_SUGGESTIONS + 1)
        if not ranked:
            return Match(None, 0.0)
        top = ranked[0]
        if top.score >= ANSWER_THRESHOLD:
            return Match(top.topic_id, top.score, candidates=tuple(ranked))
        if top.score >= SUGGEST_THRESHOLD:
            ids = tuple(c.topic_id for c in ranked[:MAX_SUGGESTIONS])
            return Match(None, top.score, suggestions=ids, candidates=tuple(ranked))
        return Match(None, top.score, candidates=tuple(ranked))


def build_index(topics: Sequence[Topic], synonyms: Mapping[str, tuple[str, ...]]) -> TopicIndex:
    """Build the matcher's index once at content load."""
    return TopicIndex(topics, synonyms)
