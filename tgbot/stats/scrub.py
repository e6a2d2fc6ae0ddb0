"""Scrub personal data out of a question before statistics keep its text.

Conservative on purpose: when unsure whether a word names a person it is replaced, because a
lost word costs an operator a little context while a kept name could identify a family.
Covers names, phone numbers, e-mail addresses, URLs and bare domains, @handles, street
addresses and postcodes, record numbers (NHS, MRN, patient ids), dates, and long digit runs;
ages and measurements ("4 months", "39 degrees", "37.8°C") survive. Pure and offline: never
imports telegram or aiosqlite, never logs.

Regexes rather than a library: the maintained PII tools (Presidio, scrubadub) need language
models or corpora downloaded at run time, which this project cannot do, and are tuned for
documents rather than chat messages; phone-only libraries need the caller's region.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["MAX_INPUT_CHARS", "MAX_KEPT_CHARS", "scrub"]

# Bounded work per message: scrubbing runs on the answering path.
MAX_INPUT_CHARS = 1_000
# What operators need to see what was asked; longer texts are cut at a word boundary.
MAX_KEPT_CHARS = 400

NAME = "[name]"
PHONE = "[phone]"
EMAIL = "[email]"
URL = "[url]"
HANDLE = "[handle]"
ADDRESS = "[address]"
RECORD = "[record]"
DATE = "[date]"
NUMBER = "[number]"


# Words that may appear capitalised in the middle of a sentence without naming a person:
# function words (title-case and shouting), family roles, the medical vocabulary of this bot,
# days and the months that are not also first names, and a few proper nouns parents use.
# Anything else capitalised mid-sentence is taken for a name.
def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_COMMON_WORDS = _words(
    """
    a about above after again against all almost also always am an and any anyone anything
    are around as at away back be because been before being below between both but by can
    cannot could did do does doing done down during each either else even ever every
    everyone everything few first for from further get gets getting go goes going gone got
    had has have having he her here hers herself him himself his how however i if in into is
    it its itself just last least less like little lot lots many may maybe me might mine
    more most much must my myself near never new next no none nor not nothing now of off
    often ok okay on once one only or other our ours ourselves out over own please quite
    rather really same see seems she should since so some someone something sometimes soon
    still such than that the their theirs them themselves then there these they this those
    though through to today together tomorrow tonight too under until up upon us very was
    we were what whatever when where whether which while who whom whose why will with within
    without would yes yesterday yet you your yours yourself
    hi hello hey dear thanks thank thx sorry help urgent question questions update edit ps
    btw fyi lol omg asap pls plz yeah yep nope let nobody somebody anybody
    morning afternoon evening night day days week weeks month months year years hour hours
    minute minutes second seconds time times old age
    baby babies bub bubs son sons daughter daughters boy boys girl girls child children kid
    kids toddler toddlers newborn newborns infant infants twin twins lo dd ds mum mom mums
    moms mummy mommy mama mam dad dads daddy papa dada parent parents husband wife partner
    grandma granny grandmother grandad grandpa grandfather nan nana sister brother family
    doctor doctors doc dr mr mrs ms prof gp nurse nurses midwife paediatrician pediatrician
    neurologist consultant specialist health visitor hv team
    myoclonus myoclonic jerk jerks jerking jerky twitch twitches twitching twitchy spasm
    spasms seizure seizures fit fits epilepsy epileptic convulsion convulsions fever
    temperature sleep sleeping asleep awake nap naps rem eeg mri ct ecg ekg icu nicu picu er
    ae ed nhs west syndrome dravet lennox gastaut doose sandifer moro startle reflex hiccups
    hiccup infantile benign neonatal juvenile jittery jitters tremor tremors trembling shaking
    shakes shaky stiff stiffening floppy limp blue grey gray pale breathing vomiting sick
    rash normal worried scared help calpol nurofen tylenol motrin advil paracetamol
    acetaminophen ibuprofen keppra levetiracetam vigabatrin sabril acth prednisolone
    valproate epilim topiramate clobazam midazolam buccal diazepam covid flu rsv mmr dtap
    bcg vaccine vaccines vaccination jab jabs hospital clinic ambulance emergency
    monday tuesday wednesday thursday friday saturday sunday january february march
    september october november december
    english british american german french spanish europe european uk usa eu google internet
    youtube facebook whatsapp telegram instagram tiktok reddit christmas easter bot
    """
)

# Words after a naming cue ("called ...", "thanks ...") that are not a name.
_NOT_A_NAME = _COMMON_WORDS | _words(
    """
    ambulance it him her them me us an the a out back up in so much again for that this
    twice once off over round later earlier first straight right
    """
)

# Abbreviations whose full stop does not end a sentence, so the next word is not initial.
_ABBREVIATIONS = _words("dr mr mrs ms prof st mt vs eg ie approx etc no nr")

_MONTHS = (
    r"jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?"
    r"|januar|februar|märz|maerz|juni|juli|oktober|dezember"
)
# Substrings that every month name above contains, to skip the date rules cheaply.
_MONTH_STEMS = (
    "jan",
    "feb",
    "mar",
    "mär",
    "apr",
    "may",
    "jun",
    "jul",
    "aug",
    "sep",
    "oct",
    "okt",
    "nov",
    "dec",
    "dez",
)
_TLDS = (
    r"com|org|net|edu|gov|info|biz|io|co|me|app|dev|ly|gl|be|de|uk|fr|es|it|nl|ru|ua|pl|ch"
    r"|at|ca|au|nz|us|in|br|mx|jp|cn|kr|se|no|dk|fi|ie|pt|gr|cz|tr|il|za|eu|xyz|online"
    r"|site|shop|blog|health|clinic|care|ai|tv|fm|ws|cc|ng|ke|ph|sg|hk|tk|su|by|kz|lt|lv"
    r"|ee|ro|hu|bg|sk|si|hr|rs|ar|cl|pe|ve|link|club|top|live|news|page|email|online"
)


@dataclass(frozen=True, slots=True)
class _Rule:
    """One replacement, with cheap conditions without which it cannot match, so the common
    message skips the regex: lower-case substrings (any one), a quick pattern, at least so
    many digits in the text, a digit run at least so long."""

    pattern: re.Pattern[str]
    replacement: str | Callable[[re.Match[str]], str]
    needs: tuple[str, ...] = ()
    precheck: re.Pattern[str] | None = None
    digits: int = 0
    run: int = 0


def _keep_trailing_punctuation(placeholder: str) -> Callable[[re.Match[str]], str]:
    """URLs swallow a sentence's full stop or bracket; give that back after the placeholder."""

    def replace(m: re.Match[str]) -> str:
        text = m.group(0)
        stripped = text.rstrip(".,;:!?)]}'\"")
        return placeholder + text[len(stripped) :]

    return replace


