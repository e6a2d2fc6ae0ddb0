"""Regenerate tgbot/stats/vocabulary/: the words a stored question text may keep.

    .venv/bin/python scripts/build_vocabulary.py          # write the files
    .venv/bin/python scripts/build_vocabulary.py --check  # fail if they are stale (CI)

Inputs, all offline and pinned in pyproject.toml's `vocab` extra:
- wordfreq's "best" lists (data shipped in its wheel): the most frequent words per language.
- Faker's person and address providers (86 locales, MIT): first, middle and last names in
  every script and their romanisations (names.txt); honorifics (name cues) and street words
  (address cues).
- num2words: the number words 0-100 and the hundreds, for spelled-out phone numbers.
- Babel (CLDR): month names in every grammatical form, for dates of birth.
- content/: every word of the curated content, so domain words ("myoclonus") survive.

names.txt lists the vocabulary words that are also names ("rose", "hope", "will", "my"): the
scrubber masks them, except function and domain words ("will", "baby"), which it masks only
when something marks them as a name. This script is the only place the lists are made; the
bot reads the files and never imports these packages.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import re
import sys
import unicodedata
from collections.abc import Iterable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tgbot.stats.vocabulary import (  # noqa: E402  (the bot's own normalisation and languages)
    FUNCTION_WORDS,
    LANGUAGES,
    LETTERS,
    lookup_key,
    strip_accents,
)

OUT = ROOT / "tgbot" / "stats" / "vocabulary"
CONTENT = ROOT / "content"

# How many of each language's most frequent words. Larger keeps more ordinary words but lets
# in more rare names and places that no name list knows; measured with `python -m tgbot
# eval-privacy` and on the dev questions (see SECURITY.md): 3,000 keeps 95% of the words of
# ordinary questions.
TOP_N = 3_000
# Number words: num2words lacks these two languages; their digits 0-10 and tens.
EXTRA_NUMBER_WORDS = {
    "el": "μηδέν ένα δύο τρία τέσσερα πέντε έξι επτά εφτά οκτώ οχτώ εννέα εννιά δέκα "
    "είκοσι τριάντα σαράντα πενήντα εξήντα εβδομήντα ογδόντα ενενήντα εκατό",
    "hi": "शून्य एक दो तीन चार पांच पाँच छह छः सात आठ नौ दस बीस तीस चालीस पचास साठ सत्तर अस्सी नब्बे सौ",
}
# "oh" and "double" are how English speakers read digits out ("oh seven double seven").
SPOKEN_DIGITS = "oh double triple"


def _strings(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key in value:
            yield from _strings(key)
    elif isinstance(value, list | tuple | set | frozenset):
        for item in value:
            yield from _strings(item)


def _provider_attrs(
    package: str, wanted: re.Pattern[str], *, ours_only: bool = False
) -> Iterator[str]:
    base = importlib.import_module(package)
    for module in sorted(m.name for m in pkgutil.iter_modules(base.__path__)):
        if ours_only and module.split("_")[0] not in LANGUAGES:
            continue
        provider = importlib.import_module(f"{package}.{module}").Provider
        for attr in sorted(dir(provider)):
            if wanted.fullmatch(attr):
                yield from _strings(getattr(provider, attr))


def _words(texts: Iterable[str]) -> set[str]:
    found: set[str] = set()
    for text in texts:
        for word in LETTERS.findall(unicodedata.normalize("NFKC", text)):
            found.add(lookup_key(word))
    return found


def names() -> set[str]:
    """Every word of every person name Faker knows, in every script and romanisation."""
    pattern = re.compile(r"(first|last|middle)_?\w*names?\w*|\w*name_pairs")
    return {w for w in _words(_provider_attrs("faker.providers.person", pattern)) if len(w) > 1}


# Honorifics Faker does not list, in the languages we read (general usage, one line each).
OWN_TITLES = """
dr doctor doc mr mrs ms miss mx prof professor sir madam
frau herr fräulein doktor
monsieur madame mademoiselle docteur mme mlle
señor señora señorita doctor doctora dra sr sra srta don doña
signor signora signorina dottore dottoressa dott
senhor senhora doutor doutora
meneer mevrouw dokter
pan pani doktor lekarz
bay bayan doktor hemşire hanım bey
господин госпожа доктор врач педиатр невролог
пан пані лікар
κύριος κυρία γιατρός γιατρέ κ
ד״ר דוקטור מר גב
الدكتور الدكتورة دكتور دكتورة السيد السيدة الاستاذ الأستاذ أم ام أبو ابو
डॉ डॉक्टर श्री श्रीमती
"""


def function_words() -> set[str]:
    """The most frequent words of each language we read: articles, pronouns, prepositions."""
    from wordfreq import top_n_list

    return _words(w for lang in LANGUAGES for w in top_n_list(lang, FUNCTION_WORDS))


# Words after which a name often follows: kinship and child words, "name", "called", "I am".
# General usage of each language we read, one line each; they mask only words that are names.
KIN_AND_NAME_CUES = """
son daughter baby boy girl child kid lo dd ds twin grandson granddaughter niece nephew husband
wife partner mum mom mummy mommy mama dad daddy papa sister brother grandma granny grandpa nan
nana aunt auntie uncle cousin friend nanny
sohn tochter kind junge mädchen enkel enkelin mann frau mama papa oma opa schwester bruder
heißt heiße name namens genannt
fils fille bébé enfant garçon petit petite mari femme maman papa mamie papy sœur frère appelle
appelé appelée nom prénom
hijo hija bebé niño niña nene nena esposo esposa marido mujer mamá papá abuela abuelo hermana
hermano nieto nieta llama llamo nombre soy
figlio figlia bambino bambina marito moglie mamma papà nonna nonno sorella fratello chiamo
chiama nome
filho filha bebê menino menina marido esposa mãe pai avó avô irmã irmão neto neta chamo chama
nome sou
zoon dochter jongen meisje man vrouw oma opa zus broer heet naam
syn syna córka córki córeczka synek dziecko mąż żona mama tata babcia dziadek siostra brat
wnuk wnuczka imię nazywa nazywam jestem
oğlum kızım bebeğim oğlu kızı eşim annesi babası torunum adı adım ismi isim
сын сына сыну дочь дочка дочери ребенок ребёнок малыш малышка муж жена мама папа бабушка
дедушка сестра брат внук внучка зовут имя я
син сина донька доньку дитина малюк малюка чоловік дружина тато бабуся дідусь онук онука
звати ім'я
γιος κόρη μωρό παιδί σύζυγος άντρας γυναίκα μαμά μπαμπάς γιαγιά παππούς αδερφή αδερφός
εγγονός εγγονή λένε όνομα είμαι
בן בת בני בתי תינוק תינוקת בעלי אשתי אמא אבא סבתא סבא אחות אח נכד נכדה קוראים שם שמי
ابني ابنتي بنتي ولدي طفلي طفلتي الطفل الطفلة زوجي زوجتي امي ابي جدتي جدي اختي اخي حفيدي
حفيدتي اسمي اسمه اسمها اسم بنت ابن
बेटा बेटी बच्चा बच्ची पति पत्नी माँ मां पापा दादी नानी दादा नाना बहन भाई नाम
"""


# Nouns for a person's name: a message that talks about someone's name is about a person, and
# is not kept ("real name", "اسمها", "ім'я"). "nombre" is left out: in French it means number.
NAMING = """
name names nickname surname forename namen spitzname nachname vorname nom prénom surnom apodo
apellido nome cognome soprannome apelido sobrenome naam bijnaam achternaam imię imienia
nazwisko adı adım ismi isim soyadı имя фамилия зовут ім'я прізвище звати όνομα επώνυμο שמי
שמו שמה اسم اسمي اسمه اسمها نام नाम
"""


# Words after which a name follows whatever it is ("call me will", "I'm may").
CALLERS = """
call calls called calling named name names nickname nicknamed im am
heiße heißt nennen genannt appelle appelons appelé appelée llamo llama llamamos chiamo chiama
chamo chama heet noem nazywam nazywa nazywamy ismi adı zovut зовут звали звати кличуть λένε
φωνάζουμε קוראים קוראת קורא اسمي اسمه اسمها نسميه نسميها
"""


def months() -> set[str]:
    """Month names and abbreviations, in every form (CLDR via Babel: "march", "января", "mar")."""
    from babel.dates import get_month_names

    found: set[str] = set()
    for lang in LANGUAGES:
        for locale in (lang, "ar_SY", "ar_IQ") if lang == "ar" else (lang,):
            for width in ("wide", "abbreviated"):
                for context in ("format", "stand-alone"):
                    found |= _words(get_month_names(width, context=context, locale=locale).values())
    return {w for w in found if len(w) > 1}


def titles() -> set[str]:
    """Honorifics ("dr", "frau", "г-жа"): a word after one is a name, whatever its case.
    Faker's abbreviations that are also function words somewhere ("de", "do") are left out."""
    faker_prefixes = _provider_attrs(
        "faker.providers.person", re.compile(r"prefixes\w*"), ours_only=True
    )
    common = function_words()
    own = _words([OWN_TITLES])
    return own | {w for w in _words(faker_prefixes) if len(w) > 1 and w not in common}


