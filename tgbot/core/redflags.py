"""Red-flag detection: which safety concepts a text touches, and how urgent they are.

The rules are content: content/red_flags.yaml, whose header documents the small rule language
(phrases, near combinations, quantities, except). compile_rules() validates and compiles them
once; RedFlagRules.detect() reads normalised word tokens with stemming and typo tolerance.
Negation never suppresses a flag. Never imports telegram or aiosqlite.
"""

from __future__ import annotations

import itertools
import math
import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

from rapidfuzz import process
from rapidfuzz.distance import OSA

from tgbot.core.model import NO_RED_FLAG, ContentProblem, Level, RedFlagResult, highest
from tgbot.core.text import (
    fold,
    normalize,
    plain_reading,
    split_sentences,
    stem,
    stemmer_for,
    words_and_numbers,
)
from tgbot.core.yamlsrc import LineList, LineMap

__all__ = ["Concept", "RedFlagMatch", "RedFlagRules", "compile_rules"]

# Typo tolerance. A term word whose stem has 5+ letters matches a message word one edit away,
# two edits when the stem has 8+ letters; shorter words are too easily another real word
# ("blue"/"glue", "limp"/"lump"). The first letter must match: parents rarely mistype it, and
# requiring it rules out most real-word look-alikes ("never" is not "fever").
# Message words shorter than 4 letters, with digits, or listed in not_typos are never typos.
TYPO_TERM_MIN_LEN = 5
TWO_TYPOS_TERM_MIN_LEN = 8
TYPO_WORD_MIN_LEN = 4
TYPO_WORD_MAX_LEN = 24  # nobody misspells a 25-letter word; bounds the work on junk input
DEFAULT_WITHIN = 3
MAX_WITHIN = 30
MAX_NEAR_PARTS = 4
OR_AFTER_WINDOW = 3  # "temp was 38.5": a unitless number counts up to 3 words after the cue
SHORT_WORD_LEN = 4  # words this short are always stemmed (stems of 1-2 letters: "up", "lo")
MAX_FILLERS = 3  # "10 or so minutes", "half an hour", "5 and a half minutes"
_LOOKUP_CACHE_LIMIT = 50_000
PREFIX_MIN_LEN = 3  # "convuls*": a shorter prefix would match half the dictionary

_CONCEPT_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_NUMBER_TOKEN = re.compile(r"\d{1,6}(?:\.\d{1,4})?")
_TOP_KEYS = (
    "language",
    "number_words",
    "number_fillers",
    "stop_words",
    "not_typos",
    "negations",
    "groups",
    "concepts",
)
# How many words before a sign a negation word may stand ("not really blue").
NEGATION_REACH = 3
_CONCEPT_KEYS = ("id", "level", "label", "terms", "except", "topic", "action")
_NEAR_KEYS = ("near", "within", "ordered")
_NUMBER_KEYS = (
    "at_least",
    "below",
    "units",
    "or_after",
    "near",
    "within",
    "unless_preceded_by",
    "unless_followed_by",
)
_YAML_WORDS_HINT = 'quote words YAML reads as true/false or numbers, such as "no", "off", "on"'

Span = tuple[int, int]  # token positions [start, end)


@dataclass(frozen=True, slots=True)
class Concept:
    """One red-flag concept, e.g. 'colour-change' (emergency), with its terms as written."""

    id: str
    level: Level
    label: str
    terms: tuple[str, ...]
    topic: str | None = None  # the topic that explains what to do about this sign
    # What to do while waiting for help, as the text `emergency_action_<action>` says it:
    # seizure positioning is wrong for choking or poisoning.
    action: str | None = None


@dataclass(frozen=True, slots=True)
class RedFlagMatch:
    """Why a concept was flagged: the first term that matched and the words it matched."""

    concept: str
    level: Level
    term: str
    words: str
    negated: bool = False  # a negation word stands just before it ("no fever")


# ------------------------------------------------------------------------------ compiled form


@dataclass(frozen=True, slots=True)
class _PhraseTerm:
    phrases: tuple[int, ...]  # phrase ids; a "@group" term stands for every phrase of the group
    source: str


@dataclass(frozen=True, slots=True)
class _NearTerm:
    parts: tuple[tuple[int, ...], ...]  # phrase ids of each part
    within: int
    ordered: bool
    source: str


@dataclass(frozen=True, slots=True)
class _NumberTerm:
    at_least: float
    below: float
    units: Mapping[int, float]  # word id -> multiplier
    or_after: frozenset[int]
    context: tuple[int, ...]  # phrase ids; empty: no context needed
    within: int
    unless_before: tuple[int, ...]  # phrase ids
    before_within: int
    unless_after: tuple[int, ...]
    after_within: int
    source: str


_Term = _PhraseTerm | _NearTerm | _NumberTerm


@dataclass(frozen=True, slots=True)
class _CompiledConcept:
    concept: Concept
    terms: tuple[_Term, ...]
    excepts: tuple[_PhraseTerm | _NearTerm, ...]


Slot = frozenset[int] | None  # the word ids a phrase position accepts; None: any word