def _phone(m: re.Match[str]) -> str:
    # Seven digits make a phone number whatever the separators; fewer is a measurement range
    # such as "37.5 - 38.2" (contiguous runs of five or more are caught as numbers later).
    return PHONE if sum(ch.isdigit() for ch in m.group(0)) >= 7 else m.group(0)


def _labelled(placeholder: str) -> Callable[[re.Match[str]], str]:
    """Keep the label ("NHS number", "DOB") so operators see what was there."""

    def replace(m: re.Match[str]) -> str:
        return m.group("label") + " " + placeholder

    return replace


# Order matters: e-mails before handles and domains, URLs before domains, dates and record
# numbers before phone numbers, phone numbers before plain digit runs.
_RULES: tuple[_Rule, ...] = (
    _Rule(re.compile(r"[\w.+%-]+@(?:[\w-]+\.)+[\w-]{2,}"), EMAIL, needs=("@",)),
    _Rule(
        re.compile(
            r"\b[\w.+-]+\s*(?:\(at\)|\[at\]|\sat\s)\s*[\w-]+\s*(?:\(dot\)|\[dot\]|\sdot\s)"
            r"\s*[a-z]{2,}\b",
            re.IGNORECASE,
        ),
        EMAIL,
        needs=("dot",),
    ),
    _Rule(
        re.compile(r"(?:https?|ftp)://\S+|\bwww\.\S+", re.IGNORECASE),
        _keep_trailing_punctuation(URL),
        needs=("://", "www."),
    ),
    _Rule(
        re.compile(r"(?<![\w@.])(?:t|telegram)\.(?:me|dog)/\S+", re.IGNORECASE),
        _keep_trailing_punctuation(URL),
        needs=(".me/", ".dog/"),
    ),
    _Rule(
        re.compile(
            r"(?<![\w@.-])(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+(?:" + _TLDS + r")\b"
            r"(?:[/?#]\S*)?",
            re.IGNORECASE,
        ),
        _keep_trailing_punctuation(URL),
        precheck=re.compile(r"[A-Za-z0-9]\.[A-Za-z]"),
    ),
    _Rule(re.compile(r"(?<![\w@])@[A-Za-z]\w{1,31}"), HANDLE, needs=("@",)),
    # Dates: numeric, ISO, and with month names in either order, English and German.
    _Rule(
        re.compile(r"(?<![\d.])\d{1,4}[./-]\d{1,2}[./-]\d{2,4}(?!\d)"),
        DATE,
        precheck=re.compile(r"\d[./-]\d"),
        digits=4,
    ),
    _Rule(
        re.compile(
            r"\b\d{1,2}(?:st|nd|rd|th)?\.?(?:\s+of)?\s+(?:" + _MONTHS + r")\b\.?"
            r"(?:,?\s+\d{2,4}\b)?",
            re.IGNORECASE,
        ),
        DATE,
        needs=_MONTH_STEMS,
        digits=1,
    ),
    _Rule(
        re.compile(
            r"\b(?:" + _MONTHS + r")\b\.?\s+(?:\d{1,2}(?:st|nd|rd|th)?\b(?:,?\s+\d{4}\b)?"
            r"|\d{4}\b)",
            re.IGNORECASE,
        ),
        DATE,
        needs=_MONTH_STEMS,
        digits=1,
    ),
    _Rule(
        re.compile(r"\b(?P<label>on\s+the)\s+\d{1,2}(?:st|nd|rd|th)\b", re.IGNORECASE),
        _labelled(DATE),
        needs=("on",),
        precheck=re.compile(r"\d(?:st|nd|rd|th)\b", re.IGNORECASE),
        digits=1,
    ),
    _Rule(
        re.compile(
            r"\b(?P<label>d\.?o\.?b\.?|date\s+of\s+birth|birth\s*date|birthday|born|geb\.?)"
            r"\s*(?:on\s+)?(?:the\s+)?[:\-]?\s*(?:\d{1,2}(?:st|nd|rd|th)\b"
            r"|\d{1,4}[./\- ]\d{1,2}(?:[./\- ]\d{2,4})?\b)",
            re.IGNORECASE,
        ),
        _labelled(DATE),
        needs=("dob", "d.o.b", "birth", "born", "geb"),
        digits=1,
    ),
    # Record numbers behind a label, then id-like tokens (letters and 4+ digits).
    _Rule(
        re.compile(
            r"\b(?P<label>nhs|mrn|chi|hospital|patient|medical\s+record|record|insurance|policy"
            r"|case|member|reference|ref|id|versicherten|kvnr)"
            r"(?:\s*(?:number|num|no\.?|nr\.?|#|id))?\s*[:#.]?\s*"
            r"(?:[A-Z]{1,4}[\s-]?)?\d[\d\s-]{2,}\d[A-Z]?\b",
            re.IGNORECASE,
        ),
        _labelled(RECORD),
        needs=(
            "nhs",
            "mrn",
            "chi",
            "hospital",
            "patient",
            "record",
            "insurance",
            "policy",
            "case",
            "member",
            "ref",
            "id",
            "versicherten",
            "kvnr",
        ),
        digits=2,
    ),
    _Rule(re.compile(r"\b[A-Za-z]{1,4}-?\d{4,}[A-Za-z]?\b"), RECORD, run=4),
    # Street addresses: "12 Baker Street", "12b, High St", "Hauptstraße 5", "12 rue de la Paix".
    _Rule(
        re.compile(
            r"\b\d{1,5}[a-zA-Z]?,?\s+(?:[A-Z][\w'’.-]*\s+){0,3}"
            r"(?:[Ss]treet|St|[Rr]oad|Rd|[Aa]venue|Ave|[Ll]ane|Ln|[Dd]rive|Dr|[Cc]lose|[Ww]ay"
            r"|[Cc]ourt|Ct|[Pp]lace|Pl|[Bb]oulevard|Blvd|[Tt]errace|[Cc]rescent|Cres|[Ss]quare"
            r"|Sq|[Gg]ardens|[Gg]rove|[Hh]ill|[Pp]ark|[Rr]ow|[Mm]ews|[Ww]alk|[Pp]arade"
            r"|[Hh]ighway|Hwy)\b\.?"
        ),
        ADDRESS,
        digits=1,
    ),
    _Rule(
        re.compile(
            r"\b\d{1,5}[a-z]?,?\s+(?:\w+\s+)?(?:street|road|avenue|lane|boulevard)\b",
            re.IGNORECASE,
        ),
        ADDRESS,
        needs=("street", "road", "avenue", "lane", "boulevard"),
        digits=1,
    ),
    _Rule(
        re.compile(
            r"\b(?:[A-ZÄÖÜ][\wäöüß-]*\s+)?[\wÄÖÜäöüß-]*(?:[Ss]tra(?:ß|ss)e|[Ss]tr\.|[Ww]eg"
            r"|[Gg]asse|[Pp]latz|[Aa]llee|[Dd]amm|[Uu]fer|[Cc]haussee|Ring)\s*\d{1,4}\s?[a-z]?\b"
        ),
        ADDRESS,
        needs=(
            "stra",
            "str.",
            "weg",
            "gasse",
            "platz",
            "allee",
            "damm",
            "ufer",
            "chaussee",
            "ring",
        ),
        digits=1,
    ),
    _Rule(
        re.compile(
            r"\b\d{1,4}[a-z]?,?\s+(?:rue|avenue|av\.|boulevard|bd|chemin|allée|impasse|calle"
            r"|avenida|via|viale|piazza)\s+(?:(?:de|du|des|la|le|l'|del|della|di)\s+"
            r"|[A-Z][\w'’-]*\s*){1,4}",
            re.IGNORECASE,
        ),
        ADDRESS,
        needs=("rue", "av", "bd", "boulevard", "chemin", "allée", "impasse", "calle", "via"),
        digits=1,
    ),
    _Rule(
        re.compile(
            r"\b(?:flat|apt|apartment|unit|suite|po\s+box|p\.o\.\s+box)\s*#?\s*\d+[a-z]?\b",
            re.IGNORECASE,
        ),
        ADDRESS,
        needs=("flat", "apt", "apartment", "unit", "suite", "box"),
        digits=1,
    ),
    _Rule(
        re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b"),
        ADDRESS,
        precheck=re.compile(r"[A-Z]\d"),
        digits=2,
    ),
    # Phone numbers in any format: the digit count decides (7+ digits), separators are free.
    _Rule(
        re.compile(r"(?<![\w+])(?:\+|00)?\s?\(?\d[\d \t().\-/]{4,}\d(?!\w)"),
        _phone,
        digits=7,
    ),
    _Rule(re.compile(r"(?<!\d)\d{5,}(?!\d)"), NUMBER, run=5),
)

