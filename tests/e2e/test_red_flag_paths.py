"""The safety invariant end to end: whatever path a red-flag message takes to the bot, what the
parent reads carries the red-flag prompt (the emergency prompt for an emergency).

Paths: private free text, a photo caption, /ask in private and in a group, a mention, a reply
to the bot, a topic button, a deep link, inline mode, auto-answer, the group's "answered a
moment ago" pointer, and the flood guard.
"""

from __future__ import annotations

import pytest
from fakebotapi import FakeChat, FakeUser, parse_html

from e2e.harness import BOT_USERNAME, Conversation, content_pack, squash
from tgbot.core.answers import answer_for
from tgbot.core.content import ContentPack
from tgbot.core.markup import to_plain
from tgbot.core.model import Level

pytestmark = pytest.mark.e2e

# A parent describing an emergency in their own words.
EMERGENCY_TEXT = "my baby stopped breathing during the jerks, what do I do?"
# A topic that is itself a red flag (its answer always carries the see-a-doctor prompt).
RED_FLAG_TOPIC = "infantile-spasms"


@pytest.fixture(scope="module")
def pack() -> ContentPack:
    pack = content_pack()
    # Preconditions on the content, so a content edit fails here with a clear message
    # instead of weakening the tests below.
    assert answer_for(EMERGENCY_TEXT, pack).level is Level.EMERGENCY, (
        f"the content no longer flags {EMERGENCY_TEXT!r} as an emergency: pick another text"
    )
    topic = pack.topic(RED_FLAG_TOPIC)
    assert topic is not None
    assert topic.red_flag, f"{RED_FLAG_TOPIC} is no longer a red-flag topic"
    return pack


@pytest.fixture(scope="module")
def emergency_prompt(pack: ContentPack) -> str:
    return squash(to_plain(pack.text("emergency_prompt")))


@pytest.fixture(scope="module")
def doctor_prompt(pack: ContentPack) -> str:
    return squash(to_plain(pack.text("doctor_prompt")))


@pytest.fixture
def parent(conversation: Conversation) -> FakeUser:
    return conversation.api.user("Worried")


@pytest.fixture
def group(conversation: Conversation) -> FakeChat:
    return conversation.api.group("Parents")


def test_private_free_text_carries_the_emergency_prompt_first(
    conversation: Conversation, parent: FakeUser, emergency_prompt: str
) -> None:
    api = conversation.api
    mark = api.mark()
    api.send_text(parent, EMERGENCY_TEXT)
    answer = conversation.whole_answer(api.private_chat(parent), mark)
    assert squash(answer).startswith(emergency_prompt)


def test_a_photo_caption_carries_the_emergency_prompt(
    conversation: Conversation, parent: FakeUser, emergency_prompt: str
) -> None:
    api = conversation.api
    mark = api.mark()
    api.send_media(parent, "photo", caption=EMERGENCY_TEXT)
    assert emergency_prompt in squash(conversation.whole_answer(api.private_chat(parent), mark))


def test_ask_in_private_carries_the_emergency_prompt(
    conversation: Conversation, parent: FakeUser, emergency_prompt: str
) -> None:
    api = conversation.api
    mark = api.mark()
    api.send_text(parent, f"/ask {EMERGENCY_TEXT}")
    assert emergency_prompt in squash(conversation.whole_answer(api.private_chat(parent), mark))


def test_ask_in_a_group_carries_the_emergency_prompt(
    conversation: Conversation, parent: FakeUser, group: FakeChat, emergency_prompt: str
) -> None:
    api = conversation.api
    mark = api.mark()
    question = api.send_text(parent, f"/ask@{BOT_USERNAME} {EMERGENCY_TEXT}", chat=group)
    conversation.reply_to(question)
    assert emergency_prompt in squash(conversation.whole_answer(group, mark))


def test_a_mention_in_a_group_carries_the_emergency_prompt(
    conversation: Conversation, parent: FakeUser, group: FakeChat, emergency_prompt: str
) -> None:
    api = conversation.api
    mark = api.mark()
    api.send_text(parent, f"@{BOT_USERNAME} {EMERGENCY_TEXT}", chat=group)
    assert emergency_prompt in squash(conversation.whole_answer(group, mark))


