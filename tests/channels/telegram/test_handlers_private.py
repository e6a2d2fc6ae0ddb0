"""Private chat: commands, questions, deep links, odd input, flood guard and Telegram errors."""

from __future__ import annotations

import logging

import pytest
from conftest import Harness, make_settings
from tgfakes import PRIVATE_USER, Failure, message_update

from tgbot.channels.telegram import outbox
from tgbot.channels.telegram.render import render_text
from tgbot.core.answers import Outcome
from tgbot.core.content import ContentLibrary, ContentPack
from tgbot.stats.events import AskPath, Channel

QUESTION = "Why does my baby twitch in her sleep?"


async def test_start_sends_welcome_disclaimer_and_topic_menu(
    harness: Harness, pack: ContentPack
) -> None:
    await harness.send(message_update("/start"))
    [reply] = harness.api.sent
    assert reply.text.startswith(render_text(pack.text("welcome")))
    assert pack.text("disclaimer") in reply.text
    assert {b["callback_data"] for b in reply.buttons()} == {f"t:{t}" for t in pack.topics}


async def test_start_with_a_topic_id_opens_that_topic(harness: Harness, pack: ContentPack) -> None:
    await harness.send(message_update("/start infantile-spasms"))
    [reply] = harness.api.sent
    assert pack.topic("infantile-spasms").title in reply.text  # type: ignore[union-attr]
    [recorded] = harness.stats.answers
    assert (recorded.path, recorded.answer.topic_id) == (AskPath.DEEP_LINK, "infantile-spasms")


@pytest.mark.parametrize(
    "payload",
    ["unknown-topic", "../../etc/passwd", "<b>x</b>", "INFANTILE-SPASMS", "a" * 65, "x y"],
)
async def test_start_with_a_bad_payload_gets_the_normal_welcome(
    harness: Harness, pack: ContentPack, payload: str
) -> None:
    await harness.send(message_update(f"/start {payload}"))
    [reply] = harness.api.sent
    assert reply.text.startswith(render_text(pack.text("welcome")))
    assert harness.stats.answers == []


async def test_help_explains_how_to_ask(harness: Harness, pack: ContentPack) -> None:
    await harness.send(message_update("/help"))
    [reply] = harness.api.sent
    assert "/topics" in reply.text
    assert "@ParentsHelperBot" in reply.text


async def test_about_names_the_curation_and_sources(harness: Harness, pack: ContentPack) -> None:
    await harness.send(message_update("/about"))
    assert harness.api.sent[0].text == render_text(pack.text("about"))


async def test_privacy_states_the_configured_retention(harness: Harness) -> None:
    await harness.send(message_update("/privacy"))
    text = harness.api.sent[0].text
    assert "180 days" in text
    assert "never stored" in text
    assert "{" not in text  # every placeholder filled


async def test_privacy_says_so_when_statistics_are_off(
    tmp_path: object, content_dir: object, content_library: ContentLibrary
) -> None:
    from pathlib import Path

    from telegram import Update
    from tgfakes import RecordingRequest

    from tgbot.channels.telegram.app import build_application, build_services

    settings = make_settings(Path(str(tmp_path)), Path(str(content_dir)), stats_enabled=False)
    api = RecordingRequest()
    services = build_services(settings, content_library)
    app = build_application(settings, services, request=api, with_updater=False)
    async with app:
        await app.process_update(Update.de_json(message_update("/privacy"), app.bot))
    text = api.sent[0].text
    assert content_library.default.text("privacy_stats_off") in text
    assert "180 days" not in text


async def test_emergency_shows_the_emergency_prompt_first(
    harness: Harness, pack: ContentPack
) -> None:
    await harness.send(message_update("/emergency"))
    text = harness.api.sent[0].text
    assert text.startswith("<b>" + render_text(pack.text("emergency_prompt")))
    assert "What to do right now" in text


