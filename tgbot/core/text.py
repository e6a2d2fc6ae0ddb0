"""Text normalisation and tokens shared by the matcher and the red-flag detector.

Pure functions only; never imports telegram or aiosqlite.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from functools import lru_cache

import Stemmer  # PyStemmer: the Snowball stemmers in C, the same stems as snowballstemmer

# Far beyond any real question; keeps work bounded on hostile input (Telegram caps messages at
# 4,096 characters, the CLI and inline mode do not).
MAX_TEXT_CHARS = 20_000

_QUOTES = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "\u00b4": "'",
        "`": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u2033": '"',
        "\u2013": "-",
        "\u2014": "-",
        "\u2212": "-",
    }
)

# A letter, or a mark that belongs to the letters of its script (Devanagari vowel signs,
# virama and anusvara; Arabic has its own marks stripped in clean()): without them a Hindi
# word falls apart at every vowel sign.
_L = r"(?:[^\W_]|[\u0900-\u0963\u0971-\u0dff])"
_TOKEN = re.compile(rf"{_L}+(?:'{_L}+)*")
_SPACES = re.compile(r"\s+")
_MENTION = re.compile(r"(?<!\w)@\w+")
_COMMAND = re.compile(r"^\s*/\w+(?:@\w+)?")
_REPEATS = re.compile(r"(.)\1{2,}")

_stemmer = Stemmer.Stemmer("english")

# Combining marks that decorate Latin, Greek and Cyrillic letters (accents, zalgo noise). Marks
# of other scripts (Devanagari vowel signs) are part of their letters and are kept.
_DECORATION_MARKS = re.compile(
    "[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]"
)
# Arabic short vowels, shadda, sukun and the tatweel stretch: optional in writing, so a word
# is read without them; hamza-carrying alefs read as a bare alef, alef maqsura as ya.
_ARABIC_FOLD = str.maketrans(
    {
        **{chr(c): "" for c in range(0x064B, 0x0660)},
        "\u0670": "",
        "\u0640": "",
        "\u0623": "\u0627",
        "\u0625": "\u0627",
        "\u0622": "\u0627",
        "\u0671": "\u0627",
        "\u0649": "\u064a",
    }
)


class _CleanedChars(dict[int, str]):
    """What clean() makes of each code point, worked out on first sight and remembered.

    The decision depends on the character alone, so one str.translate() over this mapping
    does in C what a Python loop over every character did (a tenth of the time on long
    texts). Only the first _CLEANED_CHARS_LIMIT distinct characters are remembered, so a
    stream of exotic characters cannot grow memory.
    """

    def __missing__(self, code: int) -> str:
        ch = chr(code)
        cat = unicodedata.category(ch)
        if cat in ("Cc", "Cf", "Cs", "Co", "Cn"):
            # Control, format (zero-width joiners, RTL marks), surrogates, private use: drop,
            # but keep whitespace controls as word breaks.
            out = " " if ch in "\t\n\r\v\f" else ""
        elif cat in ("So", "Sk", "Sm") and ch not in "°%+":
            out = " "
        elif cat == "Mn" and _DECORATION_MARKS.match(ch):
            # Combining marks on Latin-like letters: stray ones (zalgo text) would glue onto
            # letters; NFKC already composed the meaningful ones (é), so the rest are noise.
            out = ""
        elif cat == "Mn" and not ("\u0900" <= ch <= "\u0dff"):
            out = ""
        else:
            out = ch
        if len(self) < _CLEANED_CHARS_LIMIT:
            self[code] = out
        return out


_CLEANED_CHARS_LIMIT = 50_000
_CLEANED_CHARS = _CleanedChars()


def clean(text: str) -> str:
    """Make raw user text safe and uniform: NFKC, plain quotes, no control or zero-width chars.

    Case is kept; emoji and symbols become spaces; runs of whitespace collapse to one space.
    """
    text = text[:MAX_TEXT_CHARS]
    text = unicodedata.normalize("NFKC", text).translate(_QUOTES).translate(_ARABIC_FOLD)
    text = text.translate(_CLEANED_CHARS)
    return _SPACES.sub(" ", text).strip()


def strip_addressing(text: str) -> str:
    """Remove a leading /command[@bot] and @mentions: they are how parents address the bot."""
    text = _COMMAND.sub(" ", text, count=1)
    return _MENTION.sub(" ", text)


def normalize(text: str) -> str:
    """Lower-cased, cleaned text with addressing removed and letter floods shortened."""
    text = clean(strip_addressing(clean(text))).casefold()
    # "sooooo" -> "soo": keeps real double letters, tames floods
    return _REPEATS.sub(r"\1\1", text)


def words(text: str) -> list[str]:
    """Word tokens of normalised text; inner apostrophes are dropped (won't -> wont)."""
    return [tok.replace("'", "") for tok in _TOKEN.findall(text)]


def tokens(text: str) -> list[str]:
    """Word tokens of raw text: normalize() then words()."""
    return words(normalize(text))


@lru_cache(maxsize=65_536)
def stem(word: str) -> str:
    """English Snowball stem of one lower-case word (cached: vocabularies are small)."""
    return str(_stemmer.stemWord(word))


# Letters that NFKD does not take apart but a phone keyboard without them replaces.
_FOLD_LETTERS = str.maketrans({"ı": "i", "ł": "l", "ø": "o", "æ": "ae", "œ": "oe", "đ": "d"})


@lru_cache(maxsize=65_536)
def fold(word: str) -> str:
    """A lower-case word without accents: "fontanela", "ciemiaczko", "bıngıldak" -> "bingildak".

    Parents type without accents as often as with them, so a language's rules and the message
    are both read folded. Only decorations of Latin, Greek and Cyrillic letters go (й -> и,
    ё -> е); the marks of other scripts stay.
    """
    if word.isascii():
        return word
    decomposed = unicodedata.normalize("NFKD", word.translate(_FOLD_LETTERS))
    return unicodedata.normalize("NFC", _DECORATION_MARKS.sub("", decomposed))


_STEMMERS: dict[str, Stemmer._Stemmer] = {}


def stemmer_for(language: str) -> Callable[[str], str]:
    """The Snowball stem function of a language ("en", "es", "ru"...), or the identity where
    Snowball has none; PyStemmer runs the same algorithms in C."""
    name = SNOWBALL_NAMES.get(language)
    if name is None:
        return _identity
    if language == "en":
        return stem
    st = _STEMMERS.get(name)
    if st is None:
        st = _STEMMERS[name] = Stemmer.Stemmer(name)
    cached = lru_cache(maxsize=65_536)(st.stemWord)
    return lambda word: str(cached(word))


def _identity(word: str) -> str:
    return word


SNOWBALL_NAMES = {
    "en": "english",
    "es": "spanish",
    "pt": "portuguese",
    "fr": "french",
    "de": "german",
    "it": "italian",
    "pl": "polish",
    "tr": "turkish",
    "ru": "russian",
    "ar": "arabic",
    "hi": "hindi",
    "nl": "dutch",
    "ro": "romanian",
    "uk": "russian",
}


_ASCII_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


_INDIC_FIRST, _INDIC_LAST = "\u0900", "\u0dff"  # Devanagari to Sinhala


def plain_reading(text: str) -> str | None:
    """A second reading of noisy text, or None when it would read the same.

    clean() drops invisible characters (so "twi\u200btch" stays one word) and keeps accents;
    this reading instead makes every control or invisible character a word break and strips
    accents, so "not\u200bbreathing" and "n\u0308o\u0308t breathing" read as plain words.
    """
    text = text[:MAX_TEXT_CHARS]
    if text.isascii() and not _ASCII_CONTROL.search(text):
        return None
    out: list[str] = []
    for ch in unicodedata.normalize("NFKD", text):
        cat = unicodedata.category(ch)
        # Indic vowel signs and nasal marks are letters of the word, not accents: stripping
        # them turns Hindi into other words (and dodges the rules' except entries).
        if cat == "Mn" and not _INDIC_FIRST <= ch <= _INDIC_LAST:
            continue
        out.append(" " if cat in ("Cc", "Cf", "Zl", "Zp") else ch)
    second = "".join(out)
    same = unicodedata.normalize("NFKC", second) == unicodedata.normalize("NFKC", text)
    return None if same else second


def has_letters(text: str) -> bool:
    """True when the text holds at least one letter or digit after cleaning."""
    return any(ch.isalnum() for ch in clean(text))


# A sentence ends at . ! ? ; an ellipsis, a danda or an Arabic question mark followed by a
# space (or the end); decimals such as
# "39.5" and abbreviations without a following space stay inside their sentence.
_SENTENCE_END = re.compile(r"(?<=[.!?;\u2026\u0964\u0965\u061f])\s+")


def split_sentences(text: str) -> list[str]:
    """Sentences of normalised text, each keeping its closing punctuation; blanks dropped."""
    return [s for s in (part.strip() for part in _SENTENCE_END.split(text)) if s]


# Numbers are tokens of their own for quantities ("38.5 degrees", "10mins"): a decimal stays
# whole, digits glued to letters split off, and a degree sign is a word. Every alternative is
# a simple run, so matching stays linear on any input.
_LN = r"(?:[^\W\d_]|[\u0900-\u0963\u0971-\u0dff])"
_WORD_OR_NUMBER = re.compile(rf"\d+(?:[.,]\d+)?|°|{_LN}+(?:'{_LN}+)*")


def words_and_numbers(text: str) -> list[str]:
    """Word tokens of normalised text like words(), with numbers as separate tokens.

    "38,5" and "38.5" become "38.5"; "39c" becomes "39", "c"; "3mo" becomes "3", "mo";
    "39°C" becomes "39", "°", "c". Inner apostrophes are dropped as in words().
    """
    return [tok.replace("'", "").replace(",", ".") for tok in _WORD_OR_NUMBER.findall(text)]