def test_a_reply_to_the_bot_carries_the_emergency_prompt(
    conversation: Conversation, parent: FakeUser, group: FakeChat, emergency_prompt: str
) -> None:
    api = conversation.api
    first = api.send_text(parent, f"/ask@{BOT_USERNAME} why does my baby twitch?", chat=group)
    bot_answer = conversation.reply_to(first)
    mark = api.mark()
    api.send_text(parent, EMERGENCY_TEXT, chat=group, reply_to=bot_answer)
    assert emergency_prompt in squash(conversation.whole_answer(group, mark))


def test_a_red_flag_asked_again_in_a_group_is_answered_in_full_not_pointed_to(
    conversation: Conversation, parent: FakeUser, group: FakeChat, emergency_prompt: str
) -> None:
    api = conversation.api
    first = api.send_text(parent, f"/ask@{BOT_USERNAME} {EMERGENCY_TEXT}", chat=group)
    conversation.reply_to(first)
    mark = api.mark()
    # Another parent: the same parent's repeat within a minute gets the short reminder
    # (test_a_repeated_red_flag_gets_one_short_reminder).
    other = api.user("Olga", "Second", username="olga_second_e2e")
    api.send_text(other, f"/ask@{BOT_USERNAME} {EMERGENCY_TEXT}", chat=group)
    assert emergency_prompt in squash(conversation.whole_answer(group, mark))


def test_a_repeated_red_flag_gets_one_short_reminder(
    conversation: Conversation, parent: FakeUser, emergency_prompt: str
) -> None:
    api = conversation.api
    chat = api.private_chat(parent)
    mark = api.mark()
    api.send_text(parent, EMERGENCY_TEXT)
    assert emergency_prompt in squash(conversation.whole_answer(chat, mark))
    mark = api.mark()
    api.send_text(parent, EMERGENCY_TEXT)
    reminder = conversation.next_message(chat, mark)
    assert squash(reminder.text) == emergency_prompt


def test_a_red_flag_topic_button_carries_the_doctor_prompt(
    conversation: Conversation, parent: FakeUser, doctor_prompt: str
) -> None:
    api = conversation.api
    menu = conversation.ask(parent, "/topics")
    mark = api.mark()
    api.press_button(parent, menu, data=f"t:{RED_FLAG_TOPIC}")
    assert doctor_prompt in squash(conversation.whole_answer(api.private_chat(parent), mark))


def test_a_red_flag_topic_deep_link_carries_the_doctor_prompt(
    conversation: Conversation, parent: FakeUser, doctor_prompt: str
) -> None:
    api = conversation.api
    mark = api.mark()
    api.send_text(parent, f"/start {RED_FLAG_TOPIC}")
    assert doctor_prompt in squash(conversation.whole_answer(api.private_chat(parent), mark))


def test_inline_mode_puts_the_prompt_first_and_on_every_result(
    conversation: Conversation, parent: FakeUser, emergency_prompt: str
) -> None:
    api = conversation.api
    query_id = api.inline_query(parent, EMERGENCY_TEXT)
    answered = api.wait_for(lambda: api.inline_answer(query_id), timeout=10, what="inline answer")
    texts = [
        squash(parse_html(r["input_message_content"]["message_text"]).text)
        for r in answered.params["results"]
    ]
    assert texts, "no inline results for an emergency"
    assert texts[0].startswith(emergency_prompt)
    assert all(emergency_prompt in t for t in texts)


def test_auto_answer_carries_the_emergency_prompt(
    conversation: Conversation, parent: FakeUser, emergency_prompt: str
) -> None:
    api = conversation.api
    group = api.group("Parents who chat a lot")
    api.set_member_status(group, api.bot, "administrator")
    api.set_member_status(group, parent, "administrator")
    conversation.reply_to(api.send_text(parent, f"/autoanswer@{BOT_USERNAME} on", chat=group))
    mark = api.mark()
    question = api.send_text(parent, EMERGENCY_TEXT, chat=group)
    conversation.reply_to(question)
    assert emergency_prompt in squash(conversation.whole_answer(group, mark))


def test_a_red_flag_gets_through_the_flood_guard(
    conversation: Conversation, parent: FakeUser, emergency_prompt: str
) -> None:
    api = conversation.api
    chat = api.private_chat(parent)
    for n in range(12):
        api.send_text(parent, f"why does my baby twitch? ({n})")
    api.wait_for(lambda: len(api.sent_messages(chat)) >= 10, timeout=10, what="the first answers")
    mark = api.mark()
    api.send_text(parent, EMERGENCY_TEXT)
    assert emergency_prompt in squash(conversation.whole_answer(chat, mark))
