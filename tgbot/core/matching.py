"""Question matching: text to the best topic, a calibrated confidence, and alternatives.

Method, chosen on evidence (bench/matcher_compare.py compares it with fuzzy phrase matching):
BM25 over each topic's title, phrasings and keywords, plus the best single phrasing a message
completes (so a topic that lists many different signs still wins on one of them), with
Snowball stems, synonym expansion, fuzzy correction of misspelt words against the index
vocabulary, more weight on the question sentences of a long message, and a domain gate (a
message with no jerk / twitch / seizure / spasm ... concept at all is out of scope). Every
word list comes from content/synonyms.yaml; none lives here. Never imports telegram or
aiosqlite.
"""

from __future__ import annotations

import heapq
import itertools
import math
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType

from rapidfuzz import process
from rapidfuzz.distance import OSA

from tgbot.core.model import Topic
from tgbot.core.text import fold, normalize, split_sentences, stemmer_for, words

# Confidence at or above ANSWER_THRESHOLD answers; between SUGGEST and ANSWER offers
# "did you mean" suggestions; below SUGGEST the matcher abstains. Tuned on one half of the
# dev set plus bench-written cases and checked on the other half, both ways round
# (bench/matcher_compare.py --holdout: the halves chose 0.37 and 0.46); 0.35 keeps clearly
# worded questions answered while one-concept messages ("twitching") get suggestions.
ANSWER_THRESHOLD = 0.35
SUGGEST_THRESHOLD = 0.25
MAX_SUGGESTIONS = 3
# A suggestion must score at least this share of the best topic's raw score: weaker ones are
# noise, and offering them makes the "did you mean" list look random.
SUGGEST_RELATIVE_SCORE = 0.5

# A message without any in-domain concept is scaled down so far it can never be answered
# or suggested, however many generic words ("baby", "month old") it shares with a topic.
OFF_DOMAIN_FACTOR = 0.2

# A topic's child_topic (or its general topic) takes the lead when the message names a child
# (or only an adult) and it scores at least this share of the leader.
CHILD_TOPIC_SHARE = 0.5
NEWBORN_TOPIC_SHARE = 0.85

# Fuzzy correction: one edit for words of 5+ letters, two for 8+ (OSA distance: a swap of
# neighbouring letters, "newbron", is one edit). Shorter words are too easily another word.
FUZZY_MIN_LENGTH = 5
FUZZY_TWO_EDITS_LENGTH = 8
_CORRECTION_CACHE_LIMIT = 100_000
# Messages whose terms are remembered (a message is read several times by one match()).
_QUERY_CACHE_SIZE = 8

# Past this many topics, terms found in more than this share of them are "common": they only
# add to topics that rarer query terms already found (see TopicIndex._accumulate). Keeps query
# time flat as the catalogue grows; below the limit scoring is exact.
COMMON_TERM_MIN_TOPICS = 64
COMMON_TERM_SHARE = 0.1
# The best-phrasing score is worked out for at most this many topics, the best by BM25: the
# phrasing bonus reorders close candidates, it does not lift a topic from far behind. Every
# scored topic is a candidate while there are no more than this (any catalogue of up to this
# many topics), so scoring there is exact.
PHRASE_CANDIDATES = 64
# A message of common terms only is scored over each term's champions: the topics where the
# term weighs most. Such a message names nothing distinctive, so the best it can get is a
# suggestion; scoring every topic that holds "baby" would cost time in proportion to the
# catalogue for nothing.
COMMON_TERM_CHAMPIONS = 128


@dataclass(frozen=True, slots=True)
class MatcherSettings:
    """The matcher's tunable numbers, in one place so the bench can try others.

    The defaults are the production values, chosen with bench/matcher_compare.py.
    """

    # BM25. b is low because a topic's "document" grows with the number of phrasings the
    # editor wrote, which says nothing about how focused the topic is.
    k1: float = 1.2
    b: float = 0.3
    title_weight: float = 1.5
    question_weight: float = 1.0
    keyword_weight: float = 1.0
    # The summary and the answer itself, read as weaker phrasings: a parent who asks about a
    # fact of the answer ("is breath-holding linked to low iron?") finds it even when no
    # phrasing was written for it. Each sentence counts as one phrasing.
    summary_weight: float = 0.0
    body_weight: float = 0.2
    # A question whose words ask what a topic's intent names ("what causes", "how is it
    # treated") adds this many of the rarest term's weight to that topic: intent words are
    # in many phrasings, so BM25 alone gives them little say.
    intent_weight: float = 0.75
    # The best single phrasing: its matched share of the query times its completeness, added
    # to BM25 with this weight (0 turns it off).
    phrase_weight: float = 0.5
    # Query side: a synonym's canonical word counts a little less than a word the parent
    # wrote; a pair of adjacent words (bigram) adds word-order evidence.
    expansion_weight: float = 0.8
    bigram_weight: float = 0.5
    # In a message of several sentences the question sentences carry full weight and the
    # story around them this much, so incidental words do not dominate.
    story_weight: float = 0.4
    short_message_words: int = 12
    focus_min_content_words: int = 3
    # A word no topic uses counts in the query's reachable mass as a term this share as rare
    # as the rarest; it lowers coverage, never the ranking.
    unknown_idf_share: float = 0.5
    # A query's reachable mass is at least this many of the rarest terms: a message naming one
    # concept ("twitching") is vague however well one topic covers it, so it gets suggestions.
    min_query_terms: float = 1.5
    # confidence = sigmoid(coverage_slope * coverage + margin_slope * margin + bias):
    # coverage is the share of the best score the query could reach, margin how far the
    # topic leads the best other one. Logistic regression of "the top topic is right" on
    # in-domain messages (bench --fit); the mean of the fits on either dev half.
    coverage_slope: float = 5.85
    margin_slope: float = 2.6
    bias: float = -2.05
    # A vague message (only domain, child and vague words: "jerks?", "my baby twitches")
    # has at most this many words that count; a longer one is a story for the best topic.
    vague_max_terms: int = 4


