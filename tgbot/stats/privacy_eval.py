"""Measure the stored-text scrubber on a personal-data corpus: identifiers kept, words kept.

A corpus line is {"id", "text", "lang", "identifiers": [exact substrings of text]}. An
identifier counts as kept when any letter or digit of it survives in a kept text (its place
in the text is known, so "Dr" of "Dr Patel" counts) or when any of its words or digit groups
appears in the kept text and nowhere else in the message. The figures are aggregates: this
module never prints or logs a corpus text, so a sealed corpus can be measured blind.
Never imports telegram.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from tgbot.stats.scrub import Assessment, assess, normalise
from tgbot.stats.vocabulary import LETTERS

__all__ = [
    "CorpusMessage",
    "PrivacyFigures",
    "Searchable",
    "evaluate",
    "identifier_pieces",
    "load_corpus",
    "pieces_found",
]

_PIECE = re.compile(r"(?:" + LETTERS.pattern + r"|\d)+")


@dataclass(frozen=True, slots=True)
class CorpusMessage:
    """One message of a personal-data corpus."""

    id: str
    text: str
    lang: str
    identifiers: tuple[str, ...]

    def __repr__(self) -> str:  # never the text
        return f"CorpusMessage(id={self.id!r}, lang={self.lang!r})"


@dataclass(slots=True)
class PrivacyFigures:
    """What a scrubber kept of a corpus."""

    messages: int = 0
    identifiers: int = 0
    identifiers_kept: int = 0
    texts_kept: int = 0
    words: int = 0  # words and numbers outside every identifier
    words_kept: int = 0
    # (message id, identifier) of each identifier kept: for a tune corpus only.
    leaks: list[tuple[str, str]] = field(default_factory=list, repr=False)

    @property
    def words_kept_share(self) -> float:
        return self.words_kept / self.words if self.words else 0.0


def load_corpus(path: Path) -> list[CorpusMessage]:
    """Read a corpus file (JSON lines)."""
    messages = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            identifiers = tuple(str(i) for i in row.get("identifiers", ()))
            messages.append(
                CorpusMessage(
                    str(row["id"]), str(row["text"]), str(row.get("lang", "")), identifiers
                )
            )
    return messages


def _spans(normalised: str, identifier: str) -> list[tuple[int, int]]:
    target = normalise(identifier).casefold()
    haystack = normalised.casefold()
    spans, start = [], 0
    while target and (found := haystack.find(target, start)) >= 0:
        spans.append((found, found + len(target)))
        start = found + 1
    return spans


def identifier_pieces(identifier: str) -> set[str]:
    """The words and digit groups of an identifier that could give it away (case-folded)."""
    pieces = (p.casefold() for p in _PIECE.findall(normalise(identifier)))
    return {p for p in pieces if len(p) > 1 or p.isdigit()}


@dataclass(frozen=True, slots=True)
class Searchable:
    """A stored blob (a text, a database file, a page, a log) prepared for piece look-ups."""

    words: frozenset[str]
    folded: str

    @classmethod
    def of(cls, stored: str) -> Searchable:
        folded = stored.casefold()
        return cls(frozenset(_PIECE.findall(folded)), folded)


def pieces_found(stored: str | Searchable, pieces: Iterable[str]) -> set[str]:
    """Which pieces appear in stored text as whole words (or anywhere, for scripts without
    spaces between words)."""
    blob = stored if isinstance(stored, Searchable) else Searchable.of(stored)
    words, folded = blob.words, blob.folded
    found = set()
    for piece in pieces:
        if piece in words or (not piece.isascii() and _unspaced_script(piece) and piece in folded):
            found.add(piece)
    return found


def _unspaced_script(piece: str) -> bool:
    # Han, kana, Thai and similar write words without spaces: a name is a substring.
    return any(
        0x3040 <= ord(ch) <= 0x9FFF or 0x0E00 <= ord(ch) <= 0x0EFF or 0xAC00 <= ord(ch) <= 0xD7AF
        for ch in piece
    )


def _kept_identifiers(message: CorpusMessage, assessment: Assessment) -> list[str]:
    stored = assessment.text
    if stored is None:
        return []
    normalised = assessment.normalised
    located: list[tuple[int, int]] = []
    kept: list[str] = []
    for identifier in message.identifiers:
        spans = _spans(normalised, identifier)
        located.extend(spans)
        # Where it cannot be found, a kept text counts as keeping it.
        if not spans or any(
            t.kept and t.start < b and t.end > a for t in assessment.tokens for a, b in spans
        ):
            kept.append(identifier)
    outside = list(normalised)
    for a, b in located:
        outside[a:b] = " " * (b - a)
    elsewhere = {p.casefold() for p in _PIECE.findall("".join(outside))}
    for identifier in message.identifiers:
        if identifier not in kept and pieces_found(
            stored, identifier_pieces(identifier) - elsewhere
        ):
            kept.append(identifier)
    return kept


def evaluate(
    messages: Sequence[CorpusMessage], scrubber: Callable[[str], Assessment] = assess
) -> PrivacyFigures:
    """Run the scrubber over every message and count what it kept."""
    figures = PrivacyFigures()
    for message in messages:
        assessment = scrubber(message.text)
        figures.messages += 1
        figures.identifiers += len(message.identifiers)
        figures.texts_kept += assessment.text is not None
        for identifier in _kept_identifiers(message, assessment):
            figures.identifiers_kept += 1
            figures.leaks.append((message.id, identifier))
        spans = [s for i in message.identifiers for s in _spans(assessment.normalised, i)]
        for token in assessment.tokens:
            if not any(token.start < b and token.end > a for a, b in spans):
                figures.words += 1
                figures.words_kept += token.kept
    return figures
