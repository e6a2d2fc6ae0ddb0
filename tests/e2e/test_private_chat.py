"""A parent's private chat with the real bot: every command, free text, buttons, deep links.

Each test is one step of the scripted conversation, with its own parent, against the bot
process of this module (see conftest.conversation).
"""

from __future__ import annotations

import struct

import pytest
from fakebotapi import FakeUser

from e2e.harness import BOT_USERNAME, Conversation, content_pack, squash
from tgbot.core.content import ContentPack
from tgbot.core.markup import to_plain

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def pack() -> ContentPack:
    return content_pack()


def new_parent(conversation: Conversation) -> FakeUser:
    return conversation.api.user("Parent", language_code="en")


def shows(pack_text: str, shown: str) -> bool:
    """The content text (light markup) appears in what the parent reads."""
    return squash(to_plain(pack_text)) in squash(shown)


def test_start_welcomes_with_the_disclaimer_and_a_topic_menu(
    conversation: Conversation, pack: ContentPack
) -> None:
    reply = conversation.ask(new_parent(conversation), "/start")
    assert shows(pack.text("disclaimer"), reply.text)
    topic_ids = [b["callback_data"].removeprefix("t:") for b in reply.buttons()]
    assert topic_ids
    assert all(pack.topic(t) is not None for t in topic_ids)


def test_start_with_a_topic_id_opens_that_topic(
    conversation: Conversation, pack: ContentPack
) -> None:
    topic = pack.topic("infantile-spasms")
    assert topic is not None
    reply = conversation.ask(new_parent(conversation), "/start infantile-spasms")
    assert squash(topic.title) in squash(reply.text)


@pytest.mark.parametrize(
    "payload", ["no-such-topic", "../../etc/passwd", "<b>x</b>", "a" * 64, "%00"]
)
def test_start_with_an_unknown_or_hostile_payload_gets_the_welcome(
    conversation: Conversation, pack: ContentPack, payload: str
) -> None:
    reply = conversation.ask(new_parent(conversation), f"/start {payload}")
    assert shows(pack.text("disclaimer"), reply.text)


def test_help_explains_how_to_ask_here_and_in_groups(conversation: Conversation) -> None:
    reply = conversation.ask(new_parent(conversation), "/help")
    assert f"/ask@{BOT_USERNAME}" in reply.text


def test_topics_menu_press_shows_that_topic_and_answers_the_press(
    conversation: Conversation, pack: ContentPack
) -> None:
    api = conversation.api
    parent = new_parent(conversation)
    menu = conversation.ask(parent, "/topics")
    button = menu.buttons()[0]
    topic = pack.topic(button["callback_data"].removeprefix("t:"))
    assert topic is not None
    mark = api.mark()
    query_id = api.press_button(parent, menu, text=button["text"])
    answer = conversation.next_message(api.private_chat(parent), mark)
    assert squash(topic.title) in squash(answer.text)
    assert api.wait_for(lambda: api.callback_answer(query_id), what="answerCallbackQuery")


def test_ask_with_a_question_answers_it(conversation: Conversation, pack: ContentPack) -> None:
    topic = pack.topic("infantile-spasms")
    assert topic is not None
    reply = conversation.ask(new_parent(conversation), "/ask what do infantile spasms look like?")
    assert squash(topic.title) in squash(reply.text)


def test_ask_without_a_question_explains_how(conversation: Conversation, pack: ContentPack) -> None:
    reply = conversation.ask(new_parent(conversation), "/ask")
    assert shows(pack.text("ask_howto"), reply.text)


def test_about_says_what_the_bot_is(conversation: Conversation, pack: ContentPack) -> None:
    reply = conversation.ask(new_parent(conversation), "/about")
    assert shows(pack.text("about"), reply.text)


def test_privacy_says_what_is_never_stored(conversation: Conversation) -> None:
    reply = conversation.ask(new_parent(conversation), "/privacy")
    assert "never stored" in reply.text


def test_emergency_puts_the_emergency_prompt_first(
    conversation: Conversation, pack: ContentPack
) -> None:
    reply = conversation.ask(new_parent(conversation), "/emergency")
    assert squash(reply.text).startswith(squash(to_plain(pack.text("emergency_prompt"))))


def test_stats_answers_an_operator(conversation: Conversation, pack: ContentPack) -> None:
    reply = conversation.ask(conversation.operator, "/stats")
    assert not shows(pack.text("unknown_command"), reply.text)


def test_stats_sends_an_operator_the_figures_and_a_png_chart(conversation: Conversation) -> None:
    api = conversation.api
    mark = api.mark()
    reply = conversation.ask(conversation.operator, "/stats")
    assert "7 days" in reply.text
    photo = api.wait_for_call("sendPhoto", since=mark, timeout=30)
    (upload,) = photo.files.values()
    assert upload.data.startswith(b"\x89PNG\r\n\x1a\n")
    width, height = struct.unpack(">II", upload.data[16:24])
    assert (width, height) == (1200, 600)


def test_report_sends_an_operator_the_html_page(conversation: Conversation) -> None:
    api = conversation.api
    mark = api.mark()
    api.send_text(conversation.operator, "/report")
    document = api.wait_for_call("sendDocument", since=mark, timeout=30)
    (upload,) = document.files.values()
    assert upload.data.lstrip().lower().startswith(b"<!doctype html>")