DEFAULT_SETTINGS = MatcherSettings()


@dataclass(frozen=True, slots=True)
class Vocabulary:
    """The word lists of content/synonyms.yaml that the matcher uses.

    synonyms: canonical word or phrase -> variants parents write (a variant adds its canonical).
    domain: concept words; a message needs at least one (after synonyms) to be answered.
    filler: words that are never evidence for a topic (greetings, pronouns, "sorry").
    keep: real words that fuzzy correction must leave alone.
    determiners: words that stand for one another inside synonym phrases ("a", "the", "his").
    question_words: words that open a question sentence ("what", "is", "can").
    """

    synonyms: Mapping[str, tuple[str, ...]] = field(default_factory=lambda: MappingProxyType({}))
    domain: tuple[str, ...] = ()
    filler: tuple[str, ...] = ()
    keep: tuple[str, ...] = ()
    determiners: tuple[str, ...] = ()
    question_words: tuple[str, ...] = ()
    # Phrases in which our words mean something else ("shoes fit", "threw a fit", "customs
    # seizure"): their words are dropped before matching, so they are no evidence at all.
    other_senses: tuple[str, ...] = ()
    # Who a message can be about besides a child (pets, farm animals): a message naming one
    # and no child is out of scope, however twitchy the dog.
    other_subjects: tuple[str, ...] = ()
    # Words for a baby or child: they keep a message about a pet in scope ("the dog barked
    # and my baby startled"), and make a topic written for babies win over one for adults.
    child_words: tuple[str, ...] = ()
    # Words that add nothing to a one-line message about jerks ("normal", "movements"): a
    # message of domain, child and vague words only gets the overview topic.
    vague_words: tuple[str, ...] = ()
    # Pairs of words that are in the domain only together: teething alone is out of scope,
    # teething with a fever is a question for the teething topic ("teething fever").
    domain_pairs: tuple[tuple[str, str], ...] = ()
    # Words for an adult: a message naming one and no child prefers a general topic.
    adult_words: tuple[str, ...] = ()
    # Words for a newborn: only with one does a newborn-only topic lead its general sibling.
    newborn_words: tuple[str, ...] = ()


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


@dataclass(frozen=True, slots=True)
class ScoreDetail:
    """Why a topic got its confidence: raw BM25, share of the query it covers, lead, result."""

    topic_id: str
    raw: float
    coverage: float
    margin: float
    confidence: float


@dataclass(frozen=True, slots=True)
class PhraseTerms:
    """Terms of one phrase or sentence: stems as written, synonym expansions, word pairs."""

    originals: tuple[str, ...]
    expansions: tuple[str, ...]
    bigrams: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class QueryTerms:
    """A message as weighted terms, and whether it touches the domain at all."""

    weights: Mapping[str, float]
    in_domain: bool
    # the words as written (stems, no expansions or pairs), to tell how much is unknown
    originals: Mapping[str, float] = field(default_factory=lambda: MappingProxyType({}))
    # a child is named ("my baby", "our 4 month old", "toddler")
    about_child: bool = False
    # someone other than a child is the subject (a pet) and no child is named
    other_subject: bool = False


# An age or a count written as one token ("4mo", "2wk", "18m", "3yo", "10days"): like a bare
# number, it is in nearly every message and never picks a topic.
_AGE_TOKEN = re.compile(r"^\d+(?:mo|mos|m|mth|mths|wk|wks|w|yo|y|yr|yrs|d|days?|weeks?|months?)$")

# A child's age: "4 month old", "2 weeks old", "18mo", "3 yo", "10 day old".
_CHILD_AGE = re.compile(
    r"\b\d+\s*-?\s*(?:months?|mths?|weeks?|wks?|days?|years?|yrs?)\s*-?\s*old\b"
    r"|\b\d+\s*(?:mo|mos|wk|wks|yo|m/o)\b",
    re.I,
)

# The shared matching key of determiners; no real word or stem looks like it.
_DETERMINER = "<det>"


def _ranking(scores: Mapping[int, float]) -> Callable[[int], tuple[float, int]]:
    """Sort key of topics by score, the earlier topic first on a tie (stable across runs)."""
    return lambda doc: (scores[doc], -doc)


def _body_sentences(body: str) -> list[str]:
    """An answer's sentences and bullet items, markup removed (for the body field)."""
    plain = body.replace("**", " ").replace("__", " ")
    out: list[str] = []
    for line in plain.splitlines():
        line = line.strip().lstrip("-*• ").strip()
        if line:
            out.extend(s for s in split_sentences(line) if s.strip())
    return out