class _Vocabulary:
    """Term words as ids, and the lookup of a message word: stem, exact form, then typos."""

    def __init__(self, stem_fn: Callable[[str], str] = stem, *, english: bool = True) -> None:
        self._stem = stem_fn
        self._english = english
        self.prefixes: dict[str, int] = {}  # "convuls" (from "convuls*") -> id
        self._prefixes_by_first: dict[str, tuple[tuple[str, int], ...]] = {}
        self.stems: dict[str, int] = {}
        self.literals: dict[str, int] = {}
        self.surfaces: dict[str, int] = {}  # written form -> id, for typo search
        self.not_typos: frozenset[str] = frozenset()
        self._fuzzy_by_key: dict[
            tuple[str, int], tuple[list[str], list[frozenset[int]], list[int]]
        ] = {}
        self._alphabet: frozenset[str] = frozenset()
        self._stem_prefixes: frozenset[str] = frozenset()
        self._prefix_lengths: tuple[int, ...] = ()
        self._cache: dict[str, frozenset[int]] = {}
        self._next = 0

    def _new_id(self) -> int:
        self._next += 1
        return self._next

    def word(self, token: str) -> int:
        """The id of a plain term word: every word with the same stem shares it."""
        key = self._stem(token)
        wid = self.stems.get(key)
        if wid is None:
            wid = self.stems[key] = self._new_id()
        self.surfaces.setdefault(token, wid)
        return wid

    def prefix(self, start: str) -> int:
        """The id of a prefix term word ("convuls*"): any message word that starts with it."""
        wid = self.prefixes.get(start)
        if wid is None:
            wid = self.prefixes[start] = self._new_id()
        return wid

    def literal(self, token: str) -> int:
        """The id of an =exact term word."""
        wid = self.literals.get(token)
        if wid is None:
            wid = self.literals[token] = self._new_id()
        return wid

    def freeze(self, not_typos: Iterable[str]) -> None:
        """Build the typo index once every term word is known."""
        self.not_typos = frozenset(not_typos)
        by_first: dict[str, list[tuple[str, int]]] = {}
        for start, wid in self.prefixes.items():
            by_first.setdefault(start[0], []).append((start, wid))
        self._prefixes_by_first = {k: tuple(v) for k, v in by_first.items()}
        entries: dict[str, set[int]] = {}
        known = itertools.chain(self.surfaces.items(), self.stems.items(), self.literals.items())
        for form, wid in known:
            if len(form) >= TYPO_TERM_MIN_LEN and form.isalpha():
                entries.setdefault(form, set()).add(wid)
        self._alphabet = frozenset("".join(entries))
        self._stem_prefixes = frozenset(key[:-1] for key in self.stems if len(key) > 2)
        self._prefix_lengths = tuple(sorted({len(p) for p in self._stem_prefixes}))
        # Buckets by first letter and length: parents rarely mistype a word's first letter, and
        # keeping it cuts most real-word look-alikes ("never" is not "fever").
        for form, wids in entries.items():
            allowed = _allowed_edits(form, self._stem)
            for n in range(len(form) - allowed, len(form) + allowed + 1):
                if n < TYPO_WORD_MIN_LEN:
                    continue
                forms, ids, limits = self._fuzzy_by_key.setdefault((form[0], n), ([], [], []))
                forms.append(form)
                ids.append(frozenset(wids))
                limits.append(allowed)

    def lookup(self, token: str) -> frozenset[int]:
        """Ids of the term words a message word stands for (cached: messages repeat words)."""
        found = self._cache.get(token)
        if found is None:
            found = self._resolve(token, self.not_typos)
            if len(self._cache) >= _LOOKUP_CACHE_LIMIT:
                self._cache.clear()  # bounded memory under junk input; vocabularies are small
            self._cache[token] = found
        return found

    def typo_only(self, token: str) -> bool:
        """True when the token is no term word but the typo search (not_typos aside) finds one."""
        return bool(self._resolve(token, frozenset())) and not self.exact(token)

    def exact(self, token: str) -> set[int]:
        ids: set[int] = set()
        lit = self.literals.get(token)
        if lit is not None:
            ids.add(lit)
        wid = self.surfaces.get(token)
        if wid is None and self._may_stem_to_term(token):
            wid = self.stems.get(self._stem(token))
        if wid is not None:
            ids.add(wid)
        for start, pid in self._prefixes_by_first.get(token[:1], ()):
            if token.startswith(start):
                ids.add(pid)
        return ids

    def _resolve(self, token: str, not_typos: frozenset[str]) -> frozenset[int]:
        ids = self.exact(token)
        if not ids and self._may_be_typo(token, not_typos):
            # Only words the rules do not know are typo candidates: a known word is itself.
            for query in _typo_queries(token):
                ids.update(self._typo_ids(query))
        return frozenset(ids)

    def _may_stem_to_term(self, token: str) -> bool:
        """Cheap test before the (slow, pure-Python) stemmer: an English stem keeps all but at
        most its last letter as a prefix of the word ("happy" -> "happi"), apart from a few
        "-ying" words ("dying" -> "die"). Junk input is mostly ruled out here. Other
        languages' stemmers (PyStemmer, in C) are cheap enough to run on every word."""
        if not self._english or len(token) <= SHORT_WORD_LEN or token.endswith("ying"):
            return True
        prefixes = self._stem_prefixes
        return any(token[:k] in prefixes for k in self._prefix_lengths if k <= len(token))

    def _may_be_typo(self, token: str, not_typos: frozenset[str]) -> bool:
        return (
            TYPO_WORD_MIN_LEN <= len(token) <= TYPO_WORD_MAX_LEN
            and token not in not_typos
            and token.isalpha()
            and self._alphabet.issuperset(token)
        )

    def _typo_ids(self, query: str) -> set[int]:
        bucket = self._fuzzy_by_key.get((query[0], len(query)))
        if bucket is None:
            return set()
        forms, ids, limits = bucket
        found: set[int] = set()
        for _form, distance, index in process.extract(
            query, forms, scorer=OSA.distance, score_cutoff=2, limit=None
        ):
            if distance <= limits[index]:
                found.update(ids[index])
        return found


# Typo queries also try the word without a common ending, so a misspelt inflection the
# rules do not list still meets its term word ("twiched" -> "twich" ~ "twitch").
_LIGHT_SUFFIX = re.compile(r"(?:ings?|ie[sd]|e[sd]|(?<![sui])s|ly)$")


def _typo_queries(token: str) -> list[str]:
    queries = [token]
    bare = _LIGHT_SUFFIX.sub("", token)
    if bare != token and len(bare) >= TYPO_WORD_MIN_LEN:
        queries.append(bare)
    return queries


def _allowed_edits(form: str, stem_fn: Callable[[str], str] = stem) -> int:
    """Edits a term word tolerates, by the length of its stem: an inflection ("starting",
    stem "start") must not widen the net to real words further away ("scaring")."""
    size = len(stem_fn(form))
    if size >= TWO_TYPOS_TERM_MIN_LEN:
        return 2
    return 1 if size >= TYPO_TERM_MIN_LEN else 0


# ------------------------------------------------------------------------------ the rules


