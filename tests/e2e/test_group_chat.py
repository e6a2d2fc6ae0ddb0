"""Group chats with Telegram's privacy mode: the bot answers only when addressed, replies to
the asking message in its thread, introduces itself once when added, and ignores the rest.

The fake server applies privacy mode like Telegram: in a group where the bot is a plain
member, chatter never reaches it. Where the bot is an admin it sees everything, which is how
the tests prove that the bot itself, not only Telegram, stays silent when not addressed.
"""

from __future__ import annotations

import pytest
from fakebotapi import FakeChat, FakeUser

from e2e.harness import BOT_USERNAME, Conversation, content_pack, squash
from tgbot.core.content import ContentPack
from tgbot.core.markup import to_plain

pytestmark = pytest.mark.e2e

QUESTION = "what do infantile spasms look like?"


@pytest.fixture(scope="module")
def pack() -> ContentPack:
    return content_pack()


@pytest.fixture
def parent(conversation: Conversation) -> FakeUser:
    return conversation.api.user("Member")


@pytest.fixture
def group(conversation: Conversation) -> FakeChat:
    """A fresh group (a fresh one per test: the bot remembers recent answers per group)."""
    return conversation.api.group("Parents of toddlers")


@pytest.fixture
def seeing_group(conversation: Conversation) -> FakeChat:
    """A group where the bot is an admin, so Telegram shows it every message."""
    api = conversation.api
    chat = api.group("Parents who chat a lot")
    api.set_member_status(chat, api.bot, "administrator")
    return chat


def expected_title(pack: ContentPack) -> str:
    topic = pack.topic("infantile-spasms")
    assert topic is not None
    return squash(topic.title)


def test_ask_with_the_bots_name_is_answered_as_a_reply_to_the_question(
    conversation: Conversation, parent: FakeUser, group: FakeChat, pack: ContentPack
) -> None:
    question = conversation.api.send_text(parent, f"/ask@{BOT_USERNAME} {QUESTION}", chat=group)
    reply = conversation.reply_to(question)
    assert expected_title(pack) in squash(reply.text)


def test_a_group_answer_offers_to_continue_in_private(
    conversation: Conversation, parent: FakeUser, group: FakeChat, pack: ContentPack
) -> None:
    question = conversation.api.send_text(parent, f"/ask@{BOT_USERNAME} {QUESTION}", chat=group)
    reply = conversation.reply_to(question)
    button = reply.button(pack.text("continue_private"))
    assert button["url"].startswith(f"https://t.me/{BOT_USERNAME}")


def test_a_mention_is_answered_as_a_reply(
    conversation: Conversation, parent: FakeUser, group: FakeChat, pack: ContentPack
) -> None:
    question = conversation.api.send_text(parent, f"@{BOT_USERNAME} {QUESTION}", chat=group)
    assert expected_title(pack) in squash(conversation.reply_to(question).text)


def test_a_reply_to_the_bots_message_is_answered(
    conversation: Conversation, parent: FakeUser, group: FakeChat, pack: ContentPack
) -> None:
    api = conversation.api
    first = api.send_text(
        parent, f"/ask@{BOT_USERNAME} why does my baby twitch asleep?", chat=group
    )
    bot_answer = conversation.reply_to(first)
    follow_up = api.send_text(parent, QUESTION, chat=group, reply_to=bot_answer)
    assert expected_title(pack) in squash(conversation.reply_to(follow_up).text)


def test_a_question_in_a_forum_topic_is_answered_in_that_topic(
    conversation: Conversation, parent: FakeUser, pack: ContentPack
) -> None:
    api = conversation.api
    forum = api.group("Parents forum", forum=True)
    topic = api.open_forum_topic(forum, parent, "Sleep")
    question = api.send_text(parent, f"@{BOT_USERNAME} {QUESTION}", chat=forum, thread_id=topic)
    reply = conversation.reply_to(question)
    assert reply.message_thread_id == topic


def test_a_plain_message_in_a_forum_topic_is_not_taken_for_a_reply_to_the_bot(
    conversation: Conversation, parent: FakeUser
) -> None:
    api = conversation.api
    forum = api.group("Parents forum", forum=True)
    api.set_member_status(forum, api.bot, "administrator")
    topic = api.open_forum_topic(forum, parent, "Sleep")
    mark = api.mark()
    api.send_text(parent, "we slept well last night", chat=forum, thread_id=topic)
    conversation.assert_silent_since(parent, forum, mark)


