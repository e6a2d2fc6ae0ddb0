"""Approach B for the comparison: rapidfuzz string similarity over each topic's phrasings.

Kept in bench/ only: bench/matcher_compare.py showed BM25 (tgbot.core.matching) to be better.
It shares the production text analysis (spelling correction, stems, synonyms, the domain
gate and the question-sentence focus), so the comparison is about the scoring alone.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from rapidfuzz import fuzz, process

from tgbot.core.matching import (
    MAX_SUGGESTIONS,
    OFF_DOMAIN_FACTOR,
    Candidate,
    Match,
    TextAnalyzer,
    Vocabulary,
)
from tgbot.core.model import Topic
from tgbot.core.text import normalize, words

Scorer = Callable[..., float]
SCORERS: dict[str, Scorer] = {
    "token_set_ratio": fuzz.token_set_ratio,
    "wratio": fuzz.WRatio,
    "token_sort_ratio": fuzz.token_sort_ratio,
}


class FuzzyPhraseIndex:
    """Best rapidfuzz similarity between the message and any phrasing of a topic."""

    def __init__(
        self,
        topics: Sequence[Topic],
        vocabulary: Vocabulary | Mapping[str, tuple[str, ...]],
        *,
        scorer: str = "token_set_ratio",
        answer_threshold: float = 0.8,
        suggest_threshold: float = 0.6,
    ) -> None:
        if not isinstance(vocabulary, Vocabulary):
            vocabulary = Vocabulary(synonyms=dict(vocabulary))
        known = (
            w
            for t in topics
            for text in (t.title, *t.questions, *t.keywords, t.body)
            for w in words(normalize(text))
        )
        self.analyzer = TextAnalyzer(vocabulary, known)
        self.answer_threshold = answer_threshold
        self.suggest_threshold = suggest_threshold
        self._scorer = SCORERS[scorer]
        self._choices: list[str] = []
        self._owners: list[str] = []
        for topic in topics:
            for phrase in (topic.title, *topic.questions, *topic.keywords):
                terms = self.analyzer.phrase_terms(words(normalize(phrase)))
                text = " ".join((*terms.originals, *terms.expansions))
                if text:
                    self._choices.append(text)
                    self._owners.append(topic.id)

    def _query_text(self, text: str) -> tuple[str, bool]:
        focus: list[str] = []
        in_domain = False
        for tokens, weight in self.analyzer.weighted_sentences(text):
            terms = self.analyzer.phrase_terms(tokens, correct=True)
            if any(t in self.analyzer.domain_terms for t in (*terms.originals, *terms.expansions)):
                in_domain = True
            if weight >= 1.0:
                focus.extend((*terms.originals, *terms.expansions))
        return " ".join(focus), in_domain

    def rank(self, text: str, limit: int = 5) -> list[Candidate]:
        query, in_domain = self._query_text(text)
        if not query:
            return []
        factor = 1.0 if in_domain else OFF_DOMAIN_FACTOR
        best: dict[str, float] = {}
        found: list[Any] = process.extract(query, self._choices, scorer=self._scorer, limit=60)
        for _choice, score, i in found:
            owner = self._owners[i]
            best[owner] = max(best.get(owner, 0.0), float(score) / 100.0)
        ranked = sorted(best.items(), key=lambda kv: -kv[1])[:limit]
        return [Candidate(t, round(s * factor, 4)) for t, s in ranked]

    def match(self, text: str) -> Match:
        ranked = self.rank(text, MAX_SUGGESTIONS + 1)
        if not ranked:
            return Match(None, 0.0)
        top = ranked[0]
        if top.score >= self.answer_threshold:
            return Match(top.topic_id, top.score, candidates=tuple(ranked))
        if top.score >= self.suggest_threshold:
            ids = tuple(c.topic_id for c in ranked[:MAX_SUGGESTIONS])
            return Match(None, top.score, suggestions=ids, candidates=tuple(ranked))
        return Match(None, top.score, candidates=tuple(ranked))
