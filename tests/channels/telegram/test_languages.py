"""Parents who write in Spanish or Russian get the bot in their language, whatever their
phone says, and the reverse: end to end through the real Application, the shipped packs and
the offline Bot API, in a private chat and in a group. Sentences written for these tests."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import Harness
from tgfakes import BOT_USERNAME, callback_update, group_chat, message_update, private_chat

from tgbot.channels.telegram.render import render_text
from tgbot.core.content import ContentLibrary

JsonDict = dict[str, Any]


def parent(n: int, language_code: str | None) -> JsonDict:
    user: JsonDict = {"id": 6_100_000 + n, "is_bot": False, "first_name": "P"}
    if language_code:
        user["language_code"] = language_code
    return user


SPANISH = "¿Por qué mi bebé da tirones mientras duerme? ¿Es normal?"
RUSSIAN = "Почему мой малыш вздрагивает во сне, это нормально?"
ENGLISH = "Why does my baby twitch in her sleep, is that normal?"


def title(library: ContentLibrary, language: str, topic_id: str) -> str:
    topic = library.packs[language].topic(topic_id)
    assert topic is not None
    return render_text(topic.title)


def test_the_shipped_packs_are_english_spanish_and_russian(shipped_library: ContentLibrary) -> None:
    assert {"en", "es", "ru"} <= set(shipped_library.packs)
    assert shipped_library.default_language == "en"


@pytest.mark.parametrize(
    ("text", "phone", "language"),
    [
        (ENGLISH, "es", "en"),  # phone in Spanish, writes English: English
        (SPANISH, "en", "es"),  # phone in English, writes Spanish: Spanish
        (RUSSIAN, "en", "ru"),
        (RUSSIAN, None, "ru"),
        ("hola", "es", "es"),  # too short to tell: the phone's language
        ("hola", "en", "en"),
    ],
)
async def test_a_private_message_is_answered_in_the_language_it_is_written_in(
    real_harness: Harness,
    shipped_library: ContentLibrary,
    text: str,
    phone: str | None,
    language: str,
) -> None:
    await real_harness.send(message_update(text, user=parent(1, phone)))
    [reply] = real_harness.api.sent
    [recorded] = real_harness.stats.answers
    assert recorded.answer.language == language
    if recorded.answer.topic_id is not None:
        # (a reassuring topic for a reported episode opens with the warning signs)
        assert "<b>" + title(shipped_library, language, "sleep-twitching") in reply.text
    disclaimer = render_text(shipped_library.packs[language].text("disclaimer"))
    assert disclaimer in reply.text


@pytest.mark.parametrize(
    ("text", "phone", "language"), [(SPANISH, "en", "es"), (ENGLISH, "es", "en")]
)
async def test_a_group_answer_follows_the_askers_language(
    real_harness: Harness,
    shipped_library: ContentLibrary,
    text: str,
    phone: str,
    language: str,
) -> None:
    await real_harness.send(
        message_update(f"@{BOT_USERNAME} {text}", user=parent(2, phone), chat=group_chat())
    )
    [reply] = real_harness.api.sent
    assert "<b>" + title(shipped_library, language, "sleep-twitching") in reply.text
    # The "continue in private" button is in the same language.
    labels = [b["text"] for b in reply.buttons()]
    assert shipped_library.packs[language].text("continue_private") in labels


async def test_a_spanish_red_flag_gets_the_spanish_emergency_prompt(
    real_harness: Harness, shipped_library: ContentLibrary
) -> None:
    text = "mi bebé no respira bien y tiene los labios morados, ¡ayuda!"
    await real_harness.send(message_update(text, user=parent(3, "en")))
    [reply] = real_harness.api.sent
    prompt = render_text(shipped_library.packs["es"].text("emergency_prompt"))
    assert reply.text.startswith("<b>" + prompt)


async def test_a_button_opens_its_topic_in_the_language_of_the_message_it_is_under(
    real_harness: Harness, shipped_library: ContentLibrary
) -> None:
    # A Spanish answer's related-topic button pressed by someone whose phone is in English.
    spanish_answer = (
        "Por qué los bebés dan tirones mientras duermen. Los tirones del sueño son normales."
    )
    message = {
        "message_id": 77,
        "date": 0,
        "chat": private_chat(parent(4, "en")),
        "from": {"id": 123456789, "is_bot": True, "first_name": "Parents Helper"},
        "text": spanish_answer,
    }
    await real_harness.send(
        callback_update("t:startle-reflex", message=message, user=parent(4, "en"))
    )
    [reply] = real_harness.api.sent
    assert reply.text.startswith("<b>" + title(shipped_library, "es", "startle-reflex"))
