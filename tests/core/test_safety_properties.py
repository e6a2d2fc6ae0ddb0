"""The safety invariant as properties: a red-flag phrase inside any text, in any case, with any
punctuation and one typo, is detected at its level, and the reply carries the doctor prompt
(and, for an emergency, the emergency prompt first).

Examples per run: 200 by default; HYPOTHESIS_PROFILE=long runs 5,000 (before a release).
"""

from __future__ import annotations

import functools
import os
import random
import shutil
import string
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from tgbot.core.answers import answer_for, render_plain
from tgbot.core.content import DEFAULT_CONTENT_DIR, ContentError, ContentPack, load_content
from tgbot.core.model import Level
from tgbot.core.text import stem
from tgbot.core.yamlsrc import load_yaml

# No example database: a saved example from an older phrase list would replay as a different
# input; a failure prints its example, which is enough to reproduce it.
_PROFILES = {
    name: settings(
        max_examples=examples,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow],
    )
    for name, examples in (("ci", 200), ("long", 5_000))
}
PROFILE = _PROFILES.get(os.environ.get("HYPOTHESIS_PROFILE", "ci"), _PROFILES["ci"])

E = Level.EMERGENCY
U = Level.URGENT

# Phrases a parent might write, per concept, each a red flag on its own. Different wordings
# from the unit tests, so the two sets check each other.
PHRASES: dict[str, tuple[Level, tuple[str, ...]]] = {
    "not-breathing": (
        E,
        (
            "he stopped breathing",
            "she is not breathing",
            "struggling to breathe",
            "gasping for breath",
            "breathing really laboured",
            "he started choking",
        ),
    ),
    "colour-change": (
        E,
        (
            "his lips went blue",
            "her face turned grey",
            "bluish lips",
            "she looked very pale",
            "purple around the mouth",
            "mottled skin",
        ),
    ),
    "unresponsive": (
        E,
        (
            "she went floppy",
            "he is limp",
            "I can't wake her",
            "he won't wake up",
            "completely unresponsive",
            "she is unconscious",
        ),
    ),
    "long-seizure": (
        E,
        (
            "the seizure lasted 8 minutes",
            "jerking for ten minutes",
            "shaking for over 5 mins",
            "one fit after another",
            "the twitching won't stop",
            "she hasn't come round",
        ),
    ),
    "poisoning": (
        E,
        (
            "he swallowed a battery",
            "she ate my tablets",
            "swallowed some medicine",
            "drank the bleach",
            "chewed a detergent pod",
            "he has been poisoned",
        ),
    ),
    "head-injury": (
        E,
        (
            "she fell off the bed",
            "he hit his head",
            "fell from the changing table",
            "banged her head on the floor",
            "a head injury yesterday",
        ),
    ),
    "infantile-spasms": (
        U,
        (
            "infantile spasms",
            "West syndrome",
            "jerks in clusters",
            "bends forward again and again",
            "jackknife spasms",
        ),
    ),
    "regression": (
        U,
        (
            "she stopped smiling",
            "he stopped babbling",
            "lost skills",
            "doesn't roll over anymore",
            "no longer sits",
        ),
    ),
    "fever": (
        U,
        (
            "she has a fever",
            "temperature of 39 degrees",
            "he is feverish",
            "a high temperature",
            "burning up",
            "temp 38.5",
        ),
    ),
    "vomiting": (U, ("he is vomiting", "she threw up", "being sick", "throwing up")),
    "bulging-fontanelle": (U, ("bulging soft spot", "the fontanelle is bulging")),
    "unusual-sleepiness": (
        U,
        ("more sleepy than usual", "very drowsy", "really lethargic", "hard to wake"),
    ),
    "one-sided": (
        U,
        ("only his left arm jerks", "jerks on one side of her body", "right arm and leg twitch"),
    ),
    "eyes-rolling-or-staring": (
        U,
        ("her eyes roll back", "a fixed stare", "eyes rolling up", "staring blankly"),
    ),
    "awake-recurring": (
        U,
        ("jerks while awake several times a day", "twitches when awake every day"),
    ),
    "first-seizure": (U, ("his first seizure", "she had a fit", "first ever seizure")),
    "jerks-not-stopped-by-holding": (
        U,
        ("the jerking doesn't stop when I hold her arm", "jerks even when I hold his leg"),
    ),
    "non-blanching-rash": (E, ("a rash that doesn't fade under a glass", "non blanching rash")),
    "poor-feeding": (U, ("she is not feeding", "refusing feeds", "off his milk")),
    "dehydration": (U, ("no wet nappies since this morning", "he seems dehydrated")),
    "meningitis-signs": (E, ("a stiff neck", "could it be meningitis")),
    "first-seizure-now": (E, ("his first seizure", "first ever seizure right now")),
    "after-seizure": (
        E,
        ("still very drowsy an hour after the seizure", "after the fit his arm is weak"),
    ),
    "shaken-baby": (E, ("the baby was shaken", "he shook the baby")),
    "overheating": (E, ("heatstroke", "overheated and now jerking")),
    "abnormal-cry": (U, ("a high pitched cry", "a weak cry")),
    "breathing-changes": (U, ("breathing very fast", "wheezing")),
}

