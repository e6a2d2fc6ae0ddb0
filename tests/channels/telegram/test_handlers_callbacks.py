"""Button presses: a topic button shows its answer, 👍/👎 is recorded and acknowledged once,
forged or stale data gets a polite answer."""

from __future__ import annotations

import pytest
from conftest import Harness
from tgfakes import PRIVATE_USER as USER
from tgfakes import Failure, bot_message, callback_update, group_chat, message_update, private_chat

from tgbot.core.content import ContentPack
from tgbot.stats.events import AskPath, Channel

QUESTION = "Why does my baby twitch in her sleep?"


def menu_message() -> dict[str, object]:
    return bot_message(private_chat(USER), text="Pick a topic")


async def test_topic_button_shows_that_answer(harness: Harness) -> None:
    await harness.send(callback_update("t:newborn-jitters", message=menu_message()))
    [ack] = harness.api.called("answerCallbackQuery")
    assert "text" not in ack.params
    assert "Jittery movements in newborns" in harness.api.sent[0].text
    recorded = harness.stats.answers[0]
    assert (recorded.channel, recorded.path) == (Channel.PRIVATE, AskPath.BUTTON)


async def test_topic_button_in_a_group_answers_in_its_thread(harness: Harness) -> None:
    message = bot_message(group_chat(forum=True))
    message.update({"message_thread_id": 9, "is_topic_message": True})
    await harness.send(callback_update("t:newborn-jitters", message=message))
    reply = harness.api.sent[0]
    assert reply.params["message_thread_id"] == 9
    assert harness.stats.answers[0].channel is Channel.GROUP


async def test_vote_is_recorded_acknowledged_and_its_buttons_removed(
    harness: Harness, pack: ContentPack
) -> None:
    await harness.send(message_update(QUESTION))
    answered = harness.api.sent[0]
    event_id = harness.stats.answers[0].event_id
    message = bot_message(private_chat(USER), markup=answered.markup)
    harness.api.clear()
    await harness.send(callback_update(f"f:{event_id}:1", message=message))
    assert harness.stats.votes == [(event_id, True)]
    [ack] = harness.api.called("answerCallbackQuery")
    assert ack.params["text"] == pack.text("feedback_thanks")
    [edit] = harness.api.called("editMessageReplyMarkup")
    assert edit.buttons()
    assert not any(b["callback_data"].startswith("f:") for b in edit.buttons())


async def test_vote_for_an_unknown_answer_is_politely_refused(
    harness: Harness, pack: ContentPack
) -> None:
    await harness.send(callback_update("f:0123456789ab:0", message=menu_message()))
    [ack] = harness.api.called("answerCallbackQuery")
    assert ack.params["text"] == pack.text("feedback_unknown")
    assert harness.api.called("editMessageReplyMarkup") == []


async def test_second_quick_vote_finds_nothing_to_edit_quietly(harness: Harness) -> None:
    await harness.send(message_update(QUESTION))
    event_id = harness.stats.answers[0].event_id
    harness.api.fail_next(
        "editMessageReplyMarkup", Failure(400, "Bad Request: message is not modified")
    )
    await harness.send(callback_update(f"f:{event_id}:0", message=menu_message()))
    assert harness.stats.votes == [(event_id, False)]


@pytest.mark.parametrize(
    "data",
    ["", "t:no-such-topic", "t:../etc", "f:nothex:1", "f:0123456789ab:7", "x" * 63, "v2:t:x"],
)
async def test_forged_or_stale_button_gets_a_polite_answer(
    harness: Harness, pack: ContentPack, data: str
) -> None:
    await harness.send(callback_update(data, message=menu_message()))
    [ack] = harness.api.called("answerCallbackQuery")
    assert ack.params["text"] == pack.text("unknown_callback")
    assert harness.api.sent == []


async def test_topic_button_on_an_inline_message_points_to_the_private_chat(
    harness: Harness, pack: ContentPack
) -> None:
    await harness.send(callback_update("t:newborn-jitters"))
    [ack] = harness.api.called("answerCallbackQuery")
    assert ack.params["text"] == pack.text("open_in_private")


async def test_late_answer_to_a_button_is_survived(harness: Harness) -> None:
    harness.api.fail_next(
        "answerCallbackQuery",
        Failure(400, "Bad Request: query is too old and response timeout expired"),
    )
    await harness.send(callback_update("t:nope", message=menu_message()))
    assert len(harness.api.called("answerCallbackQuery")) == 1
