"""Synthetic topic catalogues of realistic size and vocabulary, for the scale benchmarks.

Each topic has a title, 8 phrasings, 10 keywords and a 1,000-character body, like a curated
topic. The words are real English: the parents' vocabulary of the shipped content (baby,
twitch, sleep, ...) for the common part, and a dictionary (Debian's /usr/share/dict word
list, or Python's own documentation text when there is none) for the words that make each
topic distinct, drawn with Zipf-like frequencies so common words are shared by many topics.
Generation is seeded: the same count gives the same catalogue on every run.
"""

from __future__ import annotations

import random
import re
import shutil
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from tgbot.core.content import DEFAULT_CONTENT_DIR, ContentPack
from tgbot.core.model import Source, Topic
from tgbot.core.text import normalize, words

DICTIONARIES = (
    Path("/usr/share/dict/american-english"),
    Path("/usr/share/dict/british-english"),
    Path("/usr/share/dict/words"),
)
PHRASINGS = 8
KEYWORDS = 10
BODY_CHARS = 1_000
_WORD = re.compile(r"^[a-z]{4,12}$")

# The glue of everyday English sentences; bodies and phrasings use them as people do.
FUNCTION_WORDS = (
    "the",
    "a",
    "an",
    "and",
    "or",
    "but",
    "if",
    "when",
    "while",
    "because",
    "so",
    "that",
    "this",
    "these",
    "it",
    "its",
    "is",
    "are",
    "was",
    "be",
    "can",
    "may",
    "might",
    "will",
    "should",
    "would",
    "your",
    "you",
    "they",
    "them",
    "their",
    "he",
    "she",
    "his",
    "her",
    "we",
    "our",
    "my",
    "of",
    "in",
    "on",
    "at",
    "to",
    "for",
    "with",
    "from",
    "by",
    "about",
    "after",
    "before",
    "during",
    "over",
    "under",
    "also",
    "very",
    "often",
    "usually",
    "sometimes",
    "not",
    "no",
    "more",
    "most",
    "some",
    "any",
    "every",
    "each",
    "other",
    "than",
    "then",
    "there",
    "here",
    "what",
    "which",
    "who",
)
CHILDREN = ("baby", "newborn", "son", "daughter", "infant", "little one", "toddler", "LO")
GROUPS = ("babies", "infants", "newborns", "toddlers")
AGES = ("2 week", "6 week", "3 month", "5 month", "8 month", "1 year")
TEMPLATES = (
    "why does my {child} {a} during {d}",
    "is it normal for a {child} to {a} and {b}",
    "{a} {b} in {group}",
    "my {age} old {a} when {d}, should I worry?",
    "what causes {a} {d} in {group}",
    "how long does {a} last in a {child}",
    "when should I see a doctor about {a} {b}",
    "{child} {d} {a} {c}",
    "can {a} be a sign of {b}",
    "our {child} keeps {d} with {c}, is that {a}?",
    "what to do about {b} {a}",
    "{a} while {d} {group} normal?",
)


@dataclass(frozen=True, slots=True)
class Lexicon:
    """The words synthetic topics are made of, and where the distinctive ones came from."""

    parents: tuple[str, ...]  # the shipped content's words, most frequent first
    parent_weights: tuple[float, ...]
    distinct: tuple[str, ...]  # dictionary words, one topic's own words come from here
    source: str


def _dictionary_words() -> tuple[list[str], str]:
    for path in DICTIONARIES:
        if path.is_file():
            found = {
                w
                for w in path.read_text(encoding="utf-8", errors="ignore").split()
                if _WORD.match(w)
            }
            if len(found) > 20_000:
                return sorted(found), str(path)
    # No word list installed: Python's own documentation is a large body of real English.
    import pydoc_data.topics as docs

    found = {w for text in docs.topics.values() for w in words(text.lower()) if _WORD.match(w)}
    return sorted(found), "pydoc_data.topics"


def build_lexicon(pack: ContentPack) -> Lexicon:
    """Parents' words from the shipped topics (by frequency) and a dictionary's long tail."""
    counts: Counter[str] = Counter()
    for topic in pack.topics.values():
        for text in (topic.title, *topic.questions, *topic.keywords, topic.body):
            counts.update(w for w in words(normalize(text)) if w.isalpha() and len(w) > 2)
    parents = [w for w, _ in counts.most_common() if w not in FUNCTION_WORDS]
    distinct, source = _dictionary_words()
    common = set(parents)
    return Lexicon(
        parents=tuple(parents),
        # Zipf: the n-th most frequent word is used about 1/n as often as the first.
        parent_weights=tuple(1.0 / (rank + 1) for rank in range(len(parents))),
        distinct=tuple(w for w in distinct if w not in common),
        source=source,
    )


@dataclass(frozen=True, slots=True)
class Catalogue:
    """Synthetic topics and questions drawn from them (question, the topic it came from)."""

    topics: list[Topic]
    queries: list[tuple[str, str]]
    lexicon_source: str


def _typo(word: str, rng: random.Random) -> str:
    if len(word) < 6:
        return word
    i = rng.randrange(1, len(word) - 1)
    return word[:i] + word[i + 1 :]  # a dropped letter, the commonest slip on a phone