async def test_topics_shows_the_menu(harness: Harness, pack: ContentPack) -> None:
    await harness.send(message_update("/topics"))
    [reply] = harness.api.sent
    assert len(reply.buttons()) == len(pack.topics)


async def test_any_text_is_a_question_answered_by_the_core(
    harness: Harness, pack: ContentPack
) -> None:
    await harness.send(message_update(QUESTION))
    [reply] = harness.api.sent
    assert "Why babies twitch in their sleep" in reply.text
    [recorded] = harness.stats.answers
    assert (recorded.channel, recorded.path) == (Channel.PRIVATE, AskPath.FREE_TEXT)
    assert recorded.user_id == PRIVATE_USER["id"]


async def test_answer_carries_related_topics_and_feedback_buttons(harness: Harness) -> None:
    await harness.send(message_update(QUESTION))
    datas = [b["callback_data"] for b in harness.api.sent[0].buttons() if "callback_data" in b]
    event_id = harness.stats.answers[0].event_id
    assert "t:newborn-jitters" in datas
    assert datas[-2:] == [f"f:{event_id}:1", f"f:{event_id}:0"]


async def test_private_answers_are_not_sent_as_replies(harness: Harness) -> None:
    await harness.send(message_update(QUESTION))
    assert "reply_parameters" not in harness.api.sent[0].params


async def test_ask_command_answers_its_question(harness: Harness) -> None:
    await harness.send(message_update("/ask " + QUESTION))
    assert "Why babies twitch in their sleep" in harness.api.sent[0].text
    assert harness.stats.answers[0].path is AskPath.ASK_COMMAND


async def test_ask_without_a_question_explains_how(harness: Harness, pack: ContentPack) -> None:
    await harness.send(message_update("/ask"))
    assert harness.api.sent[0].text == render_text(pack.text("ask_howto"))
    assert harness.stats.answers == []


async def test_unknown_command_gets_the_help_hint(harness: Harness, pack: ContentPack) -> None:
    await harness.send(message_update("/frobnicate now"))
    assert harness.api.sent[0].text == render_text(pack.text("unknown_command"))


async def test_sticker_gets_a_calm_request_for_text(harness: Harness, pack: ContentPack) -> None:
    sticker = {
        "file_id": "s1",
        "file_unique_id": "u1",
        "type": "regular",
        "width": 512,
        "height": 512,
        "is_animated": False,
        "is_video": False,
    }
    await harness.send(message_update(None, sticker=sticker))
    assert harness.api.sent[0].text == render_text(pack.text("text_only"))


async def test_voice_message_gets_a_calm_request_for_text(
    harness: Harness, pack: ContentPack
) -> None:
    voice = {"file_id": "v1", "file_unique_id": "u2", "duration": 3}
    await harness.send(message_update(None, voice=voice))
    assert harness.api.sent[0].text == render_text(pack.text("text_only"))


async def test_photo_caption_is_read_as_the_question(harness: Harness) -> None:
    photo = [{"file_id": "p1", "file_unique_id": "u3", "width": 10, "height": 10}]
    await harness.send(message_update(None, photo=photo, caption=QUESTION))
    assert "Why babies twitch in their sleep" in harness.api.sent[0].text


@pytest.mark.parametrize(
    "text",
    [
        "   ",
        "😀" * 500,
        "\x00\x01\x02\u200b\u202e",
        "<script>alert(1)</script> &amp; <b>",
        "x" * 4096,
        "Мой ребёнок дёргается во сне",
        "赤ちゃんがけいれんしています",
        "ﷺ" * 300,
        "\ud83d",  # a lone surrogate, as a broken client might send
    ],
)
async def test_odd_input_gets_one_calm_reply(harness: Harness, text: str) -> None:
    await harness.send(message_update(text, entities=False))
    [reply] = harness.api.sent
    assert "<script>" not in reply.text
    assert reply.text.strip()


