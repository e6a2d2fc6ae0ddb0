"""answer_for composes the reply: prompts on every red flag, whatever the matcher decides."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from tgbot.core.answers import Outcome, answer_for, render_plain
from tgbot.core.content import ContentPack, load_content
from tgbot.core.matching import Match
from tgbot.core.model import NO_RED_FLAG, Level, RedFlagResult
from tgbot.core.redflags import RedFlagRules


class StubIndex:
    """A matcher that returns a fixed decision (or raises), to test composition alone."""

    def __init__(self, match: Match | None = None, error: Exception | None = None) -> None:
        self._match = match or Match(None, 0.0)
        self._error = error

    def match(self, text: str) -> Match:
        if self._error:
            raise self._error
        return self._match


class StubRules:
    """A red-flag detector with a fixed result (or an error)."""

    def __init__(
        self,
        result: RedFlagResult = NO_RED_FLAG,
        error: Exception | None = None,
        real: RedFlagRules | None = None,
    ):
        self._result = result
        self._error = error
        self._real = real
        self.concepts = real.concepts if real else {}

    def detect(self, text: str) -> RedFlagResult:
        if self._error:
            raise self._error
        return self._result

    def topic_for(self, result: RedFlagResult) -> str | None:
        return self._real.topic_for(result) if self._real else None


@pytest.fixture(scope="module")
def real_pack() -> ContentPack:
    return load_content().default


def pack_with(
    real: ContentPack,
    match: Match | None = None,
    flags: RedFlagResult = NO_RED_FLAG,
    **errors: Exception,
) -> ContentPack:
    return dataclasses.replace(
        real,
        index=StubIndex(match, errors.get("match_error")),  # type: ignore[arg-type]
        red_flags=StubRules(flags, errors.get("detect_error"), real.red_flags),  # type: ignore[arg-type]
    )


EMERGENCY = RedFlagResult(Level.EMERGENCY, ("not-breathing",))
URGENT = RedFlagResult(Level.URGENT, ("fever",))


def a_plain_topic(pack: ContentPack) -> str:
    return next(
        t.id
        for t in pack.topics.values()
        if not t.red_flag and not t.reassuring and t.id != pack.red_flag_topic
    )


def test_confident_match_answers_with_title_body_sources_disclaimer(
    real_pack: ContentPack,
) -> None:
    topic_id = a_plain_topic(real_pack)
    answer = answer_for("question", pack_with(real_pack, Match(topic_id, 0.9)))
    text = render_plain(answer)
    topic = real_pack.topics[topic_id]
    assert answer.outcome is Outcome.ANSWERED
    assert answer.topic_id == topic_id
    assert topic.title in text
    assert topic.sources[0].title in text
    assert real_pack.texts["disclaimer"] in text
    assert answer.level is None
    assert real_pack.texts["doctor_prompt"] not in text


def test_emergency_prompt_comes_first_and_is_the_only_prompt(real_pack: ContentPack) -> None:
    # One prompt per reply (safety-net issue, 4d): "a reason to see a doctor soon" after
    # "call now" would read as permission to wait.
    topic_id = a_plain_topic(real_pack)
    answer = answer_for("q", pack_with(real_pack, Match(topic_id, 0.9), EMERGENCY))
    text = render_plain(answer)
    assert answer.level is Level.EMERGENCY
    assert text.startswith(real_pack.texts["emergency_prompt"])
    assert real_pack.texts["doctor_prompt"] not in text


def test_red_flag_with_no_match_shows_the_red_flag_topic(
    real_pack: ContentPack,
) -> None:
    answer = answer_for("q", pack_with(real_pack, Match(None, 0.1), URGENT))
    assert answer.topic_id == real_pack.red_flag_topic
    assert real_pack.texts["doctor_prompt"] in render_plain(answer)


def test_red_flag_survives_a_matcher_error(real_pack: ContentPack) -> None:
    answer = answer_for("q", pack_with(real_pack, flags=EMERGENCY, match_error=RuntimeError("x")))
    assert answer.level is Level.EMERGENCY
    assert render_plain(answer).startswith(real_pack.texts["emergency_prompt"])


def test_detector_error_fails_towards_caution(real_pack: ContentPack) -> None:
    answer = answer_for("q", pack_with(real_pack, detect_error=RuntimeError("x")))
    assert answer.level is Level.URGENT
    assert real_pack.texts["doctor_prompt"] in render_plain(answer)


def test_red_flag_topic_adds_the_doctor_prompt(real_pack: ContentPack) -> None:
    flagged = next(t.id for t in real_pack.topics.values() if t.red_flag)
    answer = answer_for("q", pack_with(real_pack, Match(flagged, 0.9)))
    assert answer.level is Level.URGENT
    assert answer.text_flags == NO_RED_FLAG
    assert real_pack.texts["doctor_prompt"] in render_plain(answer)


def test_middle_band_lists_suggestions(real_pack: ContentPack) -> None:
    ids = tuple(list(real_pack.topics)[:3])
    answer = answer_for("q", pack_with(real_pack, Match(None, 0.5, suggestions=ids)))
    text = render_plain(answer)
    assert answer.outcome is Outcome.SUGGESTED
    assert answer.suggestion_ids == ids
    assert real_pack.texts["suggestions_intro"] in text
    assert all(real_pack.topics[i].title in text for i in ids)


def test_suggestions_with_a_red_flag_still_carry_the_prompt(real_pack: ContentPack) -> None:
    real_pack = dataclasses.replace(real_pack, red_flag_topic=None)
    ids = tuple(list(real_pack.topics)[:2])
    answer = answer_for("q", pack_with(real_pack, Match(None, 0.5, suggestions=ids), URGENT))
    assert answer.outcome is Outcome.SUGGESTED
    assert real_pack.texts["doctor_prompt"] in render_plain(answer)


def test_no_match_gives_the_kind_fallback(real_pack: ContentPack) -> None:
    answer = answer_for("q", pack_with(real_pack, Match(None, 0.1)))
    assert answer.outcome is Outcome.FALLBACK
    assert real_pack.texts["fallback"] in render_plain(answer)


@pytest.mark.parametrize("text", ["", "   ", "🍼🍼😴", "\x00\x01", "/ask@HelperBot"])
def test_nothing_to_read_gets_the_empty_input_reply(real_pack: ContentPack, text: str) -> None:
    answer = answer_for(text, pack_with(real_pack, Match("should-not-be-used", 1.0)))
    assert answer.outcome is Outcome.EMPTY
    assert real_pack.texts["empty_input"] in render_plain(answer)


def test_deep_link_topic_keeps_the_texts_red_flag(real_pack: ContentPack) -> None:
    topic_id = a_plain_topic(real_pack)
    answer = answer_for("blue lips", pack_with(real_pack, flags=EMERGENCY), topic_id=topic_id)
    assert answer.topic_id == topic_id
    assert answer.level is Level.EMERGENCY


def test_unknown_topic_id_falls_back_calmly(real_pack: ContentPack) -> None:
    answer = answer_for("", pack_with(real_pack), topic_id="no-such-topic")
    assert answer.topic is None
    assert answer.outcome is Outcome.FALLBACK
    assert real_pack.texts["fallback"] in render_plain(answer)


def test_related_topics_are_named_after_the_answer(real_pack: ContentPack) -> None:
    topic = next(t for t in real_pack.topics.values() if t.related)
    answer = answer_for("q", pack_with(real_pack, Match(topic.id, 0.9)))
    assert [r.id for r in answer.reply.related] == list(topic.related)
    assert real_pack.topics[topic.related[0]].title in render_plain(answer)


def test_real_pack_answers_are_pure_functions_of_the_text(real_pack: ContentPack) -> None:
    first = answer_for("what is myoclonus", real_pack)
    second = answer_for("what is myoclonus", real_pack)
    assert first == second


def test_content_file_paths_do_not_leak_into_replies(real_pack: ContentPack) -> None:
    topic_id = a_plain_topic(real_pack)
    text = render_plain(answer_for("q", pack_with(real_pack, Match(topic_id, 0.9))))
    assert str(Path(real_pack.root)) not in text


def test_red_flag_next_to_another_topic_offers_the_warning_signs_topic_first(
    real_pack: ContentPack,
) -> None:
    topic_id = a_plain_topic(real_pack)
    answer = answer_for("q", pack_with(real_pack, Match(topic_id, 0.9), URGENT))
    assert answer.reply.related[0].id == real_pack.red_flag_topic
    assert len({r.id for r in answer.reply.related}) == len(answer.reply.related)


def a_reassuring_topic(pack: ContentPack) -> str:
    return next(t.id for t in pack.topics.values() if t.reassuring)


def test_asserted_red_flag_sets_a_reassuring_match_aside(real_pack: ContentPack) -> None:
    reassuring = a_reassuring_topic(real_pack)
    answer = answer_for("q", pack_with(real_pack, Match(reassuring, 0.9), URGENT))
    assert answer.topic_id == real_pack.red_flag_topic
    assert answer.reply.related[0].id == reassuring
    assert real_pack.texts["doctor_prompt"] in render_plain(answer)


def test_negated_red_flag_keeps_the_reassuring_match_but_still_prompts(
    real_pack: ContentPack,
) -> None:
    reassuring = a_reassuring_topic(real_pack)
    negated = dataclasses.replace(URGENT, asserted=False)
    answer = answer_for("q", pack_with(real_pack, Match(reassuring, 0.9), negated))
    assert answer.topic_id == reassuring
    assert answer.level is Level.URGENT
    assert real_pack.texts["doctor_prompt"] in render_plain(answer)


def test_red_flag_with_no_match_prefers_the_topic_its_concept_names(
    real_pack: ContentPack,
) -> None:
    named = next(c for c in real_pack.red_flags.concepts.values() if c.topic)
    flags = RedFlagResult(named.level, (named.id,))
    answer = answer_for("q", pack_with(real_pack, Match(None, 0.1), flags))
    assert answer.topic_id == named.topic


def test_a_chosen_topic_is_never_its_own_related_button(real_pack: ContentPack) -> None:
    answer = answer_for("q", pack_with(real_pack, Match(real_pack.red_flag_topic, 0.9), URGENT))
    assert real_pack.red_flag_topic not in [r.id for r in answer.reply.related]


def test_an_emergency_sets_a_background_topic_aside_for_what_to_do_now(
    real_pack: ContentPack,
) -> None:
    background = a_plain_topic(real_pack)
    answer = answer_for("q", pack_with(real_pack, Match(background, 0.9), EMERGENCY))
    assert answer.topic_id == real_pack.red_flag_topic
    assert answer.reply.related[0].id == background


def test_an_emergency_keeps_a_topic_that_says_what_to_do(real_pack: ContentPack) -> None:
    acting = next(c.topic for c in real_pack.red_flags.concepts.values() if c.topic)
    assert acting is not None
    answer = answer_for("q", pack_with(real_pack, Match(acting, 0.9), EMERGENCY))
    assert answer.topic_id == acting