def test_chatter_that_does_not_address_the_bot_is_ignored(
    conversation: Conversation, parent: FakeUser, seeing_group: FakeChat
) -> None:
    api = conversation.api
    mark = api.mark()
    api.send_text(parent, "anyone up for a walk tomorrow?", chat=seeing_group)
    api.send_text(parent, QUESTION, chat=seeing_group)
    conversation.assert_silent_since(parent, seeing_group, mark)


def test_ask_addressed_to_another_bot_is_ignored(
    conversation: Conversation, parent: FakeUser, seeing_group: FakeChat
) -> None:
    api = conversation.api
    mark = api.mark()
    api.send_text(parent, f"/ask@SomeOtherBot {QUESTION}", chat=seeing_group)
    api.send_text(parent, "/topics@SomeOtherBot", chat=seeing_group)
    conversation.assert_silent_since(parent, seeing_group, mark)


def test_chatter_never_reaches_the_bot_in_privacy_mode(
    conversation: Conversation, parent: FakeUser, group: FakeChat
) -> None:
    api = conversation.api
    mark = api.mark()
    chatter = api.send_text(parent, "anyone up for a walk tomorrow?", chat=group)
    conversation.assert_silent_since(parent, group, mark)
    assert chatter in [u["message"] for u in api.withheld_updates if "message" in u]


def test_being_added_to_a_group_posts_one_introduction(
    conversation: Conversation, parent: FakeUser, pack: ContentPack
) -> None:
    api = conversation.api
    group = api.group("New parents", bot_member=False)
    mark = api.mark()
    api.add_bot_to_group(group, by=parent)  # my_chat_member and a new_chat_members message
    intro = conversation.next_message(group, mark)
    intro_text = squash(to_plain(pack.text("group_intro", bot_username=BOT_USERNAME)))
    assert squash(intro.text) == intro_text
    conversation.assert_silent_since(parent, group, api.mark())
    assert [s.text for s in api.sent_messages(group, since=mark)].count(intro.text) == 1


def test_being_removed_from_a_group_sends_nothing(
    conversation: Conversation, parent: FakeUser, group: FakeChat
) -> None:
    api = conversation.api
    mark = api.mark()
    api.remove_bot_from_group(group, by=parent)
    conversation.ask(parent, "/help")  # handled after the removal
    assert api.sent_messages(group, since=mark) == []
    assert [c for c in api.calls(since=mark) if c.params.get("chat_id") == group.id] == []


def test_the_same_topic_again_soon_points_to_the_earlier_answer(
    conversation: Conversation, parent: FakeUser, group: FakeChat, pack: ContentPack
) -> None:
    api = conversation.api
    first = api.send_text(
        parent, f"/ask@{BOT_USERNAME} why does my baby twitch asleep?", chat=group
    )
    conversation.reply_to(first)
    again = api.send_text(
        parent, f"/ask@{BOT_USERNAME} why does my baby twitch in her sleep?", chat=group
    )
    pointer = conversation.reply_to(again)
    assert squash(pointer.text) == squash(to_plain(pack.text("group_recent_pointer")))


def test_autoanswer_is_refused_to_members_who_are_not_admins(
    conversation: Conversation, parent: FakeUser, group: FakeChat, pack: ContentPack
) -> None:
    command = conversation.api.send_text(parent, f"/autoanswer@{BOT_USERNAME} on", chat=group)
    reply = conversation.reply_to(command)
    assert squash(reply.text) == squash(to_plain(pack.text("autoanswer_admins_only")))


def test_autoanswer_switched_on_by_an_admin_answers_questions_unaddressed(
    conversation: Conversation, parent: FakeUser, seeing_group: FakeChat, pack: ContentPack
) -> None:
    api = conversation.api
    api.set_member_status(seeing_group, parent, "administrator")
    command = api.send_text(parent, f"/autoanswer@{BOT_USERNAME} on", chat=seeing_group)
    assert squash(to_plain(pack.text("autoanswer_on"))) in squash(
        conversation.reply_to(command).text
    )
    assert any(c.params.get("user_id") == parent.id for c in api.calls("getChatMember"))
    question = api.send_text(parent, QUESTION, chat=seeing_group)
    assert expected_title(pack) in squash(conversation.reply_to(question).text)


def test_an_anonymous_admin_can_ask_with_the_bots_name(
    conversation: Conversation, group: FakeChat, pack: ContentPack
) -> None:
    question = conversation.api.send_as_anonymous_admin(group, f"/ask@{BOT_USERNAME} {QUESTION}")
    assert expected_title(pack) in squash(conversation.reply_to(question).text)
