"""Telegram's conventions, seen from the Bot API: the profile texts a parent sees before the
first message, the command menus by scope, the update kinds the bot subscribes to, and the
"share" button under a private answer."""

from __future__ import annotations

import pytest
import yaml

from e2e.harness import Conversation, content_dir, content_pack, squash

pytestmark = pytest.mark.e2e


def test_the_empty_chat_screen_says_not_a_diagnosis_and_names_the_emergency_number(
    conversation: Conversation,
) -> None:
    api = conversation.api
    meta = yaml.safe_load((content_dir() / "content.yaml").read_text(encoding="utf-8"))
    number = meta["emergency_number"]
    description = api.description()
    short = api.description(short=True)
    for text in (description, short):
        assert "not a diagnosis" in text.lower()
        assert number in text
        assert "**" not in text  # plain text: Telegram shows descriptions unformatted
    assert len(description) <= 512
    assert len(short) <= 120


def test_autoanswer_is_in_the_administrators_menu_only(conversation: Conversation) -> None:
    api = conversation.api

    def names(scope_type: str) -> set[str]:
        return {c["command"] for c in api.commands({"type": scope_type})}

    members, admins, private = (
        names("all_group_chats"),
        names("all_chat_administrators"),
        names("all_private_chats"),
    )
    assert "ask" in members
    assert "autoanswer" not in members
    assert "autoanswer" in admins
    assert members < admins  # administrators see everything members see, and autoanswer
    assert "autoanswer" not in private
    assert {"start", "help", "topics", "emergency", "about", "privacy"} <= private


def test_the_bot_subscribes_only_to_the_update_kinds_it_handles(
    conversation: Conversation,
) -> None:
    from tgbot.channels.telegram.handlers import ALLOWED_UPDATES

    allowed = conversation.api.allowed_updates
    assert allowed == frozenset(ALLOWED_UPDATES)
    assert {"message", "callback_query", "inline_query", "my_chat_member"} <= allowed
    # What the gate drops is never fetched.
    assert not allowed & {"channel_post", "business_message", "poll", "chat_join_request"}


def test_a_private_answer_has_a_share_button_that_inline_mode_answers_with_the_topic(
    conversation: Conversation,
) -> None:
    api = conversation.api
    parent = api.user("Sharer")
    mark = api.mark()
    api.send_text(parent, "why does my baby twitch in her sleep")
    conversation.whole_answer(api.private_chat(parent), mark)
    last = api.sent_messages(api.private_chat(parent), since=mark)[-1]
    [share] = [b for b in last.buttons() if "switch_inline_query_chosen_chat" in b]
    chosen = share["switch_inline_query_chosen_chat"]
    assert chosen["allow_user_chats"]
    assert chosen["allow_group_chats"]
    topic = content_pack().topic("sleep-twitching")
    assert topic is not None
    assert chosen["query"] == topic.title
    # The partner's chat: Telegram types "@Bot <title>"; the first article is that topic.
    query_id = api.inline_query(parent, chosen["query"], chat_type="private")
    answered = api.wait_for(lambda: api.inline_answer(query_id), timeout=10, what="inline answer")
    assert squash(answered.params["results"][0]["title"]) == squash(topic.title)


def test_a_fallback_has_no_share_button(conversation: Conversation) -> None:
    api = conversation.api
    parent = api.user("Pram")
    mark = api.mark()
    api.send_text(parent, "what is the best pram to buy")
    reply = conversation.next_message(api.private_chat(parent), mark)
    assert not [b for b in reply.buttons() if "switch_inline_query_chosen_chat" in b]