# A word; and a word that may be capitalised: the first letter is not lower-case ASCII, which
# lets the regex skip ordinary words before Python checks str.isupper().
_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")
_MAYBE_CAPITALISED = re.compile(r"(?<![\w'’-])[^\W\d_a-z][^\W\d_]*(?:['’-][^\W\d_]+)*")
_DIGIT_RUN = re.compile(r"\d+")
_SPACES = re.compile(r"[ \t]+")
_LAST_WORD = re.compile(r"\b\w+$")
_REPEATED_NAME = re.compile(r"\[name\](?:[\s,&]+(?:and\s+)?\[name\])+")


def _invisible_class() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """Control characters (become spaces) and format, private-use and surrogate characters
    (removed, so a zero-width space cannot split a name past the rules)."""
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
    escaped_controls = "".join(re.escape(ch) for ch in controls)
    escaped_formats = "".join(re.escape(ch) for ch in formats)
    return (
        re.compile("[" + escaped_controls + "]"),
        re.compile("[" + escaped_formats + astral + "]"),
    )


_CONTROLS, _FORMATS = _invisible_class()

# Cues after which the next word is a name, whatever its case.
_NAME_CUE = re.compile(
    r"\b(?:my|his|her|their|our|baby'?s|son'?s|daughter'?s)\s+name\s+(?:is|was)\s+"
    r"|\bname'?s\s+|\bname\s*:\s*|\bcall\s+(?:me|him|her)\s+|\bi\s+am\s+called\s+"
    r"|\bi'?m\s+called\s+|\b(?:called|named|nicknamed|christened)\s+",
    re.IGNORECASE,
)
_NAME_CUE_NEEDS = ("name", "call", "christened")
# A capitalised word before "family" is a surname wherever it stands ("Smith family here").
_FAMILY_NAME = re.compile(r"\b([^\W\d_][\w'’-]*)\s+(?:family|household|clan|twins)\b")
# Signatures: "- Anna", "~ Tom K." at the end or on a line of their own, and valedictions.
_SIGNATURE_DASH = re.compile(
    r"(?:^|(?<=[\s.!?]))[-–—~]+[ \t]*(?P<name>[^\W\d_][\w'’-]*(?:[ \t]+[^\W\d_][\w'’.-]*)?)"
    r"[ \t]*(?:$|\n)"
)
_VALEDICTION = re.compile(
    r"\b(?:many\s+thanks|thank\s+you|thanks|thx|ty|cheers|kind\s+regards|regards"
    r"|best\s+wishes|best|love|xx+|x|greetings|lg|gruß|grüße|danke)\s*[,!.]*\s*"
    r"(?P<name>[^\W\d_][\w'’-]*)[\s.!x]*$",
    re.IGNORECASE,
)
_VALEDICTION_TAIL = 60
_VALEDICTION_WORDS = (
    "thank",
    "thx",
    "ty",
    "cheers",
    "regards",
    "best",
    "love",
    "x",
    "greet",
    "lg",
    "gru",
    "grü",
    "danke",
)