def street_words() -> set[str]:
    """Street types and abbreviations ("road", "ул", "rue"): one near a number is an address."""
    attrs = re.compile(r"street_(suffix|suffixes|prefix|prefixes)\w*|secondary_address\w*")
    found = _words(_provider_attrs("faker.providers.address", attrs, ours_only=True))
    common = function_words()
    return {w for w in found if len(w) > 1 and w not in common}


def number_words() -> set[str]:
    """Words that spell digits and numbers, in every language we read."""
    from num2words import num2words

    found = _words([SPOKEN_DIGITS, *EXTRA_NUMBER_WORDS.values()])
    for lang in LANGUAGES:
        for n in [*range(101), *range(100, 1000, 100)]:
            try:
                spelled = num2words(n, lang=lang)
            except (NotImplementedError, KeyError, ValueError, OverflowError):
                break
            found |= _words([spelled])
    found.discard("and")  # "a hundred and two": too common to count as a number word
    return {w for w in found if w}


def content_words() -> set[str]:
    """The words of the curated content. Not the red-flag term lists of other languages
    (content/red_flags/): they are patterns (prefixes, misspellings, thousands of everyday
    words of ten languages) that no parent reads, and as "domain words" they would let names
    such as "Sol" or "Blanca" through the scrubber."""
    rule_lists = CONTENT / "red_flags"
    texts = [
        p.read_text(encoding="utf-8")
        for p in sorted(CONTENT.rglob("*"))
        if p.is_file() and rule_lists not in p.parents
    ]
    return _words(texts)


