"""answers.inline_answers: the core's choice first, more matching topics after, every one
carrying the red flags of the question."""

from __future__ import annotations

from tgbot.core.answers import Outcome, answer_for, inline_answers
from tgbot.core.content import ContentPack

QUESTION = "Why does my baby twitch in her sleep?"


def test_first_answer_is_the_cores_own_choice(pack: ContentPack) -> None:
    assert inline_answers(QUESTION, pack)[0].topic_id == answer_for(QUESTION, pack).topic_id


def test_answers_are_distinct_topics_within_the_limit(pack: ContentPack) -> None:
    for limit in (1, 2, 5):
        answers = inline_answers("baby jerks twitching sleep newborn", pack, limit=limit)
        ids = [a.topic_id for a in answers]
        assert len(ids) <= limit
        assert len(set(ids)) == len(ids)


def test_every_answer_carries_the_questions_red_flag(
    pack: ContentPack, emergency_text: str
) -> None:
    answers = inline_answers(emergency_text, pack)
    assert answers
    assert all(a.level is not None and a.reply.emergency_prompt for a in answers)


def test_nothing_readable_gives_no_answers(pack: ContentPack) -> None:
    assert inline_answers("🙂🙂🙂 ...", pack) == []


def test_an_unmatched_question_gives_the_fallback(pack: ContentPack) -> None:
    [only] = inline_answers("Где купить велосипед", pack)
    assert only.outcome is Outcome.FALLBACK


def test_a_zero_limit_gives_nothing(pack: ContentPack) -> None:
    assert inline_answers(QUESTION, pack, limit=0) == []