def _normalise(text: str) -> str:
    text = text[:MAX_INPUT_CHARS].replace("\r\n", "\n").replace("\r", "\n")
    if text.isascii():  # ASCII is already NFKC and has no format characters
        return _CONTROLS.sub(" ", text)
    return _FORMATS.sub("", _CONTROLS.sub(" ", unicodedata.normalize("NFKC", text)))


def _looks_capitalised(word: str) -> bool:
    return word[0].isupper()


def _is_common(word: str) -> bool:
    base = word.lower().replace("’", "'")
    if base.endswith("'s"):
        base = base[:-2]
    return base in _COMMON_WORDS or base.split("'")[0] in _COMMON_WORDS


def _is_name_after_cue(word: str) -> bool:
    # A capitalised word after a cue is a name unless it is a known word ("called West
    # syndrome"); a lower-case one unless it is a function or medical word ("called it").
    if _looks_capitalised(word):
        return not _is_common(word)
    return word.lower() not in _NOT_A_NAME


def _cue_names(text: str, lowered: str) -> set[str]:
    """Words the text itself marks as names: "my name is X", "called X", signatures."""
    found: set[str] = set()
    if any(cue in lowered for cue in _NAME_CUE_NEEDS):
        for m in _NAME_CUE.finditer(text):
            w = _WORD.match(text, m.end())
            if w and _is_name_after_cue(w.group(0)):
                found.add(w.group(0))
    if "family" in lowered or "household" in lowered or "clan" in lowered or "twins" in lowered:
        for m in _FAMILY_NAME.finditer(text):
            if _looks_capitalised(m.group(1)) and not _is_common(m.group(1)):
                found.add(m.group(1))
    if any(dash in text for dash in "-–—~"):
        for m in _SIGNATURE_DASH.finditer(text):
            found.update(w for w in _WORD.findall(m.group("name")) if _is_name_after_cue(w))
    tail = lowered[-_VALEDICTION_TAIL:]
    valediction = (
        _VALEDICTION.search(text, max(0, len(text) - _VALEDICTION_TAIL))
        if any(v in tail for v in _VALEDICTION_WORDS)
        else None
    )
    if valediction and _is_name_after_cue(valediction.group("name")):
        found.add(valediction.group("name"))
    return found


