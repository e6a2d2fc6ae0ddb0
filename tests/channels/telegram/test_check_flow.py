"""The warning-signs check end to end through the real Application and the offline Bot API:
offered under a reply to an episode with no red flag, answered by buttons in a private chat
and in a group (only the asker's taps count), ending with the prompt or a calm summary, and
counted anonymously."""

from __future__ import annotations

import json
from typing import Any

from conftest import Harness
from tgfakes import (
    GROUP_ID,
    PRIVATE_USER,
    ApiCall,
    callback_update,
    group_chat,
    message_update,
    private_chat,
)

from tgbot.channels.telegram.render import render_text
from tgbot.core.answers import answer_for
from tgbot.core.checkflow import ALL_CLEAR, STEPS
from tgbot.core.content import ContentPack
from tgbot.core.model import Level
from tgbot.stats.events import Channel

JsonDict = dict[str, Any]
EPISODE = "my baby jerked his arms a few times while falling asleep"
OTHER = {"id": 5550020, "is_bot": False, "first_name": "Other", "language_code": "en"}


def check_button(call: ApiCall) -> JsonDict | None:
    return next((b for b in call.buttons() if b.get("callback_data", "").startswith("k:")), None)


def sent_message(call: ApiCall, chat: JsonDict, message_id: int) -> JsonDict:
    """What Telegram would show as the message the bot sent with this call."""
    markup = call.params.get("reply_markup")
    message: JsonDict = {
        "message_id": message_id,
        "date": 0,
        "chat": chat,
        "from": {"id": 123456789, "is_bot": True, "first_name": "Parents Helper"},
        "text": call.text,
    }
    if markup:
        message["reply_markup"] = json.loads(markup) if isinstance(markup, str) else markup
    return message


def buttons_of(message: JsonDict) -> list[JsonDict]:
    return [b for row in message.get("reply_markup", {}).get("inline_keyboard", []) for b in row]


async def press(harness: Harness, data: str, message: JsonDict, user: JsonDict) -> None:
    harness.api.clear()
    await harness.send(callback_update(data, message=message, user=user))


async def open_check(harness: Harness, chat: JsonDict, user: JsonDict, text: str) -> JsonDict:
    """Ask about an episode, tap the check button; the first question's message."""
    await harness.send(message_update(text, user=user, chat=chat))
    [answer] = harness.api.sent
    button = check_button(answer)
    assert button is not None, answer.buttons()
    await press(harness, button["callback_data"], sent_message(answer, chat, 900), user)
    [question] = harness.api.sent
    return sent_message(question, chat, 901)


def test_the_episode_has_no_red_flag(pack: ContentPack) -> None:
    answer = answer_for(EPISODE, pack)
    assert answer.episode
    assert answer.level is None


async def test_no_check_is_offered_for_a_general_question_or_a_red_flag(
    harness: Harness, emergency_text: str
) -> None:
    for text in ("What is myoclonus?", emergency_text):
        harness.api.clear()
        await harness.send(message_update(text))
        assert all(check_button(call) is None for call in harness.api.sent)


async def test_private_check_all_no_ends_with_the_summary(
    harness: Harness, pack: ContentPack
) -> None:
    chat = private_chat(PRIVATE_USER)
    message = await open_check(harness, chat, PRIVATE_USER, EPISODE)
    assert render_text(pack.text("check_intro")) in message["text"]
    for _ in STEPS:
        [no] = [b for b in buttons_of(message) if b["text"] == pack.text("check_no")]
        await press(harness, no["callback_data"], message, PRIVATE_USER)
        [edit] = harness.api.called("editMessageText")
        message = sent_message(edit, chat, 901)
        assert harness.api.sent == []  # the same message, edited: no new message
    assert render_text(pack.text("check_all_clear")) in message["text"]
    assert buttons_of(message) == []
    assert harness.stats.checks == [(Channel.PRIVATE, ALL_CLEAR, None)]


async def test_private_check_yes_sends_the_prompt_as_a_new_message(
    harness: Harness, pack: ContentPack
) -> None:
    chat = private_chat(PRIVATE_USER)
    message = await open_check(harness, chat, PRIVATE_USER, EPISODE)
    series = next(i for i, s in enumerate(STEPS) if s.id == "series")
    for _ in range(series):
        no = next(b for b in buttons_of(message) if b["text"] == pack.text("check_no"))
        await press(harness, no["callback_data"], message, PRIVATE_USER)
        message = sent_message(harness.api.called("editMessageText")[0], chat, 901)
    yes = next(b for b in buttons_of(message) if b["text"] == pack.text("check_yes"))
    await press(harness, yes["callback_data"], message, PRIVATE_USER)
    [edit] = harness.api.called("editMessageText")
    assert "reply_markup" not in edit.params or not check_button(edit)
    [prompt] = harness.api.sent
    assert "<b>" + render_text(pack.text("doctor_prompt")) in prompt.text
    assert harness.stats.checks == [(Channel.PRIVATE, "series", Level.URGENT)]
    assert harness.stats.answers[-1].path.value != "check"  # the check is not a new question


async def test_a_yes_to_breathing_gets_the_emergency_prompt_first(
    harness: Harness, pack: ContentPack
) -> None:
    chat = private_chat(PRIVATE_USER)
    message = await open_check(harness, chat, PRIVATE_USER, EPISODE)
    yes = next(b for b in buttons_of(message) if b["text"] == pack.text("check_yes"))
    await press(harness, yes["callback_data"], message, PRIVATE_USER)
    [prompt] = harness.api.sent
    assert prompt.text.startswith("<b>" + render_text(pack.text("emergency_prompt")))
    assert render_text(pack.text("emergency_action_breathing")) in prompt.text
    assert harness.stats.checks == [(Channel.PRIVATE, "breathing", Level.EMERGENCY)]


async def test_in_a_group_only_the_asker_can_answer(harness: Harness, pack: ContentPack) -> None:
    chat = group_chat(GROUP_ID)
    text = f"@ParentsHelperBot {EPISODE}"
    message = await open_check(harness, chat, PRIVATE_USER, text)
    yes = next(b for b in buttons_of(message) if b["text"] == pack.text("check_yes"))
    # Someone else taps: told so, nothing changes, nothing is counted.
    await press(harness, yes["callback_data"], message, OTHER)
    [ack] = harness.api.called("answerCallbackQuery")
    assert ack.params.get("text") == pack.text("check_not_yours")
    assert harness.api.called("editMessageText") == []
    assert harness.api.sent == []
    assert harness.stats.checks == []
    # The asker taps: the prompt comes, in the group, as a reply to the check.
    await press(harness, yes["callback_data"], message, PRIVATE_USER)
    [prompt] = harness.api.sent
    assert prompt.params["chat_id"] == GROUP_ID
    assert prompt.text.startswith("<b>" + render_text(pack.text("emergency_prompt")))
    assert harness.stats.checks == [(Channel.GROUP, "breathing", Level.EMERGENCY)]


async def test_a_forged_or_stale_check_button_is_refused_calmly(
    harness: Harness, pack: ContentPack
) -> None:
    chat = private_chat(PRIVATE_USER)
    message = await open_check(harness, chat, PRIVATE_USER, EPISODE)
    for data in ("k:7:y:-", "k:0:y:0123456789", "k:0:x:-", "k:0:y:" + "f" * 40):
        await press(harness, data, message, PRIVATE_USER)
        assert harness.api.sent == []
        assert harness.api.called("editMessageText") == []
    assert harness.stats.checks == []