def stored_domain_words() -> set[str]:
    """The words of the committed domain.txt (what names.txt was built from)."""
    path = OUT / "domain.txt"
    if not path.exists():
        return set()
    lines = path.read_text(encoding="utf-8").splitlines()
    return {line for line in lines if line and not line.startswith("#")}


def build(domain: set[str] | None = None) -> dict[str, str]:
    """The file name and text of every vocabulary file.

    `domain` replaces the words of content/ when given: --check passes the committed
    domain.txt, because names.txt is derived from it and a content edit alone (which only
    makes domain.txt lag, the safe side) must not make names.txt look hand-edited.
    """
    from importlib.metadata import version

    from wordfreq import top_n_list

    generated = "# Generated by scripts/build_vocabulary.py: do not edit.\n"
    files: dict[str, str] = {}
    vocabulary: set[str] = set()
    for lang in LANGUAGES:
        seen: set[str] = set()
        kept: list[str] = []
        for word in top_n_list(lang, TOP_N, wordlist="best"):
            for part in LETTERS.findall(word):
                key = lookup_key(part)
                if key and key not in seen:
                    seen.add(key)
                    kept.append(key)
        vocabulary |= seen
        files[f"{lang}.txt"] = (
            generated
            + f"# The {TOP_N} most frequent words of wordfreq {version('wordfreq')}, in order\n"
            + "# (data CC BY-SA 4.0, https://github.com/rspeer/wordfreq).\n"
            + "\n".join(kept)
            + "\n"
        )
    content = content_words()
    files["domain.txt"] = (
        generated + "# Every word of content/.\n" + "\n".join(sorted(content)) + "\n"
    )
    if domain is None:
        domain = content
    known = {strip_accents(w) for w in vocabulary | domain}
    ambiguous = {strip_accents(w) for w in names()} & known
    files["names.txt"] = (
        generated
        + f"# The words above that are also names in Faker {version('faker')}'s person providers,\n"
        + "# without accents.\n"
        + "\n".join(sorted(ambiguous))
        + "\n"
    )
    sections = {
        "titles": titles(),
        "kin": _words([KIN_AND_NAME_CUES]),
        "callers": _words([CALLERS]),
        "months": months(),
        "naming": _words([NAMING]),
        "streets": street_words(),
        "numbers": number_words(),
    }
    body = "".join(
        f"[{name}]\n" + "\n".join(sorted(words)) + "\n" for name, words in sections.items()
    )
    files["cues.txt"] = (
        generated
        + "# Honorifics and street words (Faker), name cues (hand-written, in this script),\n"
        + f"# number words (num2words {version('num2words')}), months (Babel {version('babel')}).\n"
        + body
    )
    return files


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if the files are stale")
    args = parser.parse_args(argv)
    files = build(stored_domain_words() if args.check else None)
    stale = [
        name
        for name, text in files.items()
        if not (OUT / name).exists() or (OUT / name).read_text(encoding="utf-8") != text
    ]
    if args.check:
        # A content word missing from domain.txt is only masked in stored texts (the safe
        # side), so a content edit must not fail CI; anything else stale is a hand edit.
        if "domain.txt" in stale:
            print("note: domain.txt lags content/ (run scripts/build_vocabulary.py)")
            stale.remove("domain.txt")
        if stale:
            print("stale vocabulary files (run scripts/build_vocabulary.py):", *stale)
            return 1
        print(f"vocabulary up to date ({len(files)} files)")
        return 0
    OUT.mkdir(exist_ok=True)
    for name, text in files.items():
        (OUT / name).write_text(text, encoding="utf-8")
    print(f"wrote {len(files)} files to {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
