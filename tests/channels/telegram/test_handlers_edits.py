"""Edited messages: an edit that adds a red flag gets the prompt as a reply to the edited
message, once; every other edit is ignored (private chats and groups)."""

from __future__ import annotations

import json
from typing import Any

from conftest import Harness
from tgfakes import BOT_USERNAME, PRIVATE_USER, group_chat, message_update, private_chat

from tgbot.channels.telegram.handlers import ALLOWED_UPDATES
from tgbot.channels.telegram.render import render_text
from tgbot.core.content import ContentPack
from tgbot.stats.events import AskPath

JsonDict = dict[str, Any]
HARMLESS = "Why does my baby twitch in her sleep?"
OTHER_PARENT = {"id": 5550010, "is_bot": False, "first_name": "P", "language_code": "en"}


def edit_of(update: JsonDict, text: str) -> JsonDict:
    """The same message (same id and chat), edited to `text`."""
    message = dict(update["message"])
    message["text"] = text
    message.pop("entities", None)
    message["edit_date"] = message["date"] + 30
    return {"update_id": update["update_id"] + 1000, "edited_message": message}


def quoted_id(params: JsonDict) -> int | None:
    raw = params.get("reply_parameters")
    if raw is None:
        return None
    reply = json.loads(raw) if isinstance(raw, str) else raw
    return int(reply["message_id"])


def prompt(pack: ContentPack, key: str) -> str:
    return "<b>" + render_text(pack.text(key))


def test_the_bot_subscribes_to_edited_messages() -> None:
    # The gate passes edits now; Telegram only sends what allowed_updates names.
    assert "edited_message" in ALLOWED_UPDATES


async def test_private_edit_that_adds_an_emergency_gets_the_prompt_as_a_reply(
    harness: Harness, pack: ContentPack, emergency_text: str
) -> None:
    original = message_update(HARMLESS)
    await harness.send(original)
    assert len(harness.api.sent) == 1
    harness.api.clear()

    await harness.send(edit_of(original, emergency_text))
    [reply] = harness.api.sent
    assert reply.text.startswith(prompt(pack, "emergency_prompt"))
    assert quoted_id(reply.params) == original["message"]["message_id"]
    assert harness.stats.answers[-1].path is AskPath.EDITED


async def test_private_edit_that_adds_an_urgent_flag_gets_the_doctor_prompt(
    harness: Harness, pack: ContentPack, urgent_text: str
) -> None:
    original = message_update(HARMLESS)
    await harness.send(original)
    harness.api.clear()
    await harness.send(edit_of(original, urgent_text))
    [reply] = harness.api.sent
    assert prompt(pack, "doctor_prompt") in reply.text
    assert quoted_id(reply.params) == original["message"]["message_id"]


async def test_harmless_edits_are_ignored(harness: Harness) -> None:
    original = message_update(HARMLESS)
    await harness.send(original)
    harness.api.clear()
    await harness.send(edit_of(original, HARMLESS + " She is 3 months old."))
    await harness.send(edit_of(original, "/stats"))
    assert harness.api.calls == []
    assert len(harness.stats.answers) == 1  # the original question only


async def test_an_edit_does_not_repeat_a_prompt_the_message_already_got(
    harness: Harness, emergency_text: str
) -> None:
    original = message_update(emergency_text)
    await harness.send(original)
    assert len(harness.api.sent) == 1
    harness.api.clear()
    await harness.send(edit_of(original, emergency_text + " (typo fixed)"))
    assert harness.api.sent == []


async def test_an_edit_that_raises_urgent_to_emergency_gets_the_emergency_prompt(
    harness: Harness, pack: ContentPack, urgent_text: str, emergency_text: str
) -> None:
    original = message_update(urgent_text)
    await harness.send(original)
    harness.api.clear()
    await harness.send(edit_of(original, emergency_text))
    [reply] = harness.api.sent
    assert reply.text.startswith(prompt(pack, "emergency_prompt"))
    # A second edit at the same level adds nothing new.
    harness.api.clear()
    await harness.send(edit_of(original, emergency_text + "!"))
    assert harness.api.sent == []


async def test_an_edited_ask_command_is_read_as_its_question(
    harness: Harness, pack: ContentPack, emergency_text: str
) -> None:
    original = message_update("/ask " + HARMLESS)
    await harness.send(original)
    harness.api.clear()
    await harness.send(edit_of(original, "/ask " + emergency_text))
    [reply] = harness.api.sent
    assert reply.text.startswith(prompt(pack, "emergency_prompt"))


async def test_group_chatter_edited_into_an_emergency_gets_the_prompt_in_its_thread(
    harness: Harness, pack: ContentPack, emergency_text: str
) -> None:
    original = message_update(
        "we are home now",
        user=OTHER_PARENT,
        chat=group_chat(forum=True),
        message_thread_id=7,
        is_topic_message=True,
    )
    await harness.send(original)
    assert harness.api.calls == []  # chatter: no reply
    await harness.send(edit_of(original, emergency_text))
    [reply] = harness.api.sent
    assert reply.text.startswith(prompt(pack, "emergency_prompt"))
    assert quoted_id(reply.params) == original["message"]["message_id"]
    assert reply.params.get("message_thread_id") == 7


async def test_group_chatter_edited_into_an_urgent_flag_stays_unanswered(
    harness: Harness, urgent_text: str
) -> None:
    # Unaddressed group chatter gets a reply only for an emergency, as a new message would.
    original = message_update("we are home now", chat=group_chat())
    await harness.send(original)
    await harness.send(edit_of(original, urgent_text))
    assert harness.api.calls == []


async def test_an_edit_addressed_to_the_bot_with_an_urgent_flag_is_answered(
    harness: Harness, pack: ContentPack, urgent_text: str
) -> None:
    original = message_update(f"@{BOT_USERNAME} hello", chat=group_chat())
    await harness.send(original)
    harness.api.clear()
    await harness.send(edit_of(original, f"@{BOT_USERNAME} {urgent_text}"))
    [reply] = harness.api.sent
    assert prompt(pack, "doctor_prompt") in reply.text


async def test_edits_do_not_bypass_the_red_flag_flood_budget(
    harness: Harness, emergency_text: str
) -> None:
    # One user editing many messages into the same emergency: the full answer, one short
    # reminder, then silence, exactly as for new messages.
    originals = [message_update(f"{HARMLESS} {i}", user=PRIVATE_USER) for i in range(6)]
    for update in originals:
        await harness.send(update)
    harness.api.clear()
    for update in originals:
        await harness.send(edit_of(update, emergency_text))
    assert 1 <= len(harness.api.sent) <= 2


async def test_edited_messages_in_another_private_chat_are_independent(
    harness: Harness, emergency_text: str
) -> None:
    # The same message id in two chats is two messages.
    a = message_update(HARMLESS, user=PRIVATE_USER)
    b = dict(a)
    b["message"] = dict(a["message"], chat=private_chat(OTHER_PARENT), **{"from": OTHER_PARENT})
    await harness.send(edit_of(a, emergency_text))
    await harness.send(edit_of(b, emergency_text))
    assert len(harness.api.sent) == 2