def _sigmoid(x: float) -> float:
    # exp() overflows past about 709; a far-behind candidate's margin can reach that (its
    # score is tiny next to the leader's), and its confidence is 0 to any precision anyway.
    return 1.0 / (1.0 + math.exp(min(-x, 700.0)))


def _as_written(word: str) -> str:
    return word


class TextAnalyzer:
    """Turns text into matchable terms: correction, stems, synonyms, fillers, bigrams.

    Shared by the index (for topic phrasings) and queries, so both sides agree on every term.
    """

    def __init__(
        self,
        vocabulary: Vocabulary,
        known_words: Iterable[str] = (),
        settings: MatcherSettings = DEFAULT_SETTINGS,
        *,
        language: str = "en",
    ) -> None:
        self.settings = settings
        # The pack's own analyser: its Snowball stemmer, and for languages other than English
        # words read without accents (parents type "bebe" as often as "bebé"). English keeps
        # its words as written, as it always has.
        stem_word = stemmer_for(language)
        self._fold: Callable[[str], str] = _as_written if language == "en" else fold
        self._stem: Callable[[str], str] = (
            stem_word if language == "en" else (lambda word: stem_word(fold(word)))
        )
        # closed-class words in both spellings, so "perche" is the question word "perché"
        self._filler_words = self._both(vocabulary.filler)
        self._question_words = self._both(vocabulary.question_words)
        # Closed-class words (fillers, question words) are matched as written: stemming adds
        # nothing to them and would merge "whats" into "what".
        self._closed = frozenset(self._filler_words | self._question_words)
        self._determiners: frozenset[str] = frozenset()
        self._filler_stems = {self._key(w) for w in self._filler_words}
        self._determiners = frozenset(self._both(vocabulary.determiners))
        if self._determiners:
            # every determiner is a filler word too, so their shared key is one as well
            self._filler_stems.add(_DETERMINER)
        # variant stems -> canonical stems, grouped by the variant's first stem and tried
        # longest first so "falling asleep" wins over "asleep"
        grouped: dict[str, dict[tuple[str, ...], set[str]]] = defaultdict(dict)
        surface: set[str] = set(self._filler_words) | self._question_words
        for canonical, variants in vocabulary.synonyms.items():
            canon = tuple(s for s in self._keys(canonical) if s not in self._filler_stems)
            surface.update(words(normalize(canonical)))
            for variant in variants:
                surface.update(words(normalize(variant)))
                var = self._keys(variant)
                if not var or var == canon:
                    continue
                grouped[var[0]].setdefault(var, set()).update(canon)
        self._synonyms: dict[str, list[tuple[tuple[str, ...], tuple[str, ...]]]] = {
            first: sorted(
                ((var, tuple(sorted(canon))) for var, canon in by_var.items()),
                key=lambda pair: -len(pair[0]),
            )
            for first, by_var in grouped.items()
        }
        # A one-word variant with one one-word canonical stands for it in word pairs, so
        # "fit first aid" and "seizure first aid" share their bigram.
        self._primary = {
            first: next(iter(by_var[(first,)]))
            for first, by_var in grouped.items()
            if len(by_var.get((first,), ())) == 1
        }
        # other senses as word sequences, grouped by first word, longest first
        senses: dict[str, list[tuple[str, ...]]] = defaultdict(list)
        for phrase in vocabulary.other_senses:
            # as written, not stemmed ("fitness" must not remove every "fit"); "*" stands for
            # any one word ("does this * fit")
            keys = tuple("*" if w == "*" else w for w in normalize(phrase).split())
            keys = tuple(k for k in keys if k == "*" or words(k))
            if keys:
                senses[keys[0]].append(keys)
                surface.update(words(normalize(phrase)))
        self._senses = {first: sorted(v, key=len, reverse=True) for first, v in senses.items()}
        self._other_subjects = frozenset(
            self._key(w) for p in vocabulary.other_subjects for w in words(normalize(p))
        )
        self._child_words = frozenset(
            self._key(w) for p in vocabulary.child_words for w in words(normalize(p))
        )
        self._newborn_words = frozenset(
            self._key(w) for p in vocabulary.newborn_words for w in words(normalize(p))
        )
        self._adult_words = frozenset(
            self._key(w) for p in vocabulary.adult_words for w in words(normalize(p))
        )
        self._vague = frozenset(
            self._key(w) for p in vocabulary.vague_words for w in words(normalize(p))
        )
        surface.update(w for p in vocabulary.other_subjects for w in words(normalize(p)))
        surface.update(w for p in vocabulary.child_words for w in words(normalize(p)))
        self._domain_pairs: list[tuple[frozenset[str], frozenset[str]]] = []
        for first, second in vocabulary.domain_pairs:
            a = self.phrase_terms(words(normalize(first)))
            b = self.phrase_terms(words(normalize(second)))
            self._domain_pairs.append(
                (frozenset((*a.originals, *a.expansions)), frozenset((*b.originals, *b.expansions)))
            )
        self._domain: set[str] = set()
        for concept in vocabulary.domain:
            terms = self.phrase_terms(words(normalize(concept)))
            self._domain.update(terms.originals, terms.expansions)
        # Each distinct word once: a catalogue's bodies repeat their words many times over.
        for known in {*vocabulary.domain, *vocabulary.keep, *known_words}:
            surface.update(words(normalize(known)))
        self._known = frozenset(surface)
        # A word whose stem is already known is a form of a known word ("проявляются",
        # "twitchiest"), not a misspelling: correcting it to a near neighbour changes meaning.
        self._known_stems = frozenset(self._key(w) for w in surface)
        # Fuzzy targets bucketed by (first letter, length): a misspelling almost always keeps
        # the first letter, and this keeps each lookup to a few hundred words at most.
        buckets: dict[tuple[str, int], list[str]] = defaultdict(list)
        for word in sorted(surface):
            if len(word) >= FUZZY_MIN_LENGTH - 1 and word.isalpha():
                buckets[(word[0], len(word))].append(word)
        self._buckets = dict(buckets)
        self._corrections: dict[str, str] = {}
        self._queries: dict[str, QueryTerms] = {}

    def _key(self, word: str) -> str:
        """The form a word is matched in: itself for closed-class words, else its stem.

        Determiners all share one key, so a synonym phrase matches whichever one is written.
        """
        if word in self._determiners:
            return _DETERMINER
        return self._fold(word) if word in self._closed else self._stem(word)

    def _both(self, phrases: Iterable[str]) -> set[str]:
        """The words of phrases as written and without accents."""
        return {v for p in phrases for w in words(normalize(p)) for v in (w, self._fold(w))}

    def _keys(self, text: str) -> tuple[str, ...]:
        return tuple(self._key(w) for w in words(normalize(text)))

    @property
    def domain_terms(self) -> frozenset[str]:
        return frozenset(self._domain)

    def is_generic(self, term: str) -> bool:
        """A word for a child or a vague word ("jerks", "normal"): no evidence for one topic."""
        return term in self._child_words or term in self._vague

    def is_people_or_variant(self, term: str) -> bool:
        """A word for who the message is about, or a synonym variant (its canonical word is
        counted instead): neither is a word "no topic uses" that lowers coverage."""
        return (
            term in self._child_words
            or term in self._adult_words
            or term in self._newborn_words
            or term in self._primary
            or term in self._synonyms
        )

    def is_about_newborn(self, query: QueryTerms) -> bool:
        """The message names a newborn ("newborn", "2 week old", "neonatal")."""
        return not self._newborn_words.isdisjoint(query.weights)

    def is_about_adult(self, query: QueryTerms) -> bool:
        """The message names an adult (dad, grandma, husband, "my own") and no child."""
        return not query.about_child and not self._adult_words.isdisjoint(query.weights)

    def is_child_word(self, term: str) -> bool:
        return term in self._child_words

    def is_domain(self, term: str) -> bool:
        return term in self._domain

    def is_question_word(self, term: str) -> bool:
        return term in self._question_words

    def is_known(self, word: str) -> bool:
        return word in self._known

    def correct(self, word: str) -> str:
        """The vocabulary word a misspelt word most likely meant, or the word itself."""
        if word in self._known or len(word) < FUZZY_MIN_LENGTH or not word.isalpha():
            return word
        if self._key(word) in self._known_stems:
            return word
        cached = self._corrections.get(word)
        if cached is not None:
            return cached
        max_edits = 2 if len(word) >= FUZZY_TWO_EDITS_LENGTH else 1
        best, best_distance = word, max_edits + 1
        for length in range(len(word) - max_edits, len(word) + max_edits + 1):
            bucket = self._buckets.get((word[0], length))
            if not bucket:
                continue
            found = process.extractOne(
                word, bucket, scorer=OSA.distance, score_cutoff=min(max_edits, best_distance - 1)
            )
            if found is not None and found[1] < best_distance:
                best, best_distance = found[0], int(found[1])
        if len(self._corrections) >= _CORRECTION_CACHE_LIMIT:
            self._corrections.clear()  # hostile streams of made-up words must not grow memory
        self._corrections[word] = best
        return best

    def phrase_terms(self, tokens: Sequence[str], *, correct: bool = False) -> PhraseTerms:
        """Terms of one phrase given as word tokens (from tgbot.core.text.words)."""
        if correct:
            tokens = [self.correct(t) for t in tokens]
        stems = [self._key(t) for t in tokens]
        expansions: dict[str, None] = {}
        for i, first in enumerate(stems):
            for variant, canonical in self._synonyms.get(first, ()):
                if tuple(stems[i : i + len(variant)]) == variant:
                    expansions.update(dict.fromkeys(canonical))
                    break
        # Numbers (ages, temperatures, counts) are in nearly every message and never pick a
        # topic; the words around them ("days old", "fever") carry the meaning.
        content = [
            s
            for s, t in zip(stems, tokens, strict=True)
            if s not in self._filler_stems
            and t not in self._filler_words
            and not t.isdigit()
            and not _AGE_TOKEN.match(t)
        ]
        primaries = [self._primary.get(s, s) for s in content]
        bigrams = tuple(f"{a}_{b}" for a, b in itertools.pairwise(primaries) if a != b)
        originals = tuple(content)
        present = set(originals)
        return PhraseTerms(
            originals=originals,
            expansions=tuple(e for e in expansions if e not in present),
            bigrams=bigrams,
        )

    def without_other_senses(self, tokens: list[str]) -> list[str]:
        """The tokens less every phrase in which our words mean something else."""
        if not self._senses:
            return tokens
        keys = tokens
        keep = [True] * len(tokens)
        for i, first in enumerate(keys):
            for phrase in self._senses.get(first, ()):
                window = keys[i : i + len(phrase)]
                if len(window) == len(phrase) and all(
                    p in ("*", w) for p, w in zip(phrase, window, strict=True)
                ):
                    for j in range(i, i + len(phrase)):
                        keep[j] = False
                    break
        return [t for t, k in zip(tokens, keep, strict=True) if k]

    def _content_count(self, tokens: Sequence[str]) -> int:
        return sum(1 for t in tokens if t not in self._filler_words and not t.isdigit())

    def weighted_sentences(self, text: str) -> list[tuple[list[str], float]]:
        """The message's sentences as word tokens, each with its weight (focus = 1.0).

        In a long message the focus is the question sentences (or else the last one); a
        focus sentence with little content ("what now?", "who's right?") lends its focus to
        the sentence before it, which usually says what "it" is.
        """
        sentences = [
            (s, toks)
            for s in split_sentences(normalize(text))
            if (toks := self.without_other_senses(words(s)))
        ]
        tokenised = [toks for _, toks in sentences]
        short = self.settings.short_message_words
        if len(tokenised) <= 1 or sum(map(len, tokenised)) <= short:
            return [(toks, 1.0) for toks in tokenised]
        focus = {
            i
            for i, (sentence, toks) in enumerate(sentences)
            if sentence.endswith("?") or toks[0] in self._question_words
        } or {len(tokenised) - 1}
        for i in sorted(focus):
            if i > 0 and self._content_count(tokenised[i]) < self.settings.focus_min_content_words:
                focus.add(i - 1)
        story = self.settings.story_weight
        return [(toks, 1.0 if i in focus else story) for i, toks in enumerate(tokenised)]

    def query(self, text: str) -> QueryTerms:
        """A message as weighted terms: each term keeps the highest weight it appears with.

        The last few are remembered: match() reads one message several ways (ranking, the
        vague check, the audience check) and each asks for its terms.
        """
        cached = self._queries.get(text)
        if cached is not None:
            return cached
        found = self._query(text)
        if len(self._queries) >= _QUERY_CACHE_SIZE:
            self._queries.pop(next(iter(self._queries)))
        self._queries[text] = found
        return found

    def _query(self, text: str) -> QueryTerms:
        weights: dict[str, float] = {}
        originals: dict[str, float] = {}

        def add(term: str, weight: float) -> None:
            if weight > weights.get(term, 0.0):
                weights[term] = weight

        sentences = self.weighted_sentences(text)
        for tokens, weight in sentences:
            terms = self.phrase_terms(tokens, correct=True)
            for term in terms.originals:
                add(term, weight)
                originals[term] = max(weight, originals.get(term, 0.0))
            for term in terms.expansions:
                add(term, weight * self.settings.expansion_weight)
            for term in terms.bigrams:
                add(term, weight * self.settings.bigram_weight)
        # who the message is about is read from every word, fillers and ages included
        # ("my 11 month old", "the dog barked at my son")
        every = {self._key(t) for tokens, _ in sentences for t in tokens}
        every.update(weights)
        in_domain = any(term in self._domain for term in weights) or any(
            not a.isdisjoint(weights) and not b.isdisjoint(weights) for a, b in self._domain_pairs
        )
        about_child = not self._child_words.isdisjoint(every) or bool(
            _CHILD_AGE.search(normalize(text))
        )
        other = not about_child and not self._other_subjects.isdisjoint(every)
        return QueryTerms(
            weights=weights,
            in_domain=in_domain and not other,
            originals=originals,
            about_child=about_child,
            other_subject=other,
        )


