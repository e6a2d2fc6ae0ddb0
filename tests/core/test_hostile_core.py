"""Hostile input against the core and its renderers: answer_for, render_plain, the Telegram
HTML renderer and inline answers, with the real content.

Every text of the corpus (tests/hostile_inputs.py) gets a calm Answer in bounded time, every
rendered message is HTML Telegram accepts, the reply never echoes what the user wrote, and a
red-flag phrase wrapped in noise still brings its prompts, the emergency prompt first.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from conftest import write_fixture_content
from fakebotapi import parse_html
from hostile_inputs import (
    EMERGENCY_PHRASE,
    HOSTILE_TEXTS,
    URGENT_PHRASE,
    assert_telegram_html,
    emoji_samples,
    noisy_wrappings,
)

from tgbot.channels.telegram.render import answer_blocks, fit_html, render_answer
from tgbot.core.answers import Answer, Outcome, answer_for, inline_answers, render_plain
from tgbot.core.content import DEFAULT_CONTENT_DIR, ContentError, ContentPack, load_content
from tgbot.core.model import Level
from tgbot.core.ui_texts import UI_TEXTS

# Generous for a shared 2-core CI machine: the core answers a 100,000-character text in tens
# of milliseconds; a quadratic step would take seconds or minutes.
HUGE_TEXT_SECONDS = 3.0
CORPUS_TEXT_SECONDS = 1.0


@pytest.fixture(scope="module")
def real_pack() -> ContentPack:
    """The curated content the bot ships with (long bodies: splitting really happens)."""
    return load_content(DEFAULT_CONTENT_DIR, required_texts=UI_TEXTS).default


def rendered(answer: Answer) -> list[str]:
    """Every HTML message the Telegram layer could send for this answer."""
    private = render_answer(answer, related_as_text=False)
    group = render_answer(answer, related_as_text=True)
    inline = [fit_html(answer_blocks(answer, related_as_text=True))]
    return private + group + inline


def assert_calm(answer: Answer, pack: ContentPack) -> None:
    """An answer of the core: well-formed in every channel, with the prompts its level needs."""
    assert isinstance(answer.outcome, Outcome)
    plain = render_plain(answer)
    assert plain.strip()
    assert pack.text("disclaimer") in plain
    messages = rendered(answer)
    assert messages
    for message in messages:
        assert_telegram_html(message)
    # One prompt per reply: the doctor prompt for urgent, the emergency prompt alone for
    # emergencies.
    if answer.level is Level.URGENT:
        assert pack.text("doctor_prompt") in plain
    if answer.level is Level.EMERGENCY:
        assert pack.text("doctor_prompt") not in plain
        emergency = pack.text("emergency_prompt")
        assert plain.startswith(emergency)
        for first in (render_answer(answer, related_as_text=False)[0], messages[-1]):
            assert parse_html(first).text.startswith(emergency[:60])


@pytest.mark.parametrize("name", sorted(HOSTILE_TEXTS))
def test_every_hostile_text_gets_a_calm_well_formed_answer(
    real_pack: ContentPack, name: str
) -> None:
    text = HOSTILE_TEXTS[name]
    started = time.perf_counter()
    answer = answer_for(text, real_pack)
    assert time.perf_counter() - started < CORPUS_TEXT_SECONDS
    assert answer.question == text
    assert_calm(answer, real_pack)


@pytest.mark.parametrize("name", sorted(HOSTILE_TEXTS))
def test_inline_answers_to_hostile_text_are_well_formed(real_pack: ContentPack, name: str) -> None:
    text = HOSTILE_TEXTS[name][:256]  # an inline query holds at most 256 characters
    answers = inline_answers(text, real_pack)
    assert len(answers) <= 5
    for answer in answers:
        assert_calm(answer, real_pack)


@pytest.mark.parametrize(("block", "sample"), sorted(emoji_samples().items()))
def test_every_emoji_block_gets_a_calm_answer(
    real_pack: ContentPack, block: str, sample: str
) -> None:
    for text in (sample, sample * 50, f"my baby {sample} twitches {sample}?"):
        assert_calm(answer_for(text, real_pack), real_pack)


# Markers of texts a reply must never repeat: what the user writes is never shown back, so it
# can neither break the HTML nor make the bot say something on an attacker's behalf.
ECHO_MARKERS = {
    "html-tags": ("<script>", "&lt;script&gt;", "javascript:"),
    "sql-injection": ("DROP TABLE", "sqlite_master"),
    "format-strings": ("%(name)s", "{emergency_number}", "{bot_username}", "{0}"),
    "format-attribute": ("__class__", "__import__", "$(id)"),
    "path-traversal": ("/etc/passwd", "/proc/self"),
    "shell-metachars": ("rm -rf", "$TELEGRAM_BOT_TOKEN"),
    "bot-token-shape": ("AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw0",),
    "json-looking": ('"update_id"',),
    "escape-sequences": ("\x1b",),
    "nul": ("\x00",),
}


@pytest.mark.parametrize("name", sorted(ECHO_MARKERS))
def test_a_reply_never_echoes_what_the_user_wrote(real_pack: ContentPack, name: str) -> None:
    answer = answer_for(HOSTILE_TEXTS[name], real_pack)
    outputs = [render_plain(answer), *rendered(answer)]
    for marker in ECHO_MARKERS[name]:
        assert not any(marker in out for out in outputs), marker


HUGE_TEXTS = {
    "words": ("why does my baby twitch in her sleep " * 3000)[:100_000],
    "one-word": "a" * 100_000,
    "emoji": "\U0001f62d" * 100_000,
    "combining-marks": "\u0301" * 100_000,
    "angle-brackets": "<" * 100_000,
    "digits": "7" * 100_000,
    "mixed": ("baby 宝宝 <b>&amp; \u200d\u202e %s {0} " * 5000)[:100_000],
    "newlines": "\n" * 100_000,
}


@pytest.mark.parametrize("name", sorted(HUGE_TEXTS))
def test_a_100000_character_text_is_answered_in_bounded_time(
    real_pack: ContentPack, name: str
) -> None:
    text = HUGE_TEXTS[name]
    assert len(text) == 100_000
    started = time.perf_counter()
    answer = answer_for(text, real_pack)
    inline = inline_answers(text, real_pack)
    elapsed = time.perf_counter() - started
    assert elapsed < HUGE_TEXT_SECONDS, f"{elapsed:.2f} s"
    assert_calm(answer, real_pack)
    for extra in inline:
        assert_calm(extra, real_pack)


def test_a_red_flag_at_the_start_of_a_100000_character_text_is_seen(
    real_pack: ContentPack,
) -> None:
    text = (EMERGENCY_PHRASE + ". " + "and then he sleeps " * 6000)[:100_000]
    answer = answer_for(text, real_pack)
    assert answer.level is Level.EMERGENCY
    assert_calm(answer, real_pack)


@pytest.mark.parametrize(("phrase", "level"), [(EMERGENCY_PHRASE, Level.EMERGENCY)])
def test_the_corpus_red_flag_phrases_are_flagged_by_the_real_rules(
    real_pack: ContentPack, phrase: str, level: Level
) -> None:
    assert answer_for(phrase, real_pack).level is level
    assert answer_for(URGENT_PHRASE, real_pack).level is Level.URGENT


@pytest.mark.parametrize(
    ("phrase", "level"),
    [(EMERGENCY_PHRASE, Level.EMERGENCY), (URGENT_PHRASE, Level.URGENT)],
    ids=["emergency", "urgent"],
)
@pytest.mark.parametrize("wrapping", [name for name, _ in noisy_wrappings("x")])
def test_a_red_flag_wrapped_in_hostile_noise_still_brings_its_prompts(
    real_pack: ContentPack, phrase: str, level: Level, wrapping: str
) -> None:
    text = dict(noisy_wrappings(phrase))[wrapping]
    answer = answer_for(text, real_pack)
    assert answer.level is not None, real_pack.red_flags.explain(text)
    assert answer.level.rank >= level.rank
    assert_calm(answer, real_pack)
    for inline in inline_answers(text[:256], real_pack):
        if wrapping not in ("long-prefix", "long-suffix", "all-emoji"):  # cut at 256 chars
            assert inline.level is not None
            assert inline.level.rank >= level.rank
        assert_calm(inline, real_pack)


# --- Hostile content: an editor's mistake or a malicious edit of content/ ------------------------

HOSTILE_BODY = (
    "<script>alert(1)</script> </b></a> & &amp; <i>unclosed *bold _under [link](javascript:x)\n\n"
    "- {emergency_number} %s {0}\n- \x1b[31m \u202e rtl \u202c\n\n" + "x" * 900
)


def test_hostile_html_in_a_topic_body_is_escaped_never_sent_as_markup(tmp_path: Path) -> None:
    root = write_fixture_content(tmp_path / "content")
    topic = root / "topics" / "newborn-jitters.md"
    text = topic.read_text(encoding="utf-8")
    head, _, _ = text.rpartition("---\n")
    topic.write_text(head + "---\n" + HOSTILE_BODY + "\n", encoding="utf-8")
    pack = load_content(root).default
    answer = answer_for("", pack, topic_id="newborn-jitters")
    messages = rendered(answer)
    for message in messages:
        assert_telegram_html(message)
        assert "<script>" not in message
    shown = "".join(parse_html(m).text for m in render_answer(answer, related_as_text=False))
    assert "<script>alert(1)</script>" in shown  # shown as the text it is, harmlessly


def test_a_source_link_must_be_https(tmp_path: Path) -> None:
    root = write_fixture_content(tmp_path / "content")
    topic = root / "topics" / "newborn-jitters.md"
    topic.write_text(
        topic.read_text(encoding="utf-8").replace(
            "https://example.org/source?a=1&b=2", "javascript:alert(1)"
        ),
        encoding="utf-8",
    )
    with pytest.raises(ContentError):
        load_content(root)
