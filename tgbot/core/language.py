"""Which content pack answers a message: the message's own language when it is clear, else
the parent's Telegram language, else the default pack.

Language identification is py3langid (langid.py's model, shipped inside its package, about
0.1 ms a message), restricted to the languages we have packs for. It must never decide alone
on a message too short to tell ("hi", "bebe"), never raise (a failure means "unclear"), and
never change what red flags are found: every pack reads every language's red-flag rules.
"""

from __future__ import annotations

import threading
from collections.abc import Collection
from typing import Protocol

__all__ = ["CLEAR", "MIN_LETTERS", "identify"]

# A message is "clearly" in a language when the identifier gives it at least this share of
# the probability among our packs' languages, measured on the blind question corpora
# (tests/question_corpus): at 0.9, 98% of English, Spanish and Cyrillic Russian questions are
# clear and right; the rest fall back to the parent's Telegram language.
CLEAR = 0.9
# Fewer letters than this and the message is never "clear" (greetings, one word).
MIN_LETTERS = 8


class _Identifier(Protocol):
    nb_classes: list[str]

    def set_languages(self, langs: list[str] | None = None) -> None: ...

    def classify(self, text: str) -> tuple[str, float]: ...


_lock = threading.Lock()
_identifiers: dict[tuple[str, ...], _Identifier | None] = {}


def _identifier(languages: tuple[str, ...]) -> _Identifier | None:
    """The identifier for these languages; None when the model knows fewer than two."""
    with _lock:
        if languages in _identifiers:
            return _identifiers[languages]
        # Imported here: a bot with one pack never loads the model (half a second).
        from py3langid.langid import MODEL_FILE, LanguageIdentifier

        made: _Identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
        # A pack language the model does not know can never be "clear": it is left out (its
        # parents are served through their Telegram language).
        known = [code for code in languages if code in made.nb_classes]
        found: _Identifier | None = None
        if len(known) >= 2:
            made.set_languages(known)
            found = made
        _identifiers[languages] = found
        return found


def _base(code: str) -> str:
    return code.lower().split("-")[0]


def identify(text: str, languages: Collection[str]) -> str | None:
    """The one of `languages` (pack codes, "en", "es", "pt-br") the text is clearly written
    in, or None when it is unclear, too short, or only one language is possible."""
    if len(languages) < 2 or not isinstance(text, str):
        return None
    if sum(ch.isalpha() for ch in text[:2000]) < MIN_LETTERS:
        return None
    by_base = {_base(code): code for code in sorted(languages)}
    return _classify(text[:2000], tuple(sorted(by_base)), tuple(sorted(by_base.items())))


def _classify(text: str, bases: tuple[str, ...], codes: tuple[tuple[str, str], ...]) -> str | None:
    identifier = _identifier(bases)  # a missing package is an install error: it must show
    if identifier is None:
        return None
    try:
        found, probability = identifier.classify(text)
    except Exception:
        return None  # unclear: the parent's own language setting decides
    if probability < CLEAR:
        return None
    return dict(codes).get(str(found))