class TopicIndex:
    """BM25 and phrase postings over topics' titles, phrasings and keywords; built at load."""

    def __init__(
        self,
        topics: Sequence[Topic],
        vocabulary: Vocabulary | Mapping[str, tuple[str, ...]],
        *,
        settings: MatcherSettings = DEFAULT_SETTINGS,
        answer_threshold: float = ANSWER_THRESHOLD,
        suggest_threshold: float = SUGGEST_THRESHOLD,
        language: str = "en",
    ) -> None:
        # per index, so the bench can try thresholds without touching module state
        self.answer_threshold = answer_threshold
        self.suggest_threshold = suggest_threshold
        self.settings = settings
        if not isinstance(vocabulary, Vocabulary):
            vocabulary = Vocabulary(synonyms=MappingProxyType(dict(vocabulary)))
        self.vocabulary = vocabulary
        known = (
            w
            for topic in topics
            for text in (topic.title, *topic.questions, *topic.keywords, topic.body)
            for w in words(normalize(text))
        )
        self.analyzer = TextAnalyzer(vocabulary, known, settings, language=language)
        self._ids = [topic.id for topic in topics]
        self.overview_id = next((topic.id for topic in topics if topic.overview), None)
        self._child_topic = {t.id: t.child_topic for t in topics if t.child_topic}
        self._intents: list[frozenset[str]] = []
        for topic in topics:
            intent_terms: set[str] = set()
            for phrase in topic.intent:
                found = self.analyzer.phrase_terms(words(normalize(phrase)))
                intent_terms.update(found.originals, found.expansions)
            self._intents.append(frozenset(intent_terms))
        self._general_topic = {child: general for general, child in self._child_topic.items()}
        self._newborn_topic = {t.id: t.newborn_topic for t in topics if t.newborn_topic}
        self._not_newborn = {nb: general for general, nb in self._newborn_topic.items()}
        count = len(topics)
        # every phrasing as its terms, remembering its topic and field weight
        phrases: list[tuple[int, float, PhraseTerms]] = []
        for doc, topic in enumerate(topics):
            fields = [(topic.title, settings.title_weight)]
            fields += [(q, settings.question_weight) for q in topic.questions]
            fields += [(k, settings.keyword_weight) for k in topic.keywords]
            if settings.summary_weight and topic.summary:
                fields.append((topic.summary, settings.summary_weight))
            if settings.body_weight:
                fields += [
                    (sentence, settings.body_weight) for sentence in _body_sentences(topic.body)
                ]
            for text, weight in fields:
                terms = self.analyzer.phrase_terms(words(normalize(text)))
                if terms.originals or terms.expansions:
                    phrases.append((doc, weight, terms))
        frequencies: list[dict[str, float]] = [defaultdict(float) for _ in topics]
        for doc, weight, terms in phrases:
            for term in (*terms.originals, *terms.expansions, *terms.bigrams):
                frequencies[doc][term] += weight
        lengths = [float(sum(tf.values())) for tf in frequencies]
        total: float = sum(lengths)
        average = total / count if count and total > 0 else 1.0
        document_frequency: dict[str, int] = defaultdict(int)
        for tf in frequencies:
            for term in tf:
                document_frequency[term] += 1
        self._idf = {
            term: math.log(1.0 + (count - df + 0.5) / (df + 0.5))
            for term, df in document_frequency.items()
        }
        # the idf of a term found in one topic only: the scale for words no topic uses
        self._max_idf = math.log(1.0 + (count - 0.5) / 1.5) if count else 1.0
        k1, b = settings.k1, settings.b
        postings: dict[str, dict[int, float]] = defaultdict(dict)
        for doc, (tf, length) in enumerate(zip(frequencies, lengths, strict=True)):
            norm = k1 * (1.0 - b + b * length / average)
            for term, freq in tf.items():
                postings[term][doc] = self._idf[term] * freq * (k1 + 1.0) / (freq + norm)
        self._postings = dict(postings)
        # Per topic, its phrasings' terms: term -> the phrasings (numbered within the topic)
        # that hold it, and each phrasing's idf mass. Scoring walks the candidates' own
        # phrasings, so its cost does not grow with the catalogue (see _best_phrases).
        by_topic: list[tuple[dict[str, list[int]], list[float]]] = [({}, []) for _ in topics]
        for doc, _weight, terms in phrases:
            holders, masses = by_topic[doc]
            unique = dict.fromkeys((*terms.originals, *terms.expansions))
            for term in unique:
                holders.setdefault(term, []).append(len(masses))
            masses.append(sum(self._idf[t] for t in unique))
        self._topic_phrases: list[tuple[dict[str, tuple[int, ...]], tuple[float, ...]]] = [
            ({term: tuple(numbers) for term, numbers in holders.items()}, tuple(masses))
            for holders, masses in by_topic
        ]
        self._phrase_terms = frozenset(term for holders, _ in by_topic for term in holders)
        self._common_df = (
            max(COMMON_TERM_MIN_TOPICS, int(COMMON_TERM_SHARE * count))
            if count > COMMON_TERM_MIN_TOPICS
            else count + 1
        )
        # Each common term's champions: the topics it weighs most in, best first.
        self._champions: dict[str, tuple[int, ...]] = {
            term: tuple(heapq.nlargest(COMMON_TERM_CHAMPIONS, posting, key=_ranking(posting)))
            for term, posting in self._postings.items()
            if len(posting) >= self._common_df
        }

    def __len__(self) -> int:
        return len(self._ids)

    def is_vague(self, text: str, *, answered: bool = False) -> bool:
        """True for an in-domain message too vague for any one topic: only words for jerks,
        a child and vague words ("jerks?", "my baby twitches", "is jerky normal"), or a
        single concept word that no topic answers with confidence ("seizure")."""
        query = self.analyzer.query(text)
        if not query.in_domain:
            return False
        terms = [t for t in query.originals if not self.analyzer.is_question_word(t)]
        if not terms or len(terms) > self.settings.vague_max_terms:
            return False
        if all(self.analyzer.is_generic(t) for t in terms):
            return True
        concepts = [t for t in terms if not self.analyzer.is_child_word(t)]
        return not answered and len(concepts) == 1 and self.analyzer.is_domain(concepts[0])

    def _prefer_audience(self, text: str, details: list[ScoreDetail]) -> list[ScoreDetail]:
        """The baby version of a general topic first when a child is named, the general one
        when only an adult is: "what causes my baby's jerks" is not about kidney failure.

        Only between a topic and its child_topic, and only when the other one is close (at
        least CHILD_TOPIC_SHARE of the leader's score): the swap corrects an audience, it does
        not overrule the words.
        """
        if not (self._child_topic or self._newborn_topic) or len(details) < 2:
            return details
        query = self.analyzer.query(text)
        leader = details[0]
        newborn = self.analyzer.is_about_newborn(query)
        wanted: str | None
        share = CHILD_TOPIC_SHARE
        if leader.topic_id in self._not_newborn and not newborn:
            # a newborn topic leading with no newborn named usually leads on its own signs
            # ("stops when woken"): only a near tie goes to the general sibling
            wanted, share = self._not_newborn[leader.topic_id], NEWBORN_TOPIC_SHARE
        elif leader.topic_id in self._newborn_topic and newborn:
            wanted = self._newborn_topic[leader.topic_id]
        elif query.about_child:
            wanted = self._child_topic.get(leader.topic_id)
        elif self.analyzer.is_about_adult(query):
            wanted = self._general_topic.get(leader.topic_id)
        else:
            return details
        if wanted is None:
            return details
        for i, other in enumerate(details[1:], start=1):
            if other.topic_id == wanted and other.raw >= share * leader.raw:
                swapped = ScoreDetail(
                    other.topic_id, other.raw, other.coverage, leader.margin, leader.confidence
                )
                return [swapped, *details[1:i], leader, *details[i + 1 :]]
        return details

    def _accumulate(
        self, weights: Mapping[str, float], gains: Mapping[str, float]
    ) -> tuple[dict[int, float], dict[int, float]]:
        """BM25 scores of the topics that share a term with the query, and for each the sum
        of the phrasing gains it shares (a bound on its best phrasing's score)."""
        scores: dict[int, float] = {}
        bounds: dict[int, float] = {}
        common: list[tuple[dict[int, float], float, float | None]] = []
        common_terms: list[str] = []
        for term, weight in weights.items():
            posting = self._postings.get(term)
            if posting is None:
                continue
            gain = gains.get(term)  # None for a word pair: phrasings are scored on words
            if len(posting) >= self._common_df:
                common.append((posting, weight, gain))
                common_terms.append(term)
                continue
            for doc, contribution in posting.items():
                scores[doc] = scores.get(doc, 0.0) + weight * contribution
            if gain is not None:
                for doc in posting:
                    bounds[doc] = bounds.get(doc, 0.0) + gain
        if common and not scores:
            # Only common terms: nothing rarer narrows the field. The topics each term weighs
            # most in stand for the field (champion lists), then score those in full below.
            scores = dict.fromkeys(
                (doc for term in common_terms for doc in self._champions[term]), 0.0
            )
        for posting, weight, gain in common:
            for doc in scores:
                found = posting.get(doc)
                if found is not None:
                    scores[doc] += weight * found
                    if gain is not None:
                        bounds[doc] = bounds.get(doc, 0.0) + gain
        return scores, bounds

    def _best_phrase(
        self, doc: int, gains: Mapping[str, tuple[float, float]], position: Mapping[str, int]
    ) -> float:
        """The topic's best phrasing score: matched query mass times its completeness."""
        holders, masses = self._topic_phrases[doc]
        # The shared terms by a set intersection (in C), then in the query's order so every
        # sum adds up in the same order, to the same last bit, as term by term.
        found = sorted(holders.keys() & gains.keys(), key=position.__getitem__)
        gained: dict[int, float] = {}
        covered: dict[int, float] = {}
        for term in found:
            gain, term_idf = gains[term]
            for number in holders[term]:
                gained[number] = gained.get(number, 0.0) + gain
                covered[number] = covered.get(number, 0.0) + term_idf
        top = 0.0
        for number, gain in gained.items():
            mass = masses[number]
            score = gain * covered[number] / mass if mass > 0 else 0.0
            if score > top:
                top = score
        return top

    def _add_phrase_scores(
        self,
        scores: dict[int, float],
        bounds: Mapping[int, float],
        pool: Iterable[int],
        gains: Mapping[str, tuple[float, float]],
        wanted: int,
    ) -> None:
        """Add the phrasing bonus to the topics that can still reach the top `wanted`.

        Topics are taken by their upper bound (BM25 plus the bonus at its most); once that
        bound is below the wanted-th best total so far, no later topic can enter the top, and
        the rest keep their BM25 score alone. The top comes out exactly as if every topic had
        been scored; most topics are never looked at.
        """
        weight = self.settings.phrase_weight
        position = {term: i for i, term in enumerate(gains)}
        # A bound a hair above the sum: float rounding must never let a topic exceed it.
        room = weight * (1.0 + 1e-9)
        ceiling = {doc: scores[doc] + room * bounds.get(doc, 0.0) for doc in pool}
        best: list[tuple[float, int]] = []  # the wanted best (total, -doc), smallest first
        for doc in sorted(ceiling, key=ceiling.__getitem__, reverse=True):
            if len(best) >= wanted and ceiling[doc] < best[0][0]:
                break
            if bounds.get(doc):
                phrase = self._best_phrase(doc, gains, position)
                if phrase > 0.0:
                    scores[doc] += weight * phrase
            entry = (scores[doc], -doc)
            if len(best) < wanted:
                heapq.heappush(best, entry)
            elif entry > best[0]:
                heapq.heapreplace(best, entry)

    def _matchable_mass(self, query: QueryTerms) -> float:
        """The best score any topic could reach for the query (every term saturated).

        Words no topic uses count as moderately rare terms no topic matched: a message that
        is mostly about something else ("protein shake recipe") covers little of itself.
        """
        idf_mass = sum(w * self._idf[t] for t, w in query.weights.items() if t in self._idf)
        unknown = sum(
            w
            for t, w in query.originals.items()
            if t not in self._idf and not self.analyzer.is_people_or_variant(t)
        )
        idf_mass += unknown * self.settings.unknown_idf_share * self._max_idf
        idf_mass = max(idf_mass, self.settings.min_query_terms * self._max_idf)
        return idf_mass * (self.settings.k1 + 1.0 + self.settings.phrase_weight)

    def explain(self, text: str, limit: int = 5) -> tuple[list[ScoreDetail], bool]:
        """The best topics with the evidence behind their confidence, and the domain gate.

        Used by rank and match, and by the bench to fit the calibration.
        """
        query = self.analyzer.query(text)
        if not query.weights or limit <= 0:
            return [], query.in_domain
        idf = self._idf
        # phrasing terms of the query -> (weight x idf, idf), in the query's order
        gains = {
            term: (weight * idf[term], idf[term])
            for term, weight in query.weights.items()
            if term in self._phrase_terms
        }
        scores, bounds = self._accumulate(query.weights, {t: g for t, (g, _) in gains.items()})
        if not scores:
            return [], query.in_domain
        wanted = max(limit, 2)
        pool: Iterable[int] = scores
        if len(scores) > PHRASE_CANDIDATES:
            # Only the best by BM25 get the phrasing bonus; a topic left out scores no more
            # than any candidate, so the top few are among the candidates too.
            pool = heapq.nlargest(PHRASE_CANDIDATES, scores, key=_ranking(scores))
        if self.settings.phrase_weight:
            # Every topic with a matching phrasing has a BM25 score: in a catalogue of up to
            # PHRASE_CANDIDATES topics every one is a candidate and scoring is exact.
            self._add_phrase_scores(scores, bounds, pool, gains, wanted)
        if self.settings.intent_weight:
            bonus = self.settings.intent_weight * self._max_idf
            for doc in list(pool):
                intent = self._intents[doc]
                if intent:
                    found = [query.weights[t] for t in intent if t in query.weights]
                    if found:
                        scores[doc] += bonus * max(found)
        if wanted > PHRASE_CANDIDATES:
            pool = scores
        ranked = heapq.nlargest(wanted, pool, key=_ranking(scores))
        top = [(doc, scores[doc]) for doc in ranked]
        mass = self._matchable_mass(query)
        factor = 1.0 if query.in_domain else OFF_DOMAIN_FACTOR
        best = top[0][1]
        runner_up = top[1][1] if len(top) > 1 else 0.0
        cal = self.settings
        details: list[ScoreDetail] = []
        for doc, score in top[:limit]:
            rival = runner_up if doc == top[0][0] else best
            coverage = min(1.0, score / mass) if mass > 0 else 0.0
            margin = (score - rival) / score if score > 0 else 0.0
            confidence = factor * _sigmoid(
                cal.coverage_slope * coverage + cal.margin_slope * margin + cal.bias
            )
            details.append(
                ScoreDetail(self._ids[doc], score, coverage, margin, round(confidence, 4))
            )
        return details, query.in_domain

    def rank(self, text: str, limit: int = 5) -> list[Candidate]:
        """Topics best fitting the text, best first, at most limit of them (inline mode)."""
        details, _ = self.explain(text, limit)
        return [Candidate(d.topic_id, d.confidence) for d in details]

    def match(self, text: str) -> Match:
        """Decide: answer with the best topic, suggest alternatives, or abstain."""
        details, _ = self.explain(text, MAX_SUGGESTIONS + 1)
        answered = bool(details) and details[0].confidence >= self.answer_threshold
        if self.overview_id is not None and self.is_vague(text, answered=answered):
            # "jerks?", "my baby twitches": an overview that helps the parent say more, with
            # the closest topics as suggestions beside it, rather than a guess or the fallback.
            ids = tuple(d.topic_id for d in details if d.topic_id != self.overview_id)
            return Match(
                self.overview_id,
                max(self.answer_threshold, details[0].confidence if details else 0.0),
                candidates=tuple(Candidate(i, 0.0) for i in ids[:MAX_SUGGESTIONS]),
            )
        if not details:
            return Match(None, 0.0)
        details = self._prefer_audience(text, details)
        top = details[0]
        candidates = tuple(Candidate(d.topic_id, d.confidence) for d in details)
        if top.confidence >= self.answer_threshold:
            return Match(top.topic_id, top.confidence, candidates=candidates)
        if top.confidence >= self.suggest_threshold:
            ids = tuple(d.topic_id for d in details if d.raw >= SUGGEST_RELATIVE_SCORE * top.raw)[
                :MAX_SUGGESTIONS
            ]
            return Match(None, top.confidence, suggestions=ids, candidates=candidates)
        return Match(None, top.confidence, candidates=candidates)


def build_index(
    topics: Sequence[Topic],
    synonyms: Vocabulary | Mapping[str, tuple[str, ...]],
    *,
    language: str = "en",
) -> TopicIndex:
    """Build the matcher's index once at content load (a plain mapping means synonyms only),
    with the analyser of the pack's language."""
    return TopicIndex(topics, synonyms, language=language)