class RedFlagRules:
    """Compiled red-flag concepts; detect() is what every reply path calls."""

    def __init__(
        self,
        concepts: Mapping[str, Concept],
        *,
        _compiled: Sequence[_CompiledConcept] = (),
        _vocabulary: _Vocabulary | None = None,
        _phrases: Sequence[tuple[Slot, ...]] = (),
        _number_words: Mapping[str, float] | None = None,
        _fillers: frozenset[str] = frozenset(),
        _negations: frozenset[str] = frozenset(),
        _language: str = "en",
        _others: Sequence[RedFlagRules] = (),
    ) -> None:
        self.concepts = MappingProxyType(dict(concepts))
        self.language = _language
        # Other languages' rules, read over every message as well: a parent may write in any
        # language (or mix two), and a sign found by any language's rules counts.
        self.others: tuple[RedFlagRules, ...] = tuple(_others)
        self._fold = _language != "en"
        self._negations = _negations
        self._compiled = tuple(_compiled)
        self._vocab = _vocabulary or _Vocabulary()
        self._phrases = tuple(_phrases)
        self._number_words = dict(_number_words or {})
        self._fillers = _fillers
        self._has_numbers = any(isinstance(t, _NumberTerm) for c in self._compiled for t in c.terms)
        by_first: dict[int, list[int]] = {}
        for pid, slots in enumerate(self._phrases):
            first = slots[0]
            for wid in first or ():
                by_first.setdefault(wid, []).append(pid)
        self._by_first = {wid: tuple(pids) for wid, pids in by_first.items()}
        # Which terms a phrase hit makes worth evaluating: a phrase term by any of its
        # phrases, a near term by its smallest part (every part must occur). Number terms
        # are tried whenever the text holds a number. A message touches few phrases, so most
        # of the ~400 terms are never looked at.
        by_phrase: dict[int, set[tuple[int, int]]] = {}
        self._number_terms: list[tuple[int, int]] = []
        for ci, cc in enumerate(self._compiled):
            for ti, term in enumerate(cc.terms):
                if isinstance(term, _PhraseTerm):
                    keys: tuple[int, ...] = term.phrases
                elif isinstance(term, _NearTerm):
                    keys = min(term.parts, key=len)
                else:
                    self._number_terms.append((ci, ti))
                    continue
                for pid in keys:
                    by_phrase.setdefault(pid, set()).add((ci, ti))
        self._terms_by_phrase = {pid: frozenset(terms) for pid, terms in by_phrase.items()}

    def with_languages(self, others: Sequence[RedFlagRules]) -> RedFlagRules:
        """These rules plus other languages' rules (same concept ids and levels) read alongside."""
        twin = object.__new__(RedFlagRules)
        twin.__dict__.update(self.__dict__)
        twin.others = tuple(others)
        return twin

    @property
    def languages(self) -> tuple[str, ...]:
        """The languages whose rules detect() reads, the base language first."""
        return (self.language, *(o.language for o in self.others))

    def detect(self, text: str) -> RedFlagResult:
        """Every concept the text touches (in content order) and the highest level among them."""
        found = self._matches(text)
        for other in self.others:
            seen = {m.concept for m in found}
            found.extend(m for m in other._matches(text) if m.concept not in seen)
        if not found:
            return NO_RED_FLAG
        order = {cid: i for i, cid in enumerate(self.concepts)}
        found.sort(key=lambda m: order.get(m.concept, len(order)))
        return RedFlagResult(
            highest(*(m.level for m in found)),
            tuple(m.concept for m in found),
            asserted=not all(m.negated for m in found),
        )

    def _matches(self, text: str) -> list[RedFlagMatch]:
        """This language's matches over both readings of the text."""
        found = self._evaluate(text)
        second = plain_reading(text)
        if second is not None:
            # Noise can glue words or decorate letters ("not\u200bbreathing", "n̈ȯt
            # b̈rėȧẗḧïn̈g"); a sign found in either reading counts (safety first).
            seen = {m.concept for m in found}
            extra = [m for m in self._evaluate(second) if m.concept not in seen]
            if extra:
                found = [*found, *extra]
        return found

    def action_for(self, result: RedFlagResult) -> str | None:
        """The action of the first emergency concept found that names one."""
        for cid in result.concepts:
            concept = self.concepts.get(cid)
            if concept is not None and concept.level is Level.EMERGENCY and concept.action:
                return concept.action
        return None

    def topic_for(self, result: RedFlagResult) -> str | None:
        """The topic of the most urgent matched concept that names one (first in content order)."""
        named = [self.concepts[c] for c in result.concepts if c in self.concepts]
        named = [c for c in named if c.topic]
        if not named:
            return None
        return max(named, key=lambda c: c.level.rank).topic

    def explain(self, text: str) -> tuple[RedFlagMatch, ...]:
        # The first reading only: explain() is a debugging aid for content editors.
        """For each concept the text touches, the term and the words that matched (debugging)."""
        out = self._evaluate(text)
        for other in self.others:
            seen = {m.concept for m in out}
            out.extend(m for m in other._evaluate(text) if m.concept not in seen)
        return tuple(out)

    def is_term_word(self, word: str) -> bool:
        """True when the word matches a term word as written (by stem or =exact), not by typo."""
        return bool(self._vocab.exact(word.strip().casefold()))

    def typo_lookalikes(self, words: Iterable[str]) -> list[str]:
        """The real words among `words` that the typo search would misread as a term word.

        A content tool: run it over a dictionary word list after editing the terms, and put
        the result in not_typos (words already listed there are reported too)."""
        out: list[str] = []
        for word in words:
            token = word.strip().casefold()
            if self._vocab.typo_only(token):
                out.append(token)
        return sorted(set(out))

    # -- scanning

    def _evaluate(self, text: str) -> list[RedFlagMatch]:
        """The first matching term of each concept the text touches, in content order."""
        tokens: list[str] = []
        sentence_of: list[int] = []  # sentence number of each token
        for number, sentence in enumerate(split_sentences(normalize(text))):
            found = words_and_numbers(sentence)
            if self._fold:
                found = [fold(tok) for tok in found]
            tokens.extend(found)
            sentence_of.extend([number] * len(found))
        if not tokens:
            return []
        wids = [self._vocab.lookup(tok) for tok in tokens]
        hits = self._phrase_hits(wids)
        values = self._values(tokens) if self._has_numbers else {}
        candidates: set[tuple[int, int]] = set(self._number_terms) if values else set()
        for pid in hits:
            candidates.update(self._terms_by_phrase.get(pid, ()))
        out: list[RedFlagMatch] = []
        blocked: dict[int, list[Span]] = {}
        for ci, ti in sorted(candidates):
            cc = self._compiled[ci]
            if out and out[-1].concept == cc.concept.id:
                continue  # one reason per concept is enough
            term = cc.terms[ti]
            # Excepts only ever block spans, so a term with no span unblocked has none at all:
            # most candidates (every number term, when the message holds any number) end here
            # without the cost of the concept's except spans.
            if self._term_span(term, hits, (), tokens, wids, values, sentence_of) is None:
                continue
            if ci not in blocked:
                blocked[ci] = self._except_spans(cc, hits, sentence_of)
            span = self._term_span(term, hits, blocked[ci], tokens, wids, values, sentence_of)
            if span is not None:
                words = " ".join(tokens[span[0] : span[1]])
                negated = self._negated(span, tokens, sentence_of)
                out.append(
                    RedFlagMatch(cc.concept.id, cc.concept.level, term.source, words, negated)
                )
        return out

    def _negated(self, span: Span, tokens: Sequence[str], sentence_of: Sequence[int]) -> bool:
        """True when a negation word stands just before the sign or inside it, in its sentence.

        A term that starts with a negation spells the sign itself ("not breathing", "hasnt
        come round"), so the first word of the span never counts.
        """
        start, end = span
        for i in (*range(max(0, start - NEGATION_REACH), start), *range(start + 1, end)):
            if sentence_of[i] == sentence_of[start] and tokens[i] in self._negations:
                return True
        return False

    def _phrase_hits(self, wids: Sequence[frozenset[int]]) -> dict[int, list[Span]]:
        """Every occurrence of every phrase, found from the phrases' first words."""
        hits: dict[int, list[Span]] = {}
        n = len(wids)
        phrases = self._phrases
        for i, here in enumerate(wids):
            if not here:
                continue
            seen: set[int] = set()
            for wid in here:
                for pid in self._by_first.get(wid, ()):
                    if pid in seen:
                        continue
                    seen.add(pid)
                    slots = phrases[pid]
                    end = i + len(slots)
                    if end > n:
                        continue
                    if all(
                        slot is None or not slot.isdisjoint(wids[i + k])
                        for k, slot in enumerate(slots[1:], 1)
                    ):
                        hits.setdefault(pid, []).append((i, end))
        return hits

    def _values(self, tokens: Sequence[str]) -> dict[int, float]:
        values: dict[int, float] = {}
        for i, tok in enumerate(tokens):
            if tok in self._number_words:
                values[i] = self._number_words[tok]
            elif tok[0].isdigit() and _NUMBER_TOKEN.fullmatch(tok):
                values[i] = float(tok)
        return values

    def _except_spans(
        self, cc: _CompiledConcept, hits: Mapping[int, list[Span]], sentence_of: Sequence[int]
    ) -> list[Span]:
        """Where the concept's except phrases occur. An except never reaches across a
        sentence end: "Her face turned grey. Eyes rolling" is no "grey eyes"."""
        found: list[Span] = []
        for term in cc.excepts:
            if isinstance(term, _PhraseTerm):
                for pid in term.phrases:
                    found.extend(hits.get(pid, ()))
            else:
                found.extend(_near_covers(term, hits, []))
        return [s for s in found if sentence_of[s[0]] == sentence_of[s[1] - 1]]

    def _term_span(
        self,
        term: _Term,
        hits: Mapping[int, list[Span]],
        blocked: Sequence[Span],
        tokens: Sequence[str],
        wids: Sequence[frozenset[int]],
        values: Mapping[int, float],
        sentence_of: Sequence[int],
    ) -> Span | None:
        if isinstance(term, _PhraseTerm):
            for pid in term.phrases:
                for span in hits.get(pid, ()):
                    if not _overlaps_any(span, blocked):
                        return span
            return None
        if isinstance(term, _NearTerm):
            covers = _near_covers(term, hits, blocked)
            return covers[0] if covers else None
        return self._number_span(term, hits, blocked, tokens, wids, values, sentence_of)

    def _number_span(
        self,
        term: _NumberTerm,
        hits: Mapping[int, list[Span]],
        blocked: Sequence[Span],
        tokens: Sequence[str],
        wids: Sequence[frozenset[int]],
        values: Mapping[int, float],
        sentence_of: Sequence[int],
    ) -> Span | None:
        """The first quantity that fits the term. What changes a quantity's meaning ("every",
        "ago", "bath water") counts only within its own sentence: "We were at my mum's
        house. Temp 38.5" is a fever."""
        n = len(tokens)
        context: list[Span] = []
        if term.context:
            context = sorted(s for pid in term.context for s in hits.get(pid, ()))
            context = [s for s in context if not _overlaps_any(s, blocked)]
            if not context:
                return None
        for i, number in values.items():
            quantity: float | None = None
            end = i + 1
            for j in range(i + 1, min(n, i + 2 + MAX_FILLERS)):
                unit = next((term.units[w] for w in wids[j] if w in term.units), None)
                if unit is not None:
                    quantity, end = number * unit, j + 1
                    break
                if tokens[j] not in self._fillers:
                    break
            if quantity is None and term.or_after:
                cues = range(max(0, i - OR_AFTER_WINDOW), i)
                if any(not term.or_after.isdisjoint(wids[k]) for k in cues):
                    quantity = number
            if quantity is None or not term.at_least <= quantity < term.below:
                continue
            span = (i, end)
            here = sentence_of[i]
            if any(
                s[1] <= i and i - s[1] <= term.before_within and sentence_of[s[0]] == here
                for pid in term.unless_before
                for s in hits.get(pid, ())
            ):
                continue
            if any(
                s[0] >= end and s[0] - end <= term.after_within and sentence_of[s[0]] == here
                for pid in term.unless_after
                for s in hits.get(pid, ())
            ):
                continue
            if _overlaps_any(span, blocked):
                continue
            if term.context and not any(_gap(span, c) <= term.within for c in context):
                continue
            return span
        return None