def _sentence_initial(text: str, start: int) -> bool:
    """True when the word at start opens a sentence, a line or the text."""
    i = start - 1
    while i >= 0 and text[i] in " \t\"'“”‘’([{*•-–—>":
        i -= 1
    if i < 0 or text[i] == "\n":
        return True
    ch = text[i]
    if ch in "!?…:;":
        return True
    if ch == ".":
        before = _LAST_WORD.search(text, max(0, i - 12), i)
        return not (before and before.group(0).lower() in _ABBREVIATIONS)
    # Emoji and other symbols stand where chat messages put a full stop.
    return unicodedata.category(ch) in ("So", "Sk")


def _scrub_names(text: str, *, all_lower: bool = False) -> str:
    """Replace cue names, and capitalised unknown words that do not open a sentence; a word
    found to be a name once is replaced everywhere, whatever its case or place."""
    names = {n.lower() for n in _cue_names(text, text.lower())}
    if all_lower and not names:
        return text  # nothing capitalised, and no cue named anyone
    # Shouted words ("HE STOPPED BREATHING") are replaced where they stand but not hunted
    # through the rest of the text, where the same word in lower case is an ordinary word.
    shouted: set[str] = set()
    previous: re.Match[str] | None = None  # the capitalised word just before, if any
    for m in () if all_lower else _MAYBE_CAPITALISED.finditer(text):
        word = m.group(0)
        candidate = (
            len(word) > 1
            and _looks_capitalised(word)
            and not word.startswith(("I'", "I’"))
            and not _is_common(word)
        )
        # Opening a sentence, a capitalised word is a name only as a possessive ("Emma's
        # arms jerk") or before another name ("Anna Smith, ..."); otherwise it is most
        # likely an ordinary word.
        if candidate and (word.endswith(("'s", "’s")) or not _sentence_initial(text, m.start())):
            if word.isupper():
                shouted.add(word)
            else:
                names.add(_possessive_base(word.lower()))
                if (
                    previous is not None
                    and not text[previous.end() : m.start()].strip()
                    and not _is_common(previous.group(0))
                    and not previous.group(0).isupper()
                ):
                    names.add(_possessive_base(previous.group(0).lower()))
        previous = m if candidate else None
    if not names and not shouted:
        return text

    def replace(m: re.Match[str]) -> str:
        word = m.group(0)
        lower = word.lower()
        if word in shouted or lower in names or _possessive_base(lower) in names:
            return NAME
        return word

    return _WORD.sub(replace, text)


def _possessive_base(word: str) -> str:
    return word[:-2] if word.endswith(("'s", "’s")) else word


def scrub(text: str) -> str:
    """The text with personal data replaced by placeholders such as [name] and [phone]."""
    text = _normalise(text)
    lowered = text.lower()
    runs = [len(r) for r in _DIGIT_RUN.findall(text)]
    digits, longest = sum(runs), max(runs, default=0)
    for rule in _RULES:
        if digits < rule.digits or longest < rule.run:
            continue
        if rule.needs and not any(n in lowered for n in rule.needs):
            continue
        if rule.precheck is not None and rule.precheck.search(text) is None:
            continue
        text = rule.pattern.sub(rule.replacement, text)
    text = _scrub_names(text, all_lower=text.lower() == text)
    text = _REPEATED_NAME.sub(NAME, text)
    text = " ".join(_SPACES.sub(" ", line).strip() for line in text.splitlines())
    text = text.strip()
    if len(text) > MAX_KEPT_CHARS:
        cut = text.rfind(" ", 0, MAX_KEPT_CHARS)
        text = text[: cut if cut > 0 else MAX_KEPT_CHARS] + " …"
    return text