async def test_html_in_a_question_is_never_echoed_unescaped(harness: Harness) -> None:
    await harness.send(message_update("<b>why</b> does my baby twitch in her sleep?"))
    assert "<b>why</b>" not in harness.api.sent_text()


async def test_message_without_a_sender_is_handled(harness: Harness) -> None:
    await harness.send(message_update(QUESTION, user=None, chat={"id": 77, "type": "private"}))
    assert len(harness.api.sent) == 1
    assert harness.stats.answers[0].user_id is None


async def test_edited_messages_without_a_red_flag_are_ignored(harness: Harness) -> None:
    await harness.send(message_update(QUESTION, kind="edited_message", edit_date=1))
    await harness.send(message_update("/stats", kind="edited_message", edit_date=1))
    assert harness.api.calls == []


async def test_channel_posts_are_ignored(harness: Harness) -> None:
    channel = {"id": -100555, "type": "channel", "title": "News"}
    await harness.send(message_update(QUESTION, user=None, chat=channel, kind="channel_post"))
    assert harness.api.calls == []
    assert harness.stats.answers == []


async def test_our_own_inline_result_posted_back_is_not_answered(harness: Harness) -> None:
    via = {"id": 123456789, "is_bot": True, "first_name": "Parents Helper"}
    await harness.send(message_update(QUESTION, via_bot=via))
    assert harness.api.calls == []


async def test_more_than_ten_questions_a_minute_get_one_slow_down(
    harness: Harness, pack: ContentPack
) -> None:
    for _ in range(13):
        await harness.send(message_update(QUESTION))
    texts = [c.text for c in harness.api.sent]
    assert len(texts) == 11
    assert texts[-1] == render_text(pack.text("slow_down"))
    assert len(harness.stats.answers) == 10


async def test_flood_guard_never_silences_a_red_flag(
    harness: Harness, pack: ContentPack, emergency_text: str
) -> None:
    for _ in range(12):
        await harness.send(message_update(QUESTION))
    harness.api.clear()
    await harness.send(message_update(emergency_text))
    assert render_text(pack.text("emergency_prompt")) in harness.api.sent[0].text


async def test_user_who_blocked_the_bot_is_dropped_quietly(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    harness.api.fail_next("sendMessage", Failure(403, "Forbidden: bot was blocked by the user"))
    with caplog.at_level(logging.INFO):
        await harness.send(message_update(QUESTION))
    assert "event=forbidden handler=outbox" in caplog.text


async def test_server_error_while_sending_is_logged_and_survived(
    harness: Harness, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Every attempt fails (a single 500 is retried and delivered: test_delivery_retry.py).
    monkeypatch.setattr(outbox, "BACKOFF", (0.0,))
    for _ in range(outbox.MAX_ATTEMPTS):
        harness.api.fail_next("sendMessage", Failure(500, "Internal Server Error"))
    await harness.send(message_update(QUESTION))
    assert "event=send_failed error=NetworkError attempts=3" in caplog.text
    harness.api.clear()
    await harness.send(message_update(QUESTION))
    assert len(harness.api.sent) == 1


async def test_flood_wait_is_retried_after_retry_after(harness: Harness) -> None:
    harness.api.fail_next(
        "sendMessage", Failure(429, "Too Many Requests: retry after 1", {"retry_after": 1})
    )
    await harness.send(message_update(QUESTION))
    assert len(harness.api.sent) == 2  # refused once, then delivered
    assert harness.stats.answers[0].answer.outcome is Outcome.ANSWERED


async def test_logs_never_hold_ids_names_or_the_question(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    user = {**PRIVATE_USER, "username": "maria_k", "last_name": "Kowalska"}
    with caplog.at_level(logging.DEBUG, logger="tgbot"):
        await harness.send(message_update("My Lena twitches in her sleep, why?", user=user))
    assert "event=answer" in caplog.text
    for secret in ("5550001", "Maria", "maria_k", "Kowalska", "Lena", "twitches in her sleep"):
        assert secret not in caplog.text