def _overlaps_any(span: Span, others: Sequence[Span]) -> bool:
    return any(span[0] < o[1] and o[0] < span[1] for o in others)


def _gap(a: Span, b: Span) -> int:
    """Words between two spans (0 when adjacent or overlapping)."""
    return max(0, b[0] - a[1], a[0] - b[1])


def _near_covers(
    term: _NearTerm, hits: Mapping[int, list[Span]], blocked: Sequence[Span]
) -> list[Span]:
    """Spans (first word of the first part to last word of the last) where the parts occur."""
    parts: list[list[Span]] = []
    for pids in term.parts:
        spans = sorted(
            {s for pid in pids for s in hits.get(pid, ()) if not _overlaps_any(s, blocked)}
        )
        if not spans:
            return []
        parts.append(spans)
    orders: Iterable[Sequence[list[Span]]]
    orders = [parts] if term.ordered else itertools.permutations(parts)
    covers: list[Span] = []
    for order in orders:
        covers.extend(_ordered_covers(order, term.within))
    return sorted(set(covers))


def _ordered_covers(parts: Sequence[list[Span]], within: int) -> list[Span]:
    """Covers of the parts in this order, each after the previous with <= within words between.

    Dynamic programming over the parts, keeping per chain end the latest chain start (the
    tightest chain). A window of `within` + 1 ends is searched per hit, so the work grows
    linearly with the hits, whatever the input.
    """
    states = _tightest(parts[0])
    for spans in parts[1:]:
        ends = [e for e, _ in states]
        nxt: dict[int, int] = {}
        for start, end in spans:
            lo = bisect_left(ends, start - within)
            hi = bisect_right(ends, start)
            if lo < hi:
                cover = max(states[k][1] for k in range(lo, hi))
                if cover > nxt.get(end, -1):
                    nxt[end] = cover
        if not nxt:
            return []
        states = sorted(nxt.items())
    return [(cover, end) for end, cover in states]