FLAT = [(concept, level, phrase) for concept, (level, ps) in PHRASES.items() for phrase in ps]

# Neutral sentences a parent wraps around the worrying part.
FILLERS = (
    "Hi everyone.",
    "Sorry for the long message.",
    "My daughter is 5 months old.",
    "He is 10 weeks and was born on time.",
    "We just got back from my mum's house.",
    "This happened about an hour ago.",
    "Today has been a long day.",
    "I'm a first time mum and I don't know what is normal.",
    "Thanks in advance!!",
    "what should I do",
    "Is this normal?",
    "please help",
    "😟😟",
    "lol",
    "@HelperBot",
)

NOISE_ALPHABET = string.ascii_letters + string.digits + " .,!?;:'\"()-😟🙏👶🏻\n\t"
SEPARATORS = (" ", ". ", ", ", "! ", "... ", "\n", " 😟 ", " - ", "?? ")


class Content:
    """The pack under test, with a one-line repr: a failing example then prints this line
    rather than every topic of the pack."""

    def __init__(self, pack: ContentPack) -> None:
        self.pack = pack

    def __repr__(self) -> str:
        return f"Content({self.pack.language}, version {self.pack.version})"


@pytest.fixture(scope="module")
def content(tmp_path_factory: pytest.TempPathFactory) -> Content:
    """The real content pack; if the topics are mid-edit, a minimal pack around the real
    red_flags.yaml and texts, so the safety properties never depend on topic writing."""
    return Content(_load_pack(tmp_path_factory))


def _load_pack(tmp_path_factory: pytest.TempPathFactory) -> ContentPack:
    try:
        return load_content().default
    except ContentError:
        root = tmp_path_factory.mktemp("content")
        for name in ("content.yaml", "texts.yaml", "ui.yaml", "red_flags.yaml"):
            if (DEFAULT_CONTENT_DIR / name).exists():
                shutil.copy(DEFAULT_CONTENT_DIR / name, root / name)
        (root / "topics").mkdir()
        (root / "topics" / "when-to-see-doctor.md").write_text(_MINIMAL_TOPIC, encoding="utf-8")
        return load_content(root).default


_MINIMAL_TOPIC = """\
---
id: when-to-see-doctor
title: When to see a doctor about your baby's jerks
questions:
  - When should I take my baby to a doctor about jerks?
  - when to worry about baby twitching
  - red flags for baby jerking
  - when are a baby's jerks an emergency
  - should I be worried about my baby's jerking
  - when to get baby twitches checked
keywords: [when to worry]
related: []
red_flag: false
sources:
  - title: Test source
    url: https://www.nhs.uk/conditions/test-source/
reviewed: 2025-01-01
reviewed_by: A test editor
next_review: 2026-06-01
---
See a doctor today for the warning signs; call the emergency number for the serious ones.
"""


def _typo(word: str, data: st.DataObject) -> str:
    """One edit (delete, insert, substitute, swap) anywhere but the first letter."""
    kind = data.draw(st.sampled_from(["delete", "insert", "substitute", "swap"]))
    pos = data.draw(st.integers(1, len(word) - 1))
    letter = data.draw(st.sampled_from(string.ascii_lowercase))
    if kind == "delete":
        return word[:pos] + word[pos + 1 :]
    if kind == "insert":
        return word[:pos] + letter + word[pos:]
    if kind == "substitute":
        return word[:pos] + letter + word[pos + 1 :]
    if pos == len(word) - 1:
        pos -= 1
    if pos < 1:
        return word
    return word[:pos] + word[pos + 1] + word[pos] + word[pos + 2 :]


def _noisy_case(text: str, data: st.DataObject) -> str:
    style = data.draw(st.sampled_from(["lower", "upper", "title", "random"]))
    if style == "lower":
        return text.lower()
    if style == "upper":
        return text.upper()
    if style == "title":
        return text.title()
    rng = random.Random(data.draw(st.integers(0, 2**32 - 1)))
    return "".join(ch.upper() if rng.random() < 0.5 else ch.lower() for ch in text)


def _noisy_spacing(phrase: str, data: st.DataObject) -> str:
    """Punctuation and emoji between the words (never inside one) and around the phrase."""
    gaps = ("  ", " ", ", ", "... ", " 😟 ", "\n", " - ")
    words = phrase.split(" ")
    out = words[0]
    for word in words[1:]:
        out += data.draw(st.sampled_from(gaps)) + word
    return out + data.draw(st.sampled_from(("", "!", "!!!", "?", "...", " 😭", ".")))


def _surrounding(data: st.DataObject) -> str:
    kind = data.draw(st.sampled_from(["none", "fillers", "noise"]))
    if kind == "none":
        return ""
    if kind == "fillers":
        return " ".join(data.draw(st.lists(st.sampled_from(FILLERS), max_size=4)))
    return data.draw(st.text(alphabet=NOISE_ALPHABET, max_size=60))


