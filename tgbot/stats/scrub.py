"""Keep a question's text only when it can be kept safely: an allow-list, not a block-list.

A word survives only if it is in the vocabulary of a language of the text (its 3,000 most
frequent words, or a word of the content: see vocabulary/) and is no name; every other word
becomes "[…]". A name that is also a function word ("will", "may") goes when something marks
a name: a capital inside a sentence, an honorific or "call me" before it, a possessive,
brackets, a masked capitalised neighbour. The whole text is dropped (None) when anything
identifier-shaped remains (digits beyond an age, a time or a temperature, "@", links, dotted
or underscored handles, spelled-out e-mails and numbers, letter-by-letter spelling, a
number beside a street word, a month or a masked word, a word for "name") or when too
little survives to be worth keeping.

Conservative on purpose: a lost text costs an operator one example; a kept name could
identify a family. Pure and offline: never imports telegram or aiosqlite, never logs.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass

from tgbot.stats.vocabulary import LETTERS, Vocabulary, lookup_key, vocabulary

__all__ = ["MASK", "MAX_INPUT_CHARS", "MAX_KEPT_CHARS", "Assessment", "Token", "assess", "scrub"]

# Bounded work per message: longer texts are judged on their beginning only.
MAX_INPUT_CHARS = 1_000
# What operators need to see what was asked; longer kept texts are cut at a word boundary.
MAX_KEPT_CHARS = 400
MASK = "[…]"
# At most this share of a text's words may be masked, and at least this many must survive.
MAX_MASKED_SHARE = 0.25
MIN_KEPT_WORDS = 3


@dataclass(frozen=True, slots=True)
class Token:
    """A word or number of the normalised text, and whether it is kept."""

    start: int
    end: int
    kept: bool  # stored
    allowed: bool  # would be stored if the text as a whole were kept


@dataclass(frozen=True, slots=True)
class Assessment:
    """What the scrubber made of a text: its tokens, the kept text or why there is none."""

    normalised: str
    tokens: tuple[Token, ...]
    text: str | None
    dropped_because: str | None

    def __repr__(self) -> str:  # never the text
        return f"Assessment(tokens={len(self.tokens)}, dropped_because={self.dropped_because!r})"


# -- normalisation ---------------------------------------------------------------------------


def _invisible_class() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """Control characters (become spaces) and format, private-use and surrogate characters
    (removed, so a zero-width space cannot split a name into harmless-looking pieces)."""
    controls: list[str] = []
    formats: list[str] = []
    for code in range(0x10000):  # about 5 ms once at import
        category = unicodedata.category(chr(code))
        if category == "Cc" and chr(code) not in "\n\t":
            controls.append(chr(code))
        elif category in ("Cf", "Co", "Cs"):
            formats.append(chr(code))
    astral = (
        "\U000110bd\U000110cd\U00013430-\U0001343f\U0001bca0-\U0001bca3"
        "\U0001d173-\U0001d17a\U000e0001-\U000e007f\U000f0000-\U0010ffff"
    )
    return (
        re.compile("[" + "".join(re.escape(ch) for ch in controls) + "]"),
        re.compile("[" + "".join(re.escape(ch) for ch in formats) + astral + "]"),
    )


_CONTROLS, _FORMATS = _invisible_class()


def normalise(text: str) -> str:
    """NFKC (fancy letters and full-width digits become plain), no invisible characters."""
    text = text[:MAX_INPUT_CHARS].replace("\r\n", "\n").replace("\r", "\n")
    return _FORMATS.sub("", _CONTROLS.sub(" ", unicodedata.normalize("NFKC", text)))


# -- what is identifier-shaped, whatever the words -------------------------------------------


def _set(words: str) -> frozenset[str]:
    return frozenset(words.split())


# Word-ish runs: letters (with their marks), digits and underscores together, so "ls6",
# "mum_of_two" and "47382910K" are one token each.
_TOKEN = re.compile(r"(?:" + LETTERS.pattern + r"|[\d_])+")
_DIGIT = re.compile(r"\d")
# Numbers written with separators: "07700 900 123", "8-495-620-72-11", "07700, 900, 222".
_NUMBER_CLUSTER = re.compile(r"\d+(?:(?:[ \t]?[.,:/\\\-–—_()+'’][ \t]?|[ \t])\(?\d+\)?)*")
_DECIMAL = re.compile(r"\d{1,3}[.,]\d{1,2}")
# "3mo", "2am", "34wks", "38c", "5th": an age, a time, a count or a measure, not an identifier.
_NUMBER_WITH_UNIT = re.compile(
    r"\d{1,3}(?:mo|mos|mth|mths|m|w|wk|wks|y|yr|yrs|yo|d|h|hr|hrs|min|mins|s|sec|am|pm"
    r"|st|nd|rd|th|x|ml|mg|kg|g|oz|lb|lbs|c|f|cm|mm|kcal|mcg|iu|°c|°f|°)",
    re.IGNORECASE,
)
# A unit after a three-digit number ("120 ml", "100 mg"): a measure, not a postcode.
_UNITS_AFTER = _set("ml mg g kg mcg iu oz lb lbs cm mm kcal calories grams мл мг г кг")
_LINK = re.compile(
    r"://|\bwww\.|[^\W_]{2,}\.[^\W\d_]{2,}|[^\W_]\.[^\W_]{1,}\.[^\W_]|\w_\w|[@＠]", re.IGNORECASE
)
# Spelled-out e-mail addresses: "anna at gmail dot com", "rita(собака)inbox(точка)ru".
_AT_WORDS = _set("at arobase arroba chiocciola małpa malpa собака собачка ات اт κουκουβάγια παπάκι")
_DOT_WORDS = _set("dot punto point punkt kropka точка nokta ponto دوت نقطة τελεία")
_BRACKETED_AT = re.compile(
    r"[(\[{]\s*(?:at|dot|" + "|".join(_AT_WORDS | _DOT_WORDS) + r")\s*[)\]}]"
)
# Words that join spelled digits without being digits: "one two, three and four".
_NUMBER_JOINERS = _set("and then и потом дальше y e et und ve i і و")
_SPELLED_RUN = 4  # this many number words in a row spell a phone or record number
_SPACED_LETTERS = 4  # "a n n a": this many single letters in a row spell a name or address


def _identifier_shape(
    text: str,
    lowered: str,
    words: list[re.Match[str]],
    keys: list[str],
    languages: frozenset[str],
    vocab: Vocabulary,
) -> str | None:
    """Why the text carries something identifier-shaped, or None."""
    if _LINK.search(text):
        return "link, handle or e-mail"
    if _BRACKETED_AT.search(lowered):
        return "spelled-out e-mail"
    total_digits = 0
    for m in _NUMBER_CLUSTER.finditer(text):
        cluster = m.group(0)
        if ":" not in cluster:  # "10:30" is a time; digits elsewhere may spell a number
            total_digits += sum(ch.isdigit() for ch in cluster)
        groups = _DIGIT_GROUPS.findall(cluster)
        if len(groups) <= 2 and all(len(g) <= 2 for g in groups):
            continue  # "3", "3-4", "10:30": an age, a range, a time
        if _DECIMAL.fullmatch(cluster.strip()):
            continue  # "38.5", "37,8": a temperature
        if len(groups) == 1 and len(groups[0]) == 3 and _unit_follows(text, m.end()):
            total_digits -= 3
            continue  # "120 ml"
        return "number"
    if total_digits >= 6:
        return "number"  # digits spread out by words: "07 then 700 then 9"
    run = spaced = 0
    for key, word in zip(keys, words, strict=True):
        token = word.group(0)
        if key in vocab.numbers or token.isdigit():
            run += 1
        elif key not in _NUMBER_JOINERS:
            run = 0
        if run >= _SPELLED_RUN:
            return "spelled-out number"
        spaced = spaced + 1 if len(token) == 1 and not token.isdigit() else 0
        if spaced >= _SPACED_LETTERS:
            return "spelled-out letters"
        mixed = any(ch.isdigit() for ch in token) and not token.isdigit()
        if mixed and not _NUMBER_WITH_UNIT.fullmatch(token):
            return "code"  # "ls6", "3B", "47382910K"
    for i, key in enumerate(keys[:-2]):
        # "anna at gmail dot com", "маша собака яндекс точка ру"; not "at what point".
        if (
            key in _AT_WORDS
            and keys[i + 2] in _DOT_WORDS
            and not vocab.is_function_word(keys[i + 1], languages)
        ):
            return "spelled-out e-mail"
    if any(key in vocab.naming for key in keys):
        return "names someone"
    for i, word in enumerate(words):
        if not _DIGIT.search(word.group(0)):
            continue
        near = keys[max(0, i - 2) : i] + keys[i + 1 : i + 3]
        if any(k in vocab.streets for k in near):
            return "address"
        if any(k in vocab.months for k in near):
            return "date"  # "born 3rd of march", "28 января": a date of birth
    return None


_DIGIT_GROUPS = re.compile(r"\d+")


def _unit_follows(text: str, end: int) -> bool:
    after = LETTERS.match(text, end + 1 if end < len(text) and text[end] == " " else end)
    return after is not None and after.group(0).lower() in _UNITS_AFTER


# -- the words ---------------------------------------------------------------------------------


def _sentence_initial(text: str, start: int) -> bool:
    """True when the word at start opens the text, a line or a sentence."""
    i = start - 1
    while i >= 0 and text[i] in " \t\"'“”‘’«»„([{*•-–—>¡¿":
        i -= 1
    if i < 0 or text[i] == "\n":
        return True
    ch = text[i]
    if ch in ".!?…:;。！？":
        return True
    # Emoji and other symbols stand where chat messages put a full stop.
    return unicodedata.category(ch) in ("So", "Sk")


def _char_before(text: str, start: int) -> str:
    """The last character before start that is not a space ("" at the start of the text)."""
    i = start - 1
    while i >= 0 and text[i] in " \t":
        i -= 1
    return text[i] if i >= 0 else ""


def _is_titlecase(word: str) -> bool:
    return len(word) > 1 and word[0].isupper() and not word.isupper()


def _languages(keys: list[str], vocab: Vocabulary) -> frozenset[str]:
    """The languages of the text: the ones with most words in it (English always counts,
    parents mix it in everywhere)."""
    counts: Counter[str] = Counter()
    for key in keys:
        counts.update(vocab.languages_of(key))
    if not counts:
        return frozenset({"en"})
    best = max(counts.values())
    if counts["en"] == best:  # the other lists hold English words too: a tie is English
        return frozenset({"en"})
    return frozenset({lang for lang, n in counts.items() if n == best} | {"en"})


# Units parents put after a number ("3 wks", "6 mo", "38 c").
_UNIT_WORDS = _set(
    "mo mos mth mths wk wks yr yrs yo hr hrs min mins sec secs ml mg kg oz lb lbs cm mm kcal"
)


def _known(key: str, languages: frozenset[str], vocab: Vocabulary) -> bool:
    """In the vocabulary of a language of the text, of the content, or a unit."""
    if key in vocab.domain or key in _UNIT_WORDS:
        return True
    return not vocab.languages_of(key).isdisjoint(languages)


def assess(text: str) -> Assessment:
    """Decide, word by word, what of the text may be kept, and whether any of it may."""
    vocab = vocabulary()
    text = normalise(text)
    lowered = text.casefold()
    words = list(_TOKEN.finditer(text))
    keys = [lookup_key(w.group(0)) for w in words]
    languages = _languages(keys, vocab)
    reason = _identifier_shape(text, lowered, words, keys, languages, vocab)
    kept = [_word_allowed(text, words, keys, i, languages, vocab) for i in range(len(words))]
    for i, key in enumerate(keys[:-1]):
        # "Dr Patel", "Frau Schmidt", "dr fuchs": the honorific and the name after it go; not
        # "the doctor said" (a lower-case common word after it).
        following = words[i + 1].group(0)
        if key in vocab.titles and (
            not kept[i + 1]
            or _is_titlecase(following)
            or (vocab.is_name(keys[i + 1]) and not vocab.is_function_word(keys[i + 1], languages))
        ):
            kept[i] = kept[i + 1] = False
    # A word found to name someone once is masked wherever it appears ("will's dad here.
    # will was born ...").
    named = {
        key
        for key, k, w in zip(keys, kept, words, strict=True)
        if not k and not w.group(0).isdigit()
    }
    kept = [k and key not in named for k, key in zip(kept, keys, strict=True)]
    changed = True
    while changed:  # a name's neighbour that could be part of it goes too ("Rose Smith")
        changed = False
        for i in range(len(words)):
            if kept[i] and _joins_a_mask(text, words, keys, kept, i, languages, vocab):
                kept[i] = False
                changed = True
    if reason is None:
        for i, m in enumerate(words):
            if m.group(0).isdigit():
                for j in (i - 1, i + 1):
                    if 0 <= j < len(words) and not kept[j] and _adjacent(text, words, min(i, j)):
                        reason = "number beside a masked word"
    tokens = tuple(Token(m.start(), m.end(), k, k) for m, k in zip(words, kept, strict=True))
    letter_words = [t for t, m in zip(tokens, words, strict=True) if not m.group(0).isdigit()]
    survivors = sum(t.kept for t in letter_words)
    # A name of three words is one gap in the text: masked runs count, not masked words.
    gaps = sum(
        1 for j, t in enumerate(letter_words) if not t.kept and (j == 0 or letter_words[j - 1].kept)
    )
    if reason is None and letter_words:
        if survivors < MIN_KEPT_WORDS:
            reason = "too few words survive"
        elif gaps / (survivors + gaps) > MAX_MASKED_SHARE:
            reason = "too many words masked"
    if reason is None and not letter_words:
        reason = "no words"
    if reason is not None:
        dropped = tuple(Token(t.start, t.end, False, t.allowed) for t in tokens)
        return Assessment(text, dropped, None, reason)
    return Assessment(text, tokens, _render(text, tokens), None)


def _capital_allowed(keys: list[str], i: int, languages: frozenset[str], vocab: Vocabulary) -> bool:
    """A capital inside a sentence that is no name: a German noun, or an eponym before its
    domain word ("Moro reflex", "West syndrome")."""
    key = keys[i]
    if "de" in languages and key in vocab.words["de"] and not vocab.is_name(key):
        return True
    return key in vocab.domain and i + 1 < len(keys) and keys[i + 1] in vocab.domain


def _word_allowed(
    text: str,
    words: list[re.Match[str]],
    keys: list[str],
    i: int,
    languages: frozenset[str],
    vocab: Vocabulary,
) -> bool:
    """Whether word i may be kept, judged on itself and the words just before and after."""
    word, key = words[i].group(0), keys[i]
    if word.isdigit() or _NUMBER_WITH_UNIT.fullmatch(word):
        return True  # an age, a count, a measure ("3", "3mo"): larger numbers drop the text
    if not _known(key, languages, vocab):
        return False
    initial = _sentence_initial(text, words[i].start())
    if _is_titlecase(word) and not initial and not _capital_allowed(keys, i, languages, vocab):
        return False  # inside a sentence a capital marks a name
    name = vocab.is_name(key)
    function_word = vocab.is_function_word(key, languages)
    if name and not (function_word or key in vocab.domain):
        return False  # a common word that is also a name ("rose", "hope", "sol"): err to the name
    if not (function_word or key in vocab.domain):
        # Right after a kinship word, any other word may be a name no list knows ("الطفلة
        # لين", "my daughter ...").
        previous = [k for k in keys[max(0, i - 2) : i] if k != "s"][-1:]
        if any(_is_kin(k, vocab) for k in previous):
            return False
    if not name or (key in vocab.domain and not function_word):
        return True
    # A name that is also a function word ("will", "may", "de", "can") goes when something
    # marks it as a name: shouting it mid-message, an honorific or "call me" before it ("call
    # me will"), a possessive ("will's dad"), an aside in brackets. A kinship word before it
    # does not count ("bébé de 5 mois", "my son will").
    if word.isupper() and len(word) > 1 and not initial:
        return False
    before = [k for k in keys[max(0, i - 3) : i] if k != "s"][-2:]
    if key not in _DETERMINERS and any(k in vocab.callers for k in before):
        return False
    after = text[words[i].end() : words[i].end() + 2]
    if after[:1] in ("'", "’") and after[1:2].casefold() == "s" and key not in _CONTRACTED:
        return False
    return _char_before(text, words[i].start()) not in _OPENING_BRACKETS


# Articles and pronouns, which follow "called" and "call" without naming anyone ("called an
# ambulance", "call me ..."), in the languages we read.
_DETERMINERS = _set(
    "a an the my his her our their your its it him them me us you this that these those "
    "el la los las un una le les une der die das den dem ein eine einen il lo gli uno o os as "
    "um uma het een de"
)
# What opens an aside that names someone: "(мирослава)", "«Sunny»".
_OPENING_BRACKETS = frozenset('([«"“')
# English words whose "'s" is "is" or "has", never a possessive ("she's", "that's").
_CONTRACTED = _set("he she it that there what who where here how let")


_CLITICS = ("ال", "و", "ب", "ل", "ف", "ה", "ו", "ל", "ב", "ש", "מ", "כ")


def _is_kin(key: str, vocab: Vocabulary) -> bool:
    """Kinship and child words, also with an Arabic or Hebrew prefix ("הבת", "والطفلة")."""
    if key in vocab.kin:
        return True
    return any(key.startswith(c) and (key[len(c) :] in vocab.kin) for c in _CLITICS)


def _joins_a_mask(
    text: str,
    words: list[re.Match[str]],
    keys: list[str],
    kept: list[bool],
    i: int,
    languages: frozenset[str],
    vocab: Vocabulary,
) -> bool:
    """True when kept word i is capitalised and stands right beside a masked word, so could be
    part of the same name ("Friedrich Wolf", "Anna Rose"). In German, where nouns have
    capitals, a noun before a name is not part of it ("Tochter Elif")."""
    if not _is_titlecase(words[i].group(0)):
        return False

    def masked_word(j: int) -> bool:
        return (
            0 <= j < len(words)
            and not kept[j]
            and not words[j].group(0).isdigit()
            and _adjacent(text, words, min(i, j))
        )

    if masked_word(i - 1):
        return True
    german_noun = "de" in languages and keys[i] in vocab.words["de"] and not vocab.is_name(keys[i])
    return masked_word(i + 1) and not german_noun


def _adjacent(text: str, words: list[re.Match[str]], i: int) -> bool:
    """True when words i and i+1 are separated by spaces, a hyphen or an apostrophe only."""
    gap = text[words[i].end() : words[i + 1].start()]
    return len(gap) <= 2 and all(ch in " \t-'’." for ch in gap)


_MASK_RUN = re.compile(re.escape(MASK) + r"(?:[\s\-'’.,]*" + re.escape(MASK) + r")+")
_SPACES = re.compile(r"[ \t]+")


def _render(text: str, tokens: tuple[Token, ...]) -> str:
    parts: list[str] = []
    at = 0
    for token in tokens:
        if not token.kept:
            parts.append(text[at : token.start])
            parts.append(MASK)
            at = token.end
    parts.append(text[at:])
    out = _MASK_RUN.sub(MASK, "".join(parts))
    out = " ".join(_SPACES.sub(" ", line).strip() for line in out.splitlines()).strip()
    if len(out) > MAX_KEPT_CHARS:
        cut = out.rfind(" ", 0, MAX_KEPT_CHARS)
        out = out[: cut if cut > 0 else MAX_KEPT_CHARS] + " …"
    return out


def scrub(text: str) -> str | None:
    """The text as it may be stored, unknown words masked; None when it cannot be kept."""
    return assess(text).text