def _tightest(spans: Sequence[Span]) -> list[tuple[int, int]]:
    """(end, latest start) for each distinct end of the first part's spans, sorted by end."""
    best: dict[int, int] = {}
    for start, end in spans:
        if start > best.get(end, -1):
            best[end] = start
    return sorted(best.items())


# ------------------------------------------------------------------------------ compiling


@lru_cache(maxsize=131_072)
def _normalized_term(text: str) -> str:
    """normalize() of one word of a term: the compiler meets the same words thousands of times
    across ten language files, and normalising them again was most of the start-up."""
    return normalize(text)


class _Compiler:
    """Turns red_flags.yaml data into compiled rules, collecting every problem with its line."""

    def __init__(
        self, data: LineMap, path: Path, language: str = "en", base: RedFlagRules | None = None
    ) -> None:
        self.data = data
        self.path = path
        self.language = language
        self.base = base
        self.problems: list[ContentProblem] = []
        self.vocab = _Vocabulary(stemmer_for(language), english=language == "en")
        self.phrases: list[tuple[Slot, ...]] = []
        self.phrase_ids: dict[tuple[Slot, ...], int] = {}
        self.stop_words: frozenset[str] = frozenset()
        self.group_data: dict[str, tuple[list[str], LineMap | LineList, str | int]] = {}
        self.group_phrases: dict[str, tuple[int, ...] | None] = {}
        self.group_words: dict[str, frozenset[int] | None] = {}
        self.group_stop_only: dict[str, bool] = {}

    def problem(self, line: int, message: str) -> None:
        self.problems.append(ContentProblem(self.path, line, message))

    def _tokens(self, text: str) -> list[str]:
        """Words of a term as a message's words are read in this language (folded outside
        English)."""
        toks = words_and_numbers(_normalized_term(text))
        return toks if self.language == "en" else [fold(t) for t in toks]

    # -- top level

    def run(self) -> RedFlagRules | None:
        data = self.data
        for key in data:
            if key not in _TOP_KEYS:
                self.problem(data.line_of(key), f"unknown field {key!r}; known: {_TOP_KEYS}")
        self.stop_words = frozenset(self._word_list("stop_words", single=True))
        number_words = self._number_words()
        fillers = frozenset(self._word_list("number_fillers", single=True))
        not_typos = self._word_list("not_typos", single=True)
        negations = frozenset(self._word_list("negations", single=True))
        self._read_groups()
        items = data.get("concepts")
        if not isinstance(items, LineList) or not items:
            self.problem(data.line_of("concepts"), "concepts must be a non-empty list")
            return None
        compiled: list[_CompiledConcept] = []
        first_line: dict[str, int] = {}
        for index, item in enumerate(items):
            cc = self._concept(item, items.line_at(index), first_line)
            if cc is not None:
                compiled.append(cc)
        if self.problems:
            return None
        self.vocab.freeze(not_typos)
        return RedFlagRules(
            {cc.concept.id: cc.concept for cc in compiled},
            _compiled=compiled,
            _vocabulary=self.vocab,
            _phrases=self.phrases,
            _number_words=number_words,
            _fillers=fillers,
            _negations=negations,
            _language=self.language,
        )

    def _word_list(self, key: str, *, single: bool) -> list[str]:
        value = self.data.get(key)
        if value is None:
            return []
        if not isinstance(value, LineList):
            self.problem(self.data.line_of(key), f"{key} must be a list of words")
            return []
        out: list[str] = []
        for i, item in enumerate(value):
            token = self._single_token(item, value.line_at(i), key) if single else None
            if token is not None:
                out.append(token)
        return out

    def _single_token(self, item: Any, line: int, where: str) -> str | None:
        if not isinstance(item, str):
            self.problem(line, f"{where}: {item!r} is not text; {_YAML_WORDS_HINT}")
            return None
        toks = self._tokens(item)
        if len(toks) != 1:
            self.problem(line, f"{where}: {item!r} must be exactly one word")
            return None
        return toks[0]

    def _number_words(self) -> dict[str, float]:
        value = self.data.get("number_words")
        if value is None:
            return {}
        if not isinstance(value, LineMap):
            self.problem(self.data.line_of("number_words"), "number_words: map words to numbers")
            return {}
        out: dict[str, float] = {}
        for key, number in value.items():
            line = value.line_of(key)
            token = self._single_token(key, line, "number_words")
            if token is None:
                continue
            if isinstance(number, bool) or not isinstance(number, int | float) or number <= 0:
                self.problem(line, f"number_words: {key!r} must map to a positive number")
                continue
            out[token] = float(number)
        return out

    def _read_groups(self) -> None:
        groups = self.data.get("groups")
        if groups is None:
            return
        if not isinstance(groups, LineMap):
            self.problem(self.data.line_of("groups"), "groups must map names to lists of words")
            return
        for name, members in groups.items():
            line = groups.line_of(name)
            if not isinstance(members, LineList):
                self.problem(line, f"group {name!r} must be a list of words or phrases")
                continue
            if not members:
                self.problem(line, f"group {name!r} is empty: a rule using it can never match")
                continue
            self.group_data[name] = (list(members), members, line)

    # -- groups (compiled lazily: only groups in use, once each)

    def _group_phrases(self, name: str, line: int) -> tuple[int, ...] | None:
        if name in self.group_phrases:
            return self.group_phrases[name]
        self.group_phrases[name] = None  # guards against a group naming itself
        if name not in self.group_data:
            self.problem(line, f"unknown group '@{name}'")
            return None
        members, node, _ = self.group_data[name]
        pids: list[int] = []
        stop_only = True
        for i, member in enumerate(members):
            mline = node.line_at(i) if isinstance(node, LineList) else line
            compiled = self._phrase(member, mline, f"group {name!r}")
            if compiled is not None:
                pid, is_stop = compiled
                pids.append(pid)
                stop_only = stop_only and is_stop
        result = tuple(dict.fromkeys(pids)) if len(pids) == len(members) else None
        self.group_phrases[name] = result
        self.group_stop_only[name] = stop_only
        return result

    def _group_words(self, name: str, line: int) -> frozenset[int] | None:
        """A group used inside a phrase: its members as one slot (single words only)."""
        if name in self.group_words:
            return self.group_words[name]
        pids = self._group_phrases(name, line)
        words: set[int] = set()
        ok = pids is not None
        for pid in pids or ():
            slots = self.phrases[pid]
            if len(slots) != 1 or slots[0] is None:
                ok = False
                break
            words.update(slots[0])
        if pids is not None and not ok:
            self.problem(
                line, f"group '@{name}' holds phrases; inside a phrase use a group of single words"
            )
        result = frozenset(words) if ok else None
        self.group_words[name] = result
        return result

    # -- phrases

    def _phrase(self, raw: Any, line: int, where: str) -> tuple[int, bool] | None:
        """Compile one phrase; returns its id and whether it is made of stop-words only."""
        if not isinstance(raw, str):
            self.problem(line, f"{where}: {raw!r} is not text; {_YAML_WORDS_HINT}")
            return None
        pieces = raw.split()
        if not pieces:
            self.problem(line, f"{where}: empty term can never match")
            return None
        slots: list[Slot] = []
        stop_only = True
        for piece in pieces:
            if piece == "*":
                slots.append(None)
                continue
            if piece.startswith("@"):
                words = self._group_words(piece[1:], line)
                if words is None:
                    return None
                slots.append(words)
                stop_only = stop_only and self.group_stop_only.get(piece[1:], False)
                continue
            if len(piece) > 1 and piece.endswith("*"):
                start = self._tokens(piece[:-1])
                if len(start) != 1 or len(start[0]) < PREFIX_MIN_LEN:
                    self.problem(
                        line,
                        f"{where}: {piece!r}: a prefix is one word of at least "
                        f"{PREFIX_MIN_LEN} letters before the '*'",
                    )
                    return None
                stop_only = False
                slots.append(frozenset({self.vocab.prefix(start[0])}))
                continue
            exact = piece.startswith("=")
            text = piece[1:] if exact else piece
            toks = self._tokens(text)
            if not toks:
                self.problem(line, f"{where}: {raw!r} normalises to nothing and can never match")
                return None
            as_read = _normalized_term(text).replace("'", "").replace(",", ".")
            if len(toks) != 1 or toks[0] != (as_read if self.language == "en" else fold(as_read)):
                self.problem(
                    line,
                    f"{where}: {raw!r} has characters that matching ignores in {text!r}; write "
                    f"the words a message would contain, e.g. {' '.join(toks)!r}",
                )
                return None
            token = toks[0]
            stop_only = stop_only and token in self.stop_words
            slots.append(
                frozenset({self.vocab.literal(token) if exact else self.vocab.word(token)})
            )
        if slots[0] is None or slots[-1] is None:
            self.problem(line, f"{where}: {raw!r} may not start or end with '*'")
            return None
        key = tuple(slots)
        pid = self.phrase_ids.get(key)
        if pid is None:
            pid = self.phrase_ids[key] = len(self.phrases)
            self.phrases.append(key)
        return pid, stop_only

    def _part(self, raw: Any, line: int, where: str) -> tuple[tuple[int, ...], bool] | None:
        """A near part or context: "@group", a phrase, or a list of those."""
        items = list(raw) if isinstance(raw, list) else [raw]
        if not items:
            self.problem(line, f"{where}: an empty part can never match")
            return None
        pids: list[int] = []
        stop_only = True
        ok = True
        for item in items:
            if isinstance(item, str) and item.startswith("@") and " " not in item.strip():
                group = self._group_phrases(item.strip()[1:], line)
                if group is None:
                    ok = False
                    continue
                pids.extend(group)
                stop_only = stop_only and self.group_stop_only.get(item.strip()[1:], False)
                continue
            compiled = self._phrase(item, line, where)
            if compiled is None:
                ok = False
                continue
            pids.append(compiled[0])
            stop_only = stop_only and compiled[1]
        if not ok:
            return None
        return tuple(dict.fromkeys(pids)), stop_only

    # -- concepts and terms

    def _concept(self, item: Any, line: int, first_line: dict[str, int]) -> _CompiledConcept | None:
        if not isinstance(item, LineMap):
            self.problem(line, "each concept is a mapping with id, level, label and terms")
            return None
        before = len(self.problems)
        for key in item:
            if key not in _CONCEPT_KEYS:
                self.problem(item.line_of(key), f"unknown field {key!r}; known: {_CONCEPT_KEYS}")
        required = ("id", "terms") if self.base is not None else ("id", "level", "label", "terms")
        for key in required:
            if key not in item:
                self.problem(item.line, f"concept is missing {key!r}")
        cid = item.get("id")
        inherited = self.base.concepts.get(cid) if self.base and isinstance(cid, str) else None
        if self.base is not None and isinstance(cid, str) and inherited is None:
            self.problem(
                item.line_of("id"),
                f"concept {cid!r} is not in red_flags.yaml: a language adds words for the "
                "base concepts, never concepts of its own",
            )
        if "id" in item:
            if not isinstance(cid, str) or not _CONCEPT_ID.match(cid):
                self.problem(item.line_of("id"), f"id {cid!r} must be lower-case-with-dashes")
            elif cid in first_line:
                self.problem(
                    item.line_of("id"),
                    f"duplicate concept id {cid!r} (first defined at line {first_line[cid]})",
                )
            else:
                first_line[cid] = item.line_of("id")
        level: Level | None = inherited.level if inherited else None
        if "level" in item:
            try:
                level = Level(str(item["level"]).strip().lower())
            except ValueError:
                self.problem(
                    item.line_of("level"),
                    f"level {item['level']!r} must be 'emergency' or 'urgent'",
                )
            if inherited is not None and level is not None and level != inherited.level:
                self.problem(
                    item.line_of("level"),
                    f"concept {cid!r} is {inherited.level.value} in red_flags.yaml: every "
                    "language must give it the same level",
                )
        label = item.get("label", inherited.label if inherited else None)
        if "label" in item and (not isinstance(label, str) or not label.strip()):
            self.problem(item.line_of("label"), "label must be non-empty text")
        topic = item.get("topic", inherited.topic if inherited else None)
        if topic is not None and not (isinstance(topic, str) and _CONCEPT_ID.match(topic)):
            self.problem(item.line_of("topic"), f"topic {topic!r} must be a topic id")
        action = item.get("action", inherited.action if inherited else None)
        if action is not None and not (isinstance(action, str) and _CONCEPT_ID.match(action)):
            self.problem(item.line_of("action"), f"action {action!r} must be a short id")
        terms = self._terms(item, "terms", numbers=True)
        excepts = self._terms(item, "except", numbers=False) if "except" in item else []
        if len(self.problems) > before or level is None or not isinstance(cid, str):
            return None
        if not terms:
            return None
        concept = Concept(
            cid,
            level,
            str(label).strip(),
            tuple(t.source for t in terms),
            topic or None,
            action if isinstance(action, str) else None,
        )
        plain_excepts = [t for t in excepts if not isinstance(t, _NumberTerm)]
        self._check_excepts(terms, plain_excepts, item)
        return _CompiledConcept(concept, tuple(terms), tuple(plain_excepts))

    def _terms(self, item: LineMap, key: str, *, numbers: bool) -> list[_Term]:
        raw = item.get(key)
        if not isinstance(raw, LineList) or not raw:
            self.problem(item.line_of(key), f"{key} must be a non-empty list")
            return []
        out: list[_Term] = []
        seen: dict[str, int] = {}
        for i, entry in enumerate(raw):
            line = raw.line_at(i)
            source = entry.strip() if isinstance(entry, str) else _source_of(entry)
            if source in seen:
                self.problem(line, f"{key}: {source!r} repeats line {seen[source]}")
                continue
            seen[source] = line
            term = self._term(entry, line, key, numbers=numbers)
            if term is not None:
                out.append(term)
        return out

    def _term(self, entry: Any, line: int, where: str, *, numbers: bool) -> _Term | None:
        if isinstance(entry, str):
            text = entry.strip()
            if text.startswith("@") and " " not in text:
                part = self._part(text, line, where)
                if part is None:
                    return None
                pids, stop_only = part
                if stop_only:
                    self.problem(line, f"{where}: {text!r} is only stop-words: it matches anything")
                    return None
                return _PhraseTerm(pids, text)
            compiled = self._phrase(text, line, where)
            if compiled is None:
                return None
            pid, stop_only = compiled
            if stop_only:
                self.problem(line, f"{where}: {text!r} is only stop-words: it matches anything")
                return None
            return _PhraseTerm((pid,), text)
        if isinstance(entry, LineMap):
            if "near" in entry and "number" in entry:
                self.problem(line, f"{where}: a term is either near or number, not both")
                return None
            if "near" in entry:
                return self._near(entry, where)
            if "number" in entry:
                if not numbers:
                    self.problem(line, f"{where}: number rules are not allowed here")
                    return None
                return self._number(entry, where)
            self.problem(line, f"{where}: a rule must have 'near' or 'number' (or be a phrase)")
            return None
        self.problem(line, f"{where}: {entry!r} is not text; {_YAML_WORDS_HINT}")
        return None

    def _near(self, entry: LineMap, where: str) -> _NearTerm | None:
        line = entry.line_of("near")
        for key in entry:
            if key not in _NEAR_KEYS:
                self.problem(
                    entry.line_of(key), f"unknown field {key!r} in near; known: {_NEAR_KEYS}"
                )
        raw_parts = entry["near"]
        if not isinstance(raw_parts, list) or not 2 <= len(raw_parts) <= MAX_NEAR_PARTS:
            self.problem(line, f"near needs 2 to {MAX_NEAR_PARTS} parts")
            return None
        within = self._within(entry, DEFAULT_WITHIN)
        ordered = entry.get("ordered", False)
        if not isinstance(ordered, bool):
            self.problem(entry.line_of("ordered"), "ordered must be true or false")
            return None
        parts: list[tuple[int, ...]] = []
        all_stop = True
        for raw in raw_parts:
            part = self._part(raw, line, where)
            if part is None:
                return None
            parts.append(part[0])
            all_stop = all_stop and part[1]
        if within is None:
            return None
        if all_stop:
            self.problem(line, f"{where}: every part of this near is stop-words: matches anything")
            return None
        return _NearTerm(tuple(parts), within, ordered, _source_of(entry))

    def _within(self, entry: LineMap, default: int) -> int | None:
        within = entry.get("within", default)
        if isinstance(within, bool) or not isinstance(within, int) or not 0 <= within <= MAX_WITHIN:
            self.problem(entry.line_of("within"), f"within must be a whole number 0..{MAX_WITHIN}")
            return None
        return within

    def _number(self, entry: LineMap, where: str) -> _NumberTerm | None:
        line = entry.line_of("number")
        for key in entry:
            if key != "number":
                self.problem(entry.line_of(key), f"unknown field {key!r} beside number")
        spec = entry["number"]
        if not isinstance(spec, LineMap):
            self.problem(line, "number: a mapping with at_least, units, ...")
            return None
        before = len(self.problems)
        for key in spec:
            if key not in _NUMBER_KEYS:
                self.problem(
                    spec.line_of(key), f"unknown field {key!r} in number; known: {_NUMBER_KEYS}"
                )
        raw_at_least = spec.get("at_least")
        raw_below = spec.get("below", math.inf)
        at_least = _as_float(raw_at_least)
        below = _as_float(raw_below)
        if math.isnan(at_least):
            self.problem(
                spec.line_of("at_least") if "at_least" in spec else line,
                "number needs at_least: a number",
            )
        elif math.isnan(below) or below <= at_least:
            self.problem(
                spec.line_of("below"),
                "below must be a number greater than at_least: otherwise it can never match",
            )
        units: dict[int, float] = {}
        raw_units = spec.get("units", {})
        if not isinstance(raw_units, LineMap):
            self.problem(spec.line_of("units"), "units must map unit words to multipliers")
        else:
            for word, mult in raw_units.items():
                uline = raw_units.line_of(word)
                token = self._single_token(word, uline, "units")
                if token is None:
                    continue
                if not _is_number(mult) or mult <= 0:
                    self.problem(uline, f"units: {word!r} must map to a positive multiplier")
                    continue
                units[self.vocab.word(token)] = float(mult)
        or_after = self._spec_words(spec, "or_after")
        if not units and not or_after:
            self.problem(line, "number has no units and no or_after: it can never match")
        context: tuple[int, ...] = ()
        if "near" in spec:
            part = self._part(spec["near"], spec.line_of("near"), where)
            if part is not None:
                context = part[0]
        within = self._within(spec, 10)
        unless_before, before_within = self._unless(spec, "unless_preceded_by", where)
        unless_after, after_within = self._unless(spec, "unless_followed_by", where)
        if len(self.problems) > before or within is None:
            return None
        return _NumberTerm(
            at_least=at_least,
            below=below,
            units=MappingProxyType(units),
            or_after=frozenset(or_after),
            context=context,
            within=within,
            unless_before=unless_before,
            before_within=before_within,
            unless_after=unless_after,
            after_within=after_within,
            source=_source_of(entry),
        )

    def _spec_words(self, spec: LineMap, key: str) -> list[int]:
        raw = spec.get(key)
        if raw is None:
            return []
        if not isinstance(raw, LineList) or not raw:
            self.problem(spec.line_of(key), f"{key} must be a non-empty list of words")
            return []
        return self._word_ids(raw, key)

    def _word_ids(self, raw: LineList, where: str) -> list[int]:
        out: list[int] = []
        for i, item in enumerate(raw):
            line = raw.line_at(i)
            exact = isinstance(item, str) and item.startswith("=")
            token = self._single_token(item[1:] if exact else item, line, where)
            if token is not None:
                out.append(self.vocab.literal(token) if exact else self.vocab.word(token))
        return out

    def _unless(self, spec: LineMap, key: str, where: str) -> tuple[tuple[int, ...], int]:
        raw = spec.get(key)
        if raw is None:
            return (), 0
        if not isinstance(raw, LineMap) or "words" not in raw:
            self.problem(spec.line_of(key), f"{key}: {{words: [...], within: N}}")
            return (), 0
        for k in raw:
            if k not in ("words", "within"):
                self.problem(raw.line_of(k), f"unknown field {k!r} in {key}")
        within = self._within(raw, 0)
        part = self._part(raw["words"], raw.line_of("words"), where)
        return (part[0] if part else ()), (within or 0)

    def _check_excepts(
        self, terms: Sequence[_Term], excepts: Sequence[_PhraseTerm | _NearTerm], item: LineMap
    ) -> None:
        """A phrase term that contains an except phrase is always dropped: it can never match."""
        except_phrases = [
            self.phrases[p] for t in excepts if isinstance(t, _PhraseTerm) for p in t.phrases
        ]
        raw = item.get("terms")
        for index, term in enumerate(terms):
            if not isinstance(term, _PhraseTerm) or len(term.phrases) != 1:
                continue
            slots = self.phrases[term.phrases[0]]
            for ex in except_phrases:
                if _contains(slots, ex):
                    line = raw.line_at(index) if isinstance(raw, LineList) else item.line
                    self.problem(
                        line, f"term {term.source!r} contains an except phrase: it can never match"
                    )
                    break