def _wrap(phrase: str, data: st.DataObject) -> str:
    before = _surrounding(data)
    after = _surrounding(data)
    return (
        before
        + data.draw(st.sampled_from(SEPARATORS))
        + phrase
        + data.draw(st.sampled_from(SEPARATORS))
        + after
    )


def _typo_eligible(word: str) -> bool:
    """The documented rule: words whose stem has 5+ letters tolerate one typo."""
    return word.isalpha() and len(stem(word.lower())) >= 5


# (level, phrase, index of a word that tolerates a typo) for every such word of every phrase
TYPO_TARGETS = [
    (level, phrase, i)
    for _, level, phrase in FLAT
    for i, word in enumerate(phrase.split(" "))
    if _typo_eligible(word)
]


def _assert_detected_and_prompted(pack: ContentPack, text: str, level: Level) -> None:
    result = pack.red_flags.detect(text)
    assert result.level is not None, (text, pack.red_flags.explain(text))
    assert result.level.rank >= level.rank, (text, result)
    answer = answer_for(text, pack)
    assert answer.level is not None
    assert answer.level.rank >= result.level.rank, (text, answer.level)
    reply = render_plain(answer)
    doctor = pack.texts["doctor_prompt"]
    emergency = pack.texts["emergency_prompt"]
    # One prompt per reply: an emergency (found in the text, or a higher level found beside
    # an urgent phrase) opens with the emergency prompt alone; urgent gets the doctor prompt.
    if answer.level is E:
        assert reply.startswith(emergency), text
        assert doctor not in reply, text
    else:
        assert doctor in reply, text
        assert emergency not in reply, text


@PROFILE
@given(data=st.data())
def test_a_red_flag_phrase_in_any_text_brings_its_prompt(
    content: Content, data: st.DataObject
) -> None:
    pack = content.pack
    _concept, level, phrase = data.draw(st.sampled_from(FLAT))
    text = _wrap(_noisy_case(_noisy_spacing(phrase, data), data), data)
    _assert_detected_and_prompted(pack, text, level)


@PROFILE
@given(data=st.data())
def test_a_red_flag_phrase_with_one_typo_still_brings_its_prompt(
    content: Content, data: st.DataObject
) -> None:
    pack = content.pack
    level, phrase, i = data.draw(st.sampled_from(TYPO_TARGETS))
    words = phrase.split(" ")
    typo = _typo(words[i].lower(), data)
    # A typo that lands on another real word is that word, not a typo ("fever" -> "fewer").
    assume(typo != words[i].lower())
    # Three equal letters in a row read as a letter flood ("sooo"), not a typo.
    assume(not any(a == b == c for a, b, c in zip(typo, typo[1:], typo[2:], strict=False)))
    assume(not pack.red_flags.is_term_word(typo))
    assume(typo not in _not_typos(pack))
    words[i] = typo
    text = _wrap(_noisy_case(" ".join(words), data), data)
    _assert_detected_and_prompted(pack, text, level)


@PROFILE
@given(data=st.data())
def test_negating_a_red_flag_phrase_never_removes_the_prompt(
    content: Content, data: st.DataObject
) -> None:
    pack = content.pack
    _concept, level, phrase = data.draw(st.sampled_from(FLAT))
    negation = data.draw(st.sampled_from(["not", "no", "never", "isn't", "he's not", "no sign of"]))
    text = _wrap(f"{negation} {phrase}", data)
    _assert_detected_and_prompted(pack, text, level)


@PROFILE
@given(picks=st.lists(st.sampled_from(FLAT), min_size=2, max_size=4))
def test_several_red_flags_give_the_highest_level(
    content: Content, picks: list[tuple[str, Level, str]]
) -> None:
    pack = content.pack
    text = ". ".join(phrase for _, _, phrase in picks)
    top = max((lv for _, lv, _ in picks), key=lambda lv: lv.rank)
    _assert_detected_and_prompted(pack, text, top)
    found = set(pack.red_flags.detect(text).concepts)
    assert {concept for concept, _, _ in picks} <= found, (text, found)


@PROFILE
@given(text=st.text(max_size=300))
def test_detect_never_fails_on_any_text(content: Content, text: str) -> None:
    pack = content.pack
    result = pack.red_flags.detect(text)
    assert result.level is None or result.concepts


def test_every_concept_has_phrases_here(content: Content) -> None:
    pack = content.pack
    assert set(PHRASES) == set(pack.red_flags.concepts)
    for concept, (level, _) in PHRASES.items():
        assert pack.red_flags.concepts[concept].level is level


@pytest.mark.parametrize(("concept", "level", "phrase"), FLAT)
def test_each_phrase_alone_is_its_concept(
    content: Content, concept: str, level: Level, phrase: str
) -> None:
    pack = content.pack
    assert concept in pack.red_flags.detect(phrase).concepts, pack.red_flags.explain(phrase)


@functools.cache
def _not_typos_of(root: Path) -> frozenset[str]:
    data = load_yaml((root / "red_flags.yaml").read_text(encoding="utf-8"))
    return frozenset(str(w) for w in data.get("not_typos", []))


def _not_typos(pack: ContentPack) -> frozenset[str]:
    return _not_typos_of(pack.root)
