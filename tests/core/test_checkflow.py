"""The warning-signs check (tgbot/core/checkflow.py) on the shipped content: every step
names a real concept, a yes ends with that concept's prompt at the rules' level, all no ends
with a summary that still carries the emergency line."""

from __future__ import annotations

import pytest

from tgbot.core.checkflow import (
    ALL_CLEAR,
    STEPS,
    CheckEnd,
    CheckQuestion,
    check_question,
    check_reply,
)
from tgbot.core.content import ContentPack, load_content
from tgbot.core.model import Level


@pytest.fixture(scope="module")
def pack() -> ContentPack:
    return load_content().default


def test_every_step_is_a_concept_of_the_rules_with_a_topic(pack: ContentPack) -> None:
    for step in STEPS:
        concept = pack.red_flags.concepts[step.concept]
        assert concept.topic is None or pack.topic(concept.topic) is not None
        assert pack.text(step.text_key).strip()
    assert len({s.id for s in STEPS}) == len(STEPS)
    assert 3 <= len(STEPS) <= 5  # NHS 111 style: a short check


def test_the_emergency_questions_come_first(pack: ContentPack) -> None:
    levels = [pack.red_flags.concepts[s.concept].level for s in STEPS]
    first_urgent = levels.index(Level.URGENT)
    assert all(lv is Level.EMERGENCY for lv in levels[:first_urgent])
    assert all(lv is Level.URGENT for lv in levels[first_urgent:])


def test_the_first_question_carries_the_intro_and_progress(pack: ContentPack) -> None:
    q = check_question(0, pack)
    assert q.text.startswith(pack.text("check_intro"))
    assert pack.text("check_progress", step="1", total=str(len(STEPS))) in q.text
    assert pack.text(STEPS[0].text_key) in q.text
    assert (q.yes_label, q.no_label) == (pack.text("check_yes"), pack.text("check_no"))


def test_a_no_moves_to_the_next_question(pack: ContentPack) -> None:
    for step in range(len(STEPS) - 1):
        nxt = check_reply(step, False, pack)
        assert isinstance(nxt, CheckQuestion)
        assert nxt.step == step + 1
        assert pack.text(STEPS[step + 1].text_key) in nxt.text
        assert pack.text("check_intro") not in nxt.text


@pytest.mark.parametrize("step", range(len(STEPS)))
def test_a_yes_ends_with_the_concepts_prompt(pack: ContentPack, step: int) -> None:
    end = check_reply(step, True, pack)
    assert isinstance(end, CheckEnd)
    assert end.ended_at == STEPS[step].id
    assert end.answer is not None
    concept = pack.red_flags.concepts[STEPS[step].concept]
    assert end.answer.level is concept.level
    assert end.answer.concepts == (concept.id,)
    reply = end.answer.reply
    if concept.level is Level.EMERGENCY:
        assert reply.emergency_prompt == pack.text("emergency_prompt")
        assert reply.emergency_action  # what to do while help comes
    else:
        assert reply.emergency_prompt is None
        assert reply.doctor_prompt == pack.text("doctor_prompt")
    assert end.answer.topic is not None
    assert reply.sources
    assert reply.disclaimer


def test_breathing_gets_breathing_advice_not_seizure_positioning(pack: ContentPack) -> None:
    end = check_reply(0, True, pack)
    assert isinstance(end, CheckEnd)
    assert end.answer is not None
    assert end.answer.reply.emergency_action == pack.text("emergency_action_breathing")


def test_all_no_ends_calmly_but_keeps_the_emergency_line(pack: ContentPack) -> None:
    step: CheckQuestion | CheckEnd = check_question(0, pack)
    while isinstance(step, CheckQuestion):
        step = check_reply(step.step, False, pack)
    assert step.ended_at == ALL_CLEAR
    assert step.answer is None
    assert step.text == pack.text("check_all_clear")
    # Never "all is well": it says when to call and when to see a doctor.
    assert pack.text("emergency_prompt").split("Call ")[1].split(" now")[0] in step.text
    assert "5 minutes" in step.text
    assert "doctor" in step.text


@pytest.mark.parametrize("step", [-1, len(STEPS), 99])
def test_a_step_out_of_range_is_refused(pack: ContentPack, step: int) -> None:
    with pytest.raises(ValueError, match="no check step"):
        check_reply(step, True, pack)
    with pytest.raises(ValueError, match="no check step"):
        check_question(step, pack)