def test_stats_for_anyone_else_is_answered_like_an_unknown_command(
    conversation: Conversation, pack: ContentPack
) -> None:
    stranger = new_parent(conversation)
    stats = conversation.ask(stranger, "/stats")
    unknown = conversation.ask(stranger, "/nosuchcommand")
    assert stats.text == unknown.text
    assert shows(pack.text("unknown_command"), unknown.text)


def test_reload_lets_an_operator_reload_the_content(
    conversation: Conversation, pack: ContentPack
) -> None:
    reply = conversation.ask(conversation.operator, "/reload")
    assert not shows(pack.text("unknown_command"), reply.text)
    assert str(len(pack.topics)) in reply.text


def test_reload_for_anyone_else_is_answered_like_an_unknown_command(
    conversation: Conversation, pack: ContentPack
) -> None:
    reply = conversation.ask(new_parent(conversation), "/reload")
    assert shows(pack.text("unknown_command"), reply.text)


def test_a_forwarded_stats_command_from_an_operator_is_refused(
    conversation: Conversation, pack: ContentPack
) -> None:
    api = conversation.api
    mark = api.mark()
    api.forward_text(conversation.operator, "/stats", origin=conversation.operator)
    reply = conversation.next_message(api.private_chat(conversation.operator), mark)
    assert shows(pack.text("unknown_command"), reply.text)


def test_free_text_is_answered_with_feedback_buttons(
    conversation: Conversation, pack: ContentPack
) -> None:
    reply = conversation.ask(new_parent(conversation), "why does my baby twitch in her sleep?")
    assert shows(pack.text("disclaimer"), reply.text)
    labels = [b["text"] for b in reply.buttons()]
    assert pack.text("feedback_yes") in labels
    assert pack.text("feedback_no") in labels


def test_a_feedback_vote_is_thanked_and_its_buttons_removed(
    conversation: Conversation, pack: ContentPack
) -> None:
    api = conversation.api
    parent = new_parent(conversation)
    reply = conversation.ask(parent, "why does my baby twitch in her sleep?")
    query_id = api.press_button(parent, reply, text=pack.text("feedback_yes"))
    answered = api.wait_for(lambda: api.callback_answer(query_id), what="the vote's answer")
    assert answered.params.get("text") == pack.text("feedback_thanks")
    api.wait_for(lambda: reply.edits or not reply.buttons() or None, what="the markup edit")
    assert all(not b.get("callback_data", "").startswith("f:") for b in reply.buttons())


def test_a_forged_button_gets_a_polite_answer(
    conversation: Conversation, pack: ContentPack
) -> None:
    api = conversation.api
    parent = new_parent(conversation)
    menu = conversation.ask(parent, "/topics")
    query_id = api.press_button(parent, menu, data="t:../../secrets")
    answered = api.wait_for(lambda: api.callback_answer(query_id), what="the press's answer")
    assert answered.params.get("text") == pack.text("unknown_callback")


def test_an_unknown_command_gets_a_hint(conversation: Conversation, pack: ContentPack) -> None:
    reply = conversation.ask(new_parent(conversation), "/frobnicate")
    assert shows(pack.text("unknown_command"), reply.text)


def test_a_sticker_gets_a_calm_request_for_text(
    conversation: Conversation, pack: ContentPack
) -> None:
    api = conversation.api
    parent = new_parent(conversation)
    mark = api.mark()
    api.send_media(parent, "sticker")
    reply = conversation.next_message(api.private_chat(parent), mark)
    assert shows(pack.text("text_only"), reply.text)


def test_a_photo_caption_is_read_as_the_question(
    conversation: Conversation, pack: ContentPack
) -> None:
    api = conversation.api
    parent = new_parent(conversation)
    mark = api.mark()
    api.send_media(parent, "photo", caption="what do infantile spasms look like?")
    reply = conversation.next_message(api.private_chat(parent), mark)
    topic = pack.topic("infantile-spasms")
    assert topic is not None
    assert squash(topic.title) in squash(reply.text)


def test_edited_messages_are_ignored(conversation: Conversation) -> None:
    api = conversation.api
    parent = new_parent(conversation)
    chat = api.private_chat(parent)
    mark = api.mark()
    original = api.send_text(parent, "why does my baby twitch?")
    conversation.next_message(chat, mark)
    mark = api.mark()
    api.edit_text(parent, original, "why does my baby twitch in her sleep?")
    conversation.assert_silent_since(parent, chat, mark)


def test_channel_posts_are_ignored(conversation: Conversation) -> None:
    api = conversation.api
    channel = api.channel("Baby news")
    mark = api.mark()
    api.channel_post(channel, f"@{BOT_USERNAME} why does my baby twitch?")
    conversation.ask(new_parent(conversation), "/help")  # handled after the post
    assert api.sent_messages(channel, since=mark) == []


def test_a_flood_of_questions_gets_one_polite_slow_down(
    conversation: Conversation, pack: ContentPack
) -> None:
    api = conversation.api
    parent = new_parent(conversation)
    chat = api.private_chat(parent)
    mark = api.mark()
    for n in range(14):
        api.send_text(parent, f"why does my baby twitch? ({n})")
    slow_down = squash(to_plain(pack.text("slow_down")))
    api.wait_for(
        lambda: [s for s in api.sent_messages(chat, since=mark) if slow_down in squash(s.text)],
        timeout=10,
        what="the slow-down notice",
    )
