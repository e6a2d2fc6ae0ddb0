"""Fuzzing the core's answer function and the Telegram HTML renderer with hypothesis.

Arbitrary text of every Unicode category (lone surrogates included: Python strings hold them),
and red-flag phrases embedded in noise. Properties: answer_for never raises, every rendered
message is HTML Telegram accepts and fits in one message, and whenever the detector flags the
text the reply carries the prompts, the emergency prompt first.

Examples per test: 200 by default (CI); HYPOTHESIS_PROFILE=long runs 5,000, as in
test_safety_properties.py (the same profile names, no global registration).
"""

from __future__ import annotations

import os

import pytest
from fakebotapi import parse_html
from hostile_inputs import EMERGENCY_PHRASE, URGENT_PHRASE, assert_telegram_html
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tgbot.channels.telegram.render import answer_blocks, fit_html, render_answer
from tgbot.core.answers import Answer, answer_for, inline_answers, render_plain
from tgbot.core.content import DEFAULT_CONTENT_DIR, load_content
from tgbot.core.model import Level
from tgbot.core.ui_texts import UI_TEXTS

# No example database: a failure prints its example, which is enough to reproduce it.
_PROFILES = {
    name: settings(
        max_examples=examples,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )
    for name, examples in (("ci", 200), ("long", 5_000))
}
PROFILE = _PROFILES.get(os.environ.get("HYPOTHESIS_PROFILE", "ci"), _PROFILES["ci"])

PACK = load_content(DEFAULT_CONTENT_DIR, required_texts=UI_TEXTS).default

# Red-flag phrases, each checked against the real rules below so a rule change fails clearly.
FLAGGED: tuple[tuple[str, Level], ...] = (
    (EMERGENCY_PHRASE, Level.EMERGENCY),
    ("he went blue and floppy", Level.EMERGENCY),
    ("she has been fitting for 10 minutes", Level.EMERGENCY),
    (URGENT_PHRASE, Level.URGENT),
    ("she keeps bending forward in clusters", Level.URGENT),
)

PHRASES = [phrase for phrase, _ in FLAGGED]

# Every category, surrogates (Cs) included: st.characters() leaves them out unless told.
ANY_CHAR = st.characters(exclude_categories=())
ANY_TEXT = st.text(ANY_CHAR, max_size=600)
# Noise that cannot glue onto a phrase's words: no letters, digits or marks.
NOISE_CHAR = st.characters(
    categories=("P", "S", "Z", "Cc", "Cf", "Co", "Cn", "Cs"),
)
NOISE = st.text(NOISE_CHAR, max_size=80)
MARKUP = st.sampled_from(
    ["<b>", "</b>", "</a>", "<a href='x'>", "&", "&amp;", "&#0;", "*", "_", "[", "](", "`", "{0}"]
)


def assert_well_formed(answer: Answer) -> None:
    """The answer renders to valid Telegram HTML in every channel and carries its prompts."""
    plain = render_plain(answer)
    assert plain.strip()
    private = render_answer(answer, related_as_text=False)
    group = render_answer(answer, related_as_text=True)
    inline = fit_html(answer_blocks(answer, related_as_text=True))
    for message in [*private, *group, inline]:
        assert_telegram_html(message)
    flags = answer.text_flags
    if flags.level is not None:
        # Whatever the matcher chose, the detector's level is the floor of the reply's.
        assert answer.level is not None
        assert answer.level.rank >= flags.level.rank
    # One prompt per reply: the doctor prompt for urgent, the emergency prompt alone for
    # emergencies.
    if answer.level is Level.URGENT:
        assert PACK.text("doctor_prompt") in plain
        assert PACK.text("emergency_prompt") not in plain
    if answer.level is Level.EMERGENCY:
        assert PACK.text("doctor_prompt") not in plain
        emergency = PACK.text("emergency_prompt")
        assert plain.startswith(emergency)
        for first in (private[0], group[0], inline):
            assert parse_html(first).text.startswith(emergency[:60])


def test_the_fuzzed_phrases_are_red_flags_under_the_real_rules() -> None:
    for phrase, level in FLAGGED:
        assert answer_for(phrase, PACK).level is level, PACK.red_flags.explain(phrase)


@PROFILE
@given(text=ANY_TEXT)
def test_any_text_gets_a_well_formed_answer(text: str) -> None:
    assert_well_formed(answer_for(text, PACK))


@PROFILE
@given(text=st.text(ANY_CHAR, max_size=256))
def test_any_inline_query_gets_well_formed_answers(text: str) -> None:
    answers = inline_answers(text, PACK)
    assert len(answers) <= 5
    for answer in answers:
        assert_well_formed(answer)


@PROFILE
@given(
    parts=st.lists(
        st.one_of(ANY_TEXT, MARKUP, st.sampled_from([p for p, _ in FLAGGED])), max_size=8
    )
)
def test_markup_and_red_flags_mixed_into_any_text(parts: list[str]) -> None:
    assert_well_formed(answer_for(" ".join(parts), PACK))


@PROFILE
@given(
    flagged=st.sampled_from(FLAGGED),
    before=NOISE,
    after=NOISE,
    markup=st.lists(MARKUP, max_size=4),
    upper=st.booleans(),
)
def test_a_red_flag_in_noise_is_always_flagged_and_prompted(
    flagged: tuple[str, Level], before: str, after: str, markup: list[str], upper: bool
) -> None:
    phrase, level = flagged
    text = f"{before} {''.join(markup)} {phrase.upper() if upper else phrase} {after}"
    answer = answer_for(text, PACK)
    assert answer.level is not None, PACK.red_flags.explain(text)
    assert answer.level.rank >= level.rank
    assert_well_formed(answer)


@PROFILE
@given(flagged=st.sampled_from(FLAGGED), before=ANY_TEXT, after=ANY_TEXT)
def test_a_red_flag_as_its_own_sentence_in_any_text_is_prompted(
    flagged: tuple[str, Level], before: str, after: str
) -> None:
    phrase, level = flagged
    answer = answer_for(f"{before}\n\n{phrase}.\n\n{after}", PACK)
    # Arbitrary text around may add flags (a higher level), never remove this one.
    assert answer.level is not None, PACK.red_flags.explain(phrase)
    assert answer.level.rank >= level.rank
    assert_well_formed(answer)


@PROFILE
@given(topic=st.sampled_from(sorted(PACK.topics)), text=ANY_TEXT)
def test_every_topic_with_any_question_renders_well(topic: str, text: str) -> None:
    assert_well_formed(answer_for(text, PACK, topic_id=topic))


@pytest.mark.parametrize("limit", [64, 200, 1000, 4096])
@PROFILE
@given(text=ANY_TEXT)
def test_splitting_respects_any_limit(limit: int, text: str) -> None:
    answer = answer_for(text, PACK)
    for message in render_answer(answer, related_as_text=False, limit=limit):
        assert len(message.encode("utf-16-le", "surrogatepass")) // 2 <= limit
        parse_html(message)
