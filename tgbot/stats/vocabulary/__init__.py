"""The allow-list vocabulary of stored question texts: the files beside this module, loaded once.

Made by scripts/build_vocabulary.py (never edited by hand): per language the most frequent
words minus every known name, the words of the content, and cue lists (honorifics, street
words, number words). Pure: reads only these files, never logs, never imports telegram.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from dataclasses import dataclass
from functools import cache
from importlib import resources

__all__ = [
    "FUNCTION_WORDS",
    "LANGUAGES",
    "LETTERS",
    "Vocabulary",
    "lookup_key",
    "strip_accents",
    "vocabulary",
]

# The languages parents write to us in, as far as wordfreq has space-separated word lists for
# them (Chinese and Japanese have none: their words are masked, so their texts are dropped).
LANGUAGES = (
    "en",
    "de",
    "fr",
    "es",
    "it",
    "pt",
    "nl",
    "pl",
    "tr",
    "ru",
    "uk",
    "el",
    "he",
    "ar",
    "hi",
)
# Words counted as function words of a language: its most frequent ones (nearly all articles,
# pronouns, prepositions, auxiliaries).
FUNCTION_WORDS = 300

# Optional marks of Arabic (harakat, shadda, tatweel) and Hebrew (niqqud, cantillation):
# writers add or leave them at will, so a word is looked up without them.
_OPTIONAL_MARKS = re.compile("[\u0591-\u05c7\u0610-\u061a\u0640\u064b-\u065f\u0670\u06d6-\u06ed]")


def _marks() -> str:
    # Combining marks (Devanagari vowel signs, Arabic shadda, accents) belong to their word;
    # Python's \w leaves them out, which would cut "अस्पताल" into pieces.
    marks = [chr(c) for c in range(0x300, 0x10000) if unicodedata.category(chr(c)).startswith("M")]
    return "".join(re.escape(ch) for ch in marks)


# A run of letters and their marks, the unit the vocabulary is made of (digits excluded).
LETTERS = re.compile("(?:[^\\W\\d_]|[" + _marks() + "])+")


def strip_accents(key: str) -> str:
    """The word without Latin, Greek and Cyrillic accents ("zoé" -> "zoe", "ελένη" -> "ελενη"),
    so a name matches however it is accented; other scripts' marks are part of the letter."""
    if key.isascii():
        return key
    decomposed = unicodedata.normalize("NFD", key)
    return unicodedata.normalize("NFC", _ACCENTS.sub("", decomposed))


_ACCENTS = re.compile("[\u0300-\u036f]")


def lookup_key(word: str) -> str:
    """The form a word is looked up in: NFKC, case-folded, without optional marks."""
    word = unicodedata.normalize("NFKC", word).casefold().replace("\u2019", "'")
    return _OPTIONAL_MARKS.sub("", word)


@dataclass(frozen=True, slots=True)
class Vocabulary:
    """What may be kept: words per language, domain words, and the cue lists."""

    words: dict[str, frozenset[str]]
    # The same, inverted (word -> its languages), so one look-up answers for all languages.
    languages_by_word: dict[str, frozenset[str]]
    function_languages_by_word: dict[str, frozenset[str]]
    function_words: dict[str, frozenset[str]]
    domain: frozenset[str]
    names: frozenset[str]
    titles: frozenset[str]
    kin: frozenset[str]
    callers: frozenset[str]
    naming: frozenset[str]
    months: frozenset[str]
    streets: frozenset[str]
    numbers: frozenset[str]

    def is_name(self, key: str) -> bool:
        """True when the word is also a person's name somewhere (accents ignored)."""
        return strip_accents(key) in self.names

    def is_function_word(self, key: str, languages: frozenset[str]) -> bool:
        """True for an article, pronoun, preposition or auxiliary of one of these languages."""
        return not self.function_languages_by_word.get(key, _NONE).isdisjoint(languages)

    def languages_of(self, key: str) -> frozenset[str]:
        """The languages whose vocabulary has this (looked-up) word."""
        return self.languages_by_word.get(key, _NONE)


_NONE: frozenset[str] = frozenset()


def _inverted(lists: dict[str, frozenset[str]]) -> dict[str, frozenset[str]]:
    found: dict[str, set[str]] = {}
    for lang, words in lists.items():
        for word in words:
            found.setdefault(word, set()).add(lang)
    return {word: frozenset(langs) for word, langs in found.items()}


def _lines(name: str) -> list[str]:
    text = resources.files(__package__).joinpath(name).read_text(encoding="utf-8")
    return [line for line in text.splitlines() if line and not line.startswith("#")]


@cache
def vocabulary() -> Vocabulary:
    """The vocabulary, read from the package on first use (about 0.2 s, then shared)."""
    words: dict[str, frozenset[str]] = {}
    function_words: dict[str, frozenset[str]] = {}
    for lang in LANGUAGES:
        listed = [sys.intern(word) for word in _lines(f"{lang}.txt")]  # shared across languages
        words[lang] = frozenset(listed)
        function_words[lang] = frozenset(listed[:FUNCTION_WORDS])
    sections: dict[str, set[str]] = {}
    current: set[str] | None = None
    for line in _lines("cues.txt"):
        if line.startswith("[") and line.endswith("]"):
            current = sections.setdefault(line[1:-1], set())
        elif current is not None:
            current.add(line)
    return Vocabulary(
        words=words,
        languages_by_word=_inverted(words),
        function_languages_by_word=_inverted(function_words),
        function_words=function_words,
        domain=frozenset(_lines("domain.txt")),
        names=frozenset(_lines("names.txt")),
        titles=frozenset(sections.get("titles", ())),
        kin=frozenset(sections.get("kin", ())),
        callers=frozenset(sections.get("callers", ())),
        months=frozenset(sections.get("months", ())),
        naming=frozenset(sections.get("naming", ())),
        streets=frozenset(sections.get("streets", ())),
        numbers=frozenset(sections.get("numbers", ())),
    )
