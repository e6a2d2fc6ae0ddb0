"""Rendering answers as Telegram HTML: escaping, order of the prompts, splitting below 4,096
characters with balanced tags, keyboards and callback data."""

from __future__ import annotations

import dataclasses
import html
import re
from html.parser import HTMLParser

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tgbot.channels.telegram.render import (
    MAX_MESSAGE_CHARS,
    FeedbackPress,
    TopicPress,
    answer_blocks,
    answer_keyboard,
    deep_link,
    feedback_data,
    fit_html,
    html_length,
    parse_callback,
    render_answer,
    render_text,
    split_html,
    topic_data,
    topics_keyboard,
    without_feedback,
)
from tgbot.core.answers import Answer, Outcome, Reply, TopicRef, answer_for, render_plain
from tgbot.core.content import ContentPack
from tgbot.core.model import NO_RED_FLAG, Level, Source

ALLOWED_TAGS = {"b", "i", "a"}


class TagChecker(HTMLParser):
    """Fails on unknown tags and unbalanced nesting, as Telegram's HTML parser would."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        assert tag in ALLOWED_TAGS, tag
        self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        assert self.stack[-1:] == [tag], (self.stack, tag)
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def visible(chunk: str) -> str:
    """The text a reader sees, after checking the chunk is well-formed Telegram HTML."""
    checker = TagChecker()
    checker.feed(chunk)
    checker.close()
    assert checker.stack == [], f"unclosed tags {checker.stack}"
    return "".join(checker.text)


def make_answer(
    *,
    heading: str | None = "A heading",
    body: str | None = "A body.",
    emergency: str | None = None,
    doctor: str | None = None,
    related: tuple[TopicRef, ...] = (),
    suggestions: tuple[TopicRef, ...] = (),
    sources: tuple[Source, ...] = (),
    outcome: Outcome = Outcome.ANSWERED,
    message: str | None = None,
) -> Answer:
    reply = Reply(
        emergency_prompt=emergency,
        heading=heading,
        body=body,
        message=message,
        suggestions_intro="Did you mean one of these?" if suggestions else None,
        suggestions=suggestions,
        doctor_prompt=doctor,
        disclaimer="This is general information.",
        sources_label="Sources:",
        sources=sources,
        related_intro="Related:",
        related=related,
    )
    return Answer(
        question="q",
        language="en",
        outcome=outcome,
        topic=None,
        confidence=1.0,
        text_flags=NO_RED_FLAG,
        level=Level.EMERGENCY if emergency else (Level.URGENT if doctor else None),
        reply=reply,
    )


def test_text_from_content_is_escaped() -> None:
    answer = make_answer(heading="<script>&", body="Jerks < 1 s & <b>not</b> bold")
    chunk = render_answer(answer, related_as_text=False)[0]
    assert "&lt;script&gt;&amp;" in chunk
    assert "Jerks &lt; 1 s &amp; &lt;b&gt;not&lt;/b&gt; bold" in chunk
    visible(chunk)


def test_markup_bold_becomes_b_and_bullets_get_a_dot() -> None:
    chunk = render_answer(
        make_answer(body="Some **bold** words.\n\n- first\n- second"), related_as_text=False
    )[0]
    assert "Some <b>bold</b> words." in chunk
    assert "• first\n• second" in chunk


def test_emergency_prompt_comes_first_and_disclaimer_last() -> None:
    answer = make_answer(emergency="Call 112 now.", doctor="See a doctor today.")
    text = visible(render_answer(answer, related_as_text=False)[0])
    assert text.startswith("Call 112 now.")
    assert text.endswith("This is general information.")
    assert text.index("A body.") < text.index("See a doctor today.")


def test_prompts_are_bold() -> None:
    answer = make_answer(emergency="Call 112 now.", doctor="See a doctor today.")
    chunk = render_answer(answer, related_as_text=False)[0]
    assert "<b>Call 112 now.</b>" in chunk
    assert "<b>See a doctor today.</b>" in chunk


def test_visible_text_matches_the_plain_renderer(pack: ContentPack) -> None:
    # Same parts, same order as answers.render_plain (sources are links here, so drop them).
    answer = answer_for("Why does my baby twitch in her sleep?", pack)
    answer = dataclasses.replace(answer, reply=dataclasses.replace(answer.reply, sources=()))
    shown = "\n\n".join(visible(c) for c in render_answer(answer, related_as_text=True))
    assert shown == render_plain(answer)


def test_red_flag_answer_matches_the_plain_renderer(pack: ContentPack, emergency_text: str) -> None:
    answer = answer_for(emergency_text, pack)
    answer = dataclasses.replace(answer, reply=dataclasses.replace(answer.reply, sources=()))
    shown = "\n\n".join(visible(c) for c in render_answer(answer, related_as_text=True))
    assert shown == render_plain(answer)


def test_sources_are_links_with_escaped_urls() -> None:
    answer = make_answer(sources=(Source("NHS", 'https://example.org/a?b=1&c="2"'),))
    chunk = render_answer(answer, related_as_text=False)[0]
    assert '<a href="https://example.org/a?b=1&amp;c=&quot;2&quot;">NHS</a>' in chunk


def test_related_topics_are_text_only_when_asked() -> None:
    answer = make_answer(related=(TopicRef("x", "Another topic"),))
    assert "Another topic" in render_answer(answer, related_as_text=True)[0]
    assert "Another topic" not in render_answer(answer, related_as_text=False)[0]


def test_suggestions_are_listed_in_the_text() -> None:
    answer = make_answer(
        heading=None,
        body=None,
        outcome=Outcome.SUGGESTED,
        suggestions=(TopicRef("a", "Topic A"), TopicRef("b", "Topic B")),
    )
    text = visible(render_answer(answer, related_as_text=False)[0])
    assert "Did you mean one of these?\n• Topic A\n• Topic B" in text


def test_long_answer_is_split_at_paragraphs_below_the_limit() -> None:
    paragraphs = [f"Paragraph {i} " + "word " * 150 for i in range(20)]
    answer = make_answer(body="\n\n".join(paragraphs), emergency="Call now.", doctor="Doctor.")
    chunks = render_answer(answer, related_as_text=False)
    assert len(chunks) > 1
    assert all(html_length(c) <= MAX_MESSAGE_CHARS for c in chunks)
    for chunk in chunks:
        for para in visible(chunk).split("\n\n"):
            # no paragraph is cut: each starts as one of ours (or is a prompt or disclaimer)
            assert para.startswith(("Paragraph", "Call now.", "A heading", "Doctor.", "This is"))
    assert visible(chunks[0]).startswith("Call now.")
    assert visible(chunks[-1]).endswith("This is general information.")


def test_one_huge_bold_paragraph_is_cut_with_balanced_tags() -> None:
    body = "**" + "bold words & more " * 800 + "**"
    chunks = render_answer(make_answer(body=body), related_as_text=False)
    assert len(chunks) > 1
    assert all(html_length(c) <= MAX_MESSAGE_CHARS for c in chunks)
    texts = [visible(c) for c in chunks]
    assert "".join(texts).count("bold words & more") == 800


def test_an_endless_word_is_cut_anywhere() -> None:
    chunks = split_html([(dataclasses_segment("x" * 10_000),)], limit=4096)
    assert [html_length(c) for c in chunks] == [4096, 4096, 1808]


def test_length_counts_utf16_units_like_telegram() -> None:
    chunks = split_html([(dataclasses_segment("👶" * 3000),)], limit=4096)
    assert all(html_length(c) <= 4096 for c in chunks)
    assert sum(len(c) for c in chunks) == 3000


def test_entities_are_never_cut_in_half() -> None:
    chunks = split_html([(dataclasses_segment("&" * 5000),)], limit=4096)
    for chunk in chunks:
        assert re.fullmatch(r"(&amp;)+", chunk)


def dataclasses_segment(text: str):  # type: ignore[no-untyped-def]
    from tgbot.channels.telegram.render import Segment

    return Segment(text)


def test_fit_html_keeps_the_prompts_when_the_answer_is_too_long() -> None:
    answer = make_answer(
        body="\n\n".join("word " * 300 for _ in range(10)),
        emergency="Call now.",
        doctor="See a doctor.",
    )
    one = fit_html(answer_blocks(answer, related_as_text=True))
    assert html_length(one) <= MAX_MESSAGE_CHARS
    text = visible(one)
    assert text.startswith("Call now.")
    assert "See a doctor." in text
    assert text.endswith("This is general information.")
    assert "…" in text


@settings(max_examples=150, deadline=None)
@given(
    heading=st.text(max_size=100),
    body=st.text(max_size=6000),
    emergency=st.one_of(st.none(), st.text(min_size=1, max_size=200)),
)
def test_any_text_renders_to_well_formed_chunks_under_the_limit(
    heading: str, body: str, emergency: str | None
) -> None:
    answer = make_answer(heading=heading or None, body=body or None, emergency=emergency)
    for chunk in render_answer(answer, related_as_text=True):
        assert html_length(chunk) <= MAX_MESSAGE_CHARS
        visible(chunk)


def test_interface_texts_render_with_markup_and_escaping() -> None:
    assert (
        render_text("Use **/ask** <now>\n\n- a\n- b") == "Use <b>/ask</b> &lt;now&gt;\n\n• a\n• b"
    )


# --- Callback data and links ------------------------------------------------------------------


def test_topic_button_data_round_trips() -> None:
    data = topic_data("sleep-twitching")
    assert data == "t:sleep-twitching"
    assert parse_callback(data) == TopicPress("sleep-twitching")


def test_topic_id_too_long_for_callback_data_gets_no_button() -> None:
    assert topic_data("a" * 62) is None
    assert topic_data("a" * 61) is not None
    assert len((topic_data("a" * 61) or "").encode()) == 63


def test_feedback_data_round_trips() -> None:
    data = feedback_data("0123456789ab", True)
    assert data == "f:0123456789ab:1"
    assert parse_callback(data) == FeedbackPress("0123456789ab", True)
    assert parse_callback("f:0123456789ab:0") == FeedbackPress("0123456789ab", False)


@pytest.mark.parametrize(
    "data",
    [
        None,
        "",
        "t:",
        "t:../../etc/passwd",
        "t:Sleep-Twitching",
        "t:sleep twitching",
        "t:sleep-twitching\n",
        "f:0123456789ab:2",
        "f:XYZ:1",
        "f:0123456789ab",
        "x:1",
        "t:" + "a" * 70,
        "💥",
    ],
)
def test_forged_or_unknown_callback_data_is_rejected(data: str | None) -> None:
    assert parse_callback(data) is None


@given(st.text(max_size=80))
def test_parsing_any_callback_data_never_raises(data: str) -> None:
    result = parse_callback(data)
    assert result is None or isinstance(result, TopicPress | FeedbackPress)


def test_deep_link_opens_a_topic() -> None:
    assert deep_link("MyBot", "infantile-spasms") == "https://t.me/MyBot?start=infantile-spasms"


def test_deep_link_drops_a_payload_that_is_not_a_topic_id() -> None:
    assert deep_link("MyBot", "<x>") == "https://t.me/MyBot"
    assert deep_link("MyBot", None) == "https://t.me/MyBot"


# --- Keyboards --------------------------------------------------------------------------------


def buttons(markup: object) -> list[dict[str, str]]:
    assert markup is not None
    data = markup.to_dict()  # type: ignore[attr-defined]
    return [b for row in data["inline_keyboard"] for b in row]


def test_private_answer_has_related_topics_and_feedback(pack: ContentPack) -> None:
    answer = answer_for("Why does my baby twitch in her sleep?", pack)
    kb = buttons(
        answer_keyboard(
            answer, pack, where="private", bot_username="ParentsHelperBot", event_id="0123456789ab"
        )
    )
    datas = [b.get("callback_data") for b in kb]
    assert "t:newborn-jitters" in datas
    assert datas[-2:] == ["f:0123456789ab:1", "f:0123456789ab:0"]
    assert not any("url" in b for b in kb)


def test_group_answer_has_continue_in_private_link(pack: ContentPack) -> None:
    answer = answer_for("Why does my baby twitch in her sleep?", pack)
    kb = buttons(
        answer_keyboard(answer, pack, where="group", bot_username="ParentsHelperBot", event_id=None)
    )
    assert kb[0]["url"] == "https://t.me/ParentsHelperBot?start=sleep-twitching"
    assert kb[0]["text"] == pack.text("continue_private")
    assert not any(str(b.get("callback_data", "")).startswith("t:") for b in kb)


def test_inline_answer_has_only_the_private_link(pack: ContentPack) -> None:
    answer = answer_for("Why does my baby twitch in her sleep?", pack)
    kb = buttons(
        answer_keyboard(
            answer, pack, where="inline", bot_username="ParentsHelperBot", event_id=None
        )
    )
    assert [b["url"] for b in kb] == ["https://t.me/ParentsHelperBot?start=sleep-twitching"]


def test_suggestions_become_topic_buttons(pack: ContentPack) -> None:
    answer = make_answer(
        heading=None,
        body=None,
        outcome=Outcome.SUGGESTED,
        suggestions=(TopicRef("sleep-twitching", "Sleep"), TopicRef("newborn-jitters", "Jitters")),
    )
    kb = buttons(
        answer_keyboard(
            answer, pack, where="private", bot_username="ParentsHelperBot", event_id="a" * 12
        )
    )
    assert [b["callback_data"] for b in kb] == ["t:sleep-twitching", "t:newborn-jitters"]


def test_no_feedback_buttons_without_an_answer(pack: ContentPack) -> None:
    answer = make_answer(heading=None, body=None, outcome=Outcome.FALLBACK, message="Sorry.")
    assert (
        answer_keyboard(
            answer, pack, where="private", bot_username="ParentsHelperBot", event_id="a" * 12
        )
        is None
    )


def test_topic_menu_lists_every_topic(pack: ContentPack) -> None:
    datas = {b["callback_data"] for b in buttons(topics_keyboard(pack))}
    assert datas == {f"t:{t}" for t in pack.topics}


def test_feedback_row_is_removed_after_a_vote(pack: ContentPack) -> None:
    answer = answer_for("Why does my baby twitch in her sleep?", pack)
    kb = answer_keyboard(
        answer, pack, where="private", bot_username="ParentsHelperBot", event_id="a" * 12
    )
    remaining = buttons(without_feedback(kb))
    assert remaining
    assert not any(b.get("callback_data", "").startswith("f:") for b in remaining)


def test_callback_data_of_every_button_fits_telegrams_limit(pack: ContentPack) -> None:
    for topic in pack.topics.values():
        answer = answer_for("", pack, topic_id=topic.id)
        for where in ("private", "group", "inline"):
            kb = answer_keyboard(
                answer, pack, where=where, bot_username="ParentsHelperBot", event_id="f" * 12
            )  # type: ignore[arg-type]
            for b in buttons(kb):
                assert len(b.get("callback_data", "").encode()) < 64


def test_html_escape_helper_is_the_standard_one() -> None:
    # Telegram understands &lt; &gt; &amp; &quot; and numeric entities: html.escape's output.
    assert html.escape("<&>\"'") == "&lt;&amp;&gt;&quot;&#x27;"


def test_a_link_longer_than_the_limit_is_sent_as_plain_text() -> None:
    # Found by hypothesis (test_splitting_respects_any_limit, limit 64): a source link's tag
    # alone is longer than the message, so no split could ever fit it.
    from tgbot.channels.telegram.render import Segment, split_html

    url = "https://www.example.org/" + "a" * 120
    pieces = split_html([(Segment("Source", href=url),)], limit=64)
    assert pieces == ["Source"]