def _contains(slots: tuple[Slot, ...], inner: tuple[Slot, ...]) -> bool:
    n, m = len(slots), len(inner)
    return any(slots[i : i + m] == inner for i in range(n - m + 1))


def _as_float(value: Any) -> float:
    """The value as a float, or NaN when it is not a number (reported by the caller)."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return math.nan


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _source_of(entry: Any) -> str:
    """A one-line rendering of a rule as written, for explain() and error messages."""
    if isinstance(entry, dict):
        inner = ", ".join(f"{k}: {_source_of(v)}" for k, v in entry.items())
        return "{" + inner + "}"
    if isinstance(entry, list):
        return "[" + ", ".join(_source_of(v) for v in entry) + "]"
    return str(entry)


def compile_rules(
    data: LineMap, path: Path, *, language: str = "en", base: RedFlagRules | None = None
) -> tuple[RedFlagRules | None, list[ContentProblem]]:
    """Validate red_flags.yaml data (or, with `base`, one language's file under red_flags/)
    and compile it; returns the rules (None on problems) and every problem found, each with
    its file and line. A language file adds words for the base's concepts: its concepts
    inherit level, label and topic."""
    compiler = _Compiler(data, path, language, base)
    rules = compiler.run()
    problems = compiler.problems
    return (rules if not problems else None), problems
