"""Inline mode end to end: `@BotName question` in any chat gets matching answers as articles."""

from __future__ import annotations

import pytest

from e2e.harness import Conversation, content_pack, squash

pytestmark = pytest.mark.e2e


def test_an_inline_question_gets_up_to_five_articles_best_first(
    conversation: Conversation,
) -> None:
    api = conversation.api
    topic = content_pack().topic("infantile-spasms")
    assert topic is not None
    query_id = api.inline_query(api.user("Inline"), "what do infantile spasms look like")
    answered = api.wait_for(lambda: api.inline_answer(query_id), timeout=10, what="inline answer")
    results = answered.params["results"]
    assert 1 <= len(results) <= 5
    assert all(r["type"] == "article" for r in results)
    assert squash(topic.title) in [squash(r["title"]) for r in results][:2]


def test_an_empty_inline_query_gets_no_articles_but_a_button_to_the_bot(
    conversation: Conversation,
) -> None:
    api = conversation.api
    query_id = api.inline_query(api.user("Inline"), "")
    answered = api.wait_for(lambda: api.inline_answer(query_id), timeout=10, what="inline answer")
    assert answered.params["results"] == []
    assert answered.params["button"]["start_parameter"]


def test_a_chosen_inline_result_is_acknowledged_quietly(conversation: Conversation) -> None:
    api = conversation.api
    user = api.user("Inline")
    mark = api.mark()
    api.push_update(
        {
            "chosen_inline_result": {
                "result_id": "a:infantile-spasms",
                "from": user.to_dict(),
                "query": "infantile spasms",
                "inline_message_id": "AgAAAFakeInlineMessage",
            }
        }
    )
    edit = api.wait_for_call("editMessageReplyMarkup", since=mark, timeout=10)
    assert edit.ok
    assert edit.params["inline_message_id"] == "AgAAAFakeInlineMessage"