def _body(rng: random.Random, lexicon: Lexicon, own: Sequence[str], cum: list[float]) -> str:
    """About BODY_CHARS of sentences: glue words, parents' words, the topic's own words."""
    sentences: list[str] = []
    length = 0
    while length < BODY_CHARS:
        n = rng.randint(8, 16)
        picked: list[str] = []
        for kind in rng.choices(("glue", "parents", "own", "rare"), (45, 35, 12, 8), k=n):
            if kind == "glue":
                picked.append(rng.choice(FUNCTION_WORDS))
            elif kind == "parents":
                picked.append(rng.choices(lexicon.parents, cum_weights=cum)[0])
            elif kind == "own":
                picked.append(rng.choice(own))
            else:
                picked.append(rng.choice(lexicon.distinct))
        sentence = " ".join(picked)
        sentence = sentence[0].upper() + sentence[1:] + "."
        if rng.random() < 0.15:
            sentence = "- " + sentence  # a bullet line, as real answers have
        sentences.append(sentence)
        length += len(sentence) + 1
    body = " ".join(sentences)
    return body[:BODY_CHARS].rsplit(" ", 1)[0] + "."


def synthetic_catalogue(
    count: int, lexicon: Lexicon, *, queries: int = 200, seed: int = 2026
) -> Catalogue:
    """`count` topics and up to `queries` questions written from them (with slips)."""
    rng = random.Random(seed)
    cum: list[float] = []
    total = 0.0
    for weight in lexicon.parent_weights:
        total += weight
        cum.append(total)
    parents_top = lexicon.parents[:300]  # the words a topic is "about" come from the head
    topics: list[Topic] = []
    asked: list[tuple[str, str]] = []
    every = max(1, count // max(1, queries))
    for n in range(count):
        own = rng.sample(lexicon.distinct, 4)
        dom = rng.sample(parents_top, 3)
        slots = {
            "a": own[0],
            "b": own[1],
            "c": own[2],
            "d": dom[0],
        }
        phrasings = []
        for template in rng.sample(TEMPLATES, PHRASINGS):
            values = dict(slots)
            values["child"] = rng.choice(CHILDREN)
            values["group"] = rng.choice(GROUPS)
            values["age"] = rng.choice(AGES)
            if rng.random() < 0.5:  # phrasings of one topic vary in which own words they use
                values["a"], values["b"] = own[rng.randrange(4)], own[rng.randrange(4)]
            phrasings.append(template.format(**values))
        keywords = [
            own[0],
            own[1],
            own[2],
            own[3],
            f"{own[0]} {own[1]}",
            f"{own[2]} {own[3]}",
            f"{own[1]} {own[3]}",
            f"{dom[0]} {own[0]}",
            f"{dom[1]} {own[2]}",
            f"{dom[2]} {own[1]}",
        ]
        topic_id = f"syn-{n:05d}"
        related = tuple(f"syn-{(n + k) % count:05d}" for k in (1, 2) if count > 2)
        topics.append(
            Topic(
                id=topic_id,
                title=f"{own[0].capitalize()} and {own[1]} in {dom[0]}",
                questions=tuple(dict.fromkeys(phrasings)),
                keywords=tuple(keywords),
                related=related,
                red_flag=rng.random() < 0.02,
                sources=(Source("Synthetic benchmark source", "https://www.nhs.uk/bench/"),),
                reviewed=date(2026, 1, 1),
                body=_body(rng, lexicon, own, cum),
                summary=f"About {own[0]} and {own[1]}.",
            )
        )
        if n % every == 0 and len(asked) < queries:
            # A parent's version of one phrasing: a word dropped, one own word misspelt.
            tokens = rng.choice(phrasings).split()
            if len(tokens) > 4:
                del tokens[rng.randrange(len(tokens))]
            tokens = [_typo(t, rng) if t == own[0] else t for t in tokens]
            asked.append((" ".join(tokens), topic_id))
    return Catalogue(topics=topics, queries=asked, lexicon_source=lexicon.source)


def _yaml_text(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def write_content_dir(root: Path, catalogue: Catalogue) -> Path:
    """A valid content pack under root: the shipped pack (texts, rules and the curated
    topics, which the red-flag rules and content.yaml refer to) plus the synthetic topics."""
    (root / "topics").mkdir(parents=True, exist_ok=True)
    for name in ("content.yaml", "texts.yaml", "red_flags.yaml", "ui.yaml", "synonyms.yaml"):
        shutil.copy(DEFAULT_CONTENT_DIR / name, root / name)
    for curated in (DEFAULT_CONTENT_DIR / "topics").glob("*.md"):
        shutil.copy(curated, root / "topics" / curated.name)
    for topic in catalogue.topics:
        lines = ["---", f"id: {topic.id}", f"title: {_yaml_text(topic.title)}"]
        lines.append(f"summary: {_yaml_text(topic.summary)}")
        lines.append("questions:")
        lines += [f"  - {_yaml_text(q)}" for q in topic.questions]
        lines.append("keywords:")
        lines += [f"  - {_yaml_text(k)}" for k in topic.keywords]
        lines.append("related: [" + ", ".join(topic.related) + "]")
        lines.append(f"red_flag: {'true' if topic.red_flag else 'false'}")
        lines.append("sources:")
        for source in topic.sources:
            lines.append(f"  - title: {_yaml_text(source.title)}")
            if source.url:
                lines.append(f"    url: {source.url}")
        lines.append(f"reviewed: {topic.reviewed.isoformat()}")
        lines.append("reviewed_by: Synthetic benchmark")
        lines.append(f"next_review: {topic.reviewed.replace(year=topic.reviewed.year + 1)}")
        lines.append("---")
        lines.append(topic.body)
        (root / "topics" / f"{topic.id}.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return root
