"""Every way a parent can reach an answer carries the red-flag prompt for a red-flag message:
private text, group mention, /ask, a button, a deep link, inline mode and auto-answer."""

from __future__ import annotations

from conftest import Harness
from tgfakes import (
    BOT_USERNAME,
    GROUP_ID,
    PRIVATE_USER,
    bot_message,
    callback_update,
    chosen_update,
    group_chat,
    inline_update,
    message_update,
    private_chat,
)

from tgbot.channels.telegram.render import render_text
from tgbot.core.content import ContentPack


def emergency_prompt(pack: ContentPack) -> str:
    return render_text(pack.text("emergency_prompt"))


def doctor_prompt(pack: ContentPack) -> str:
    return render_text(pack.text("doctor_prompt"))


def assert_emergency_first(text: str, pack: ContentPack) -> None:
    # One prompt per reply: the emergency prompt opens it and the doctor prompt is not added.
    assert text.startswith("<b>" + emergency_prompt(pack)), text[:200]
    assert doctor_prompt(pack) not in text


async def test_private_text_path(harness: Harness, pack: ContentPack, emergency_text: str) -> None:
    await harness.send(message_update(emergency_text))
    assert_emergency_first(harness.api.sent[0].text, pack)


async def test_group_mention_path(harness: Harness, pack: ContentPack, emergency_text: str) -> None:
    await harness.send(message_update(f"@{BOT_USERNAME} {emergency_text}", chat=group_chat()))
    assert_emergency_first(harness.api.sent[0].text, pack)


async def test_ask_command_path(harness: Harness, pack: ContentPack, emergency_text: str) -> None:
    await harness.send(message_update(f"/ask {emergency_text}"))
    assert_emergency_first(harness.api.sent[0].text, pack)


async def test_group_ask_command_path(
    harness: Harness, pack: ContentPack, emergency_text: str
) -> None:
    await harness.send(message_update(f"/ask@{BOT_USERNAME} {emergency_text}", chat=group_chat()))
    assert_emergency_first(harness.api.sent[0].text, pack)


async def test_button_path_for_a_red_flag_topic(harness: Harness, pack: ContentPack) -> None:
    # A button carries no text of its own: the topic's own red flag brings the prompt.
    await harness.send(
        callback_update("t:infantile-spasms", message=bot_message(private_chat(PRIVATE_USER)))
    )
    assert doctor_prompt(pack) in harness.api.sent[0].text


async def test_deep_link_path_for_a_red_flag_topic(harness: Harness, pack: ContentPack) -> None:
    await harness.send(message_update("/start infantile-spasms"))
    assert doctor_prompt(pack) in harness.api.sent[0].text


async def test_inline_path(harness: Harness, pack: ContentPack, emergency_text: str) -> None:
    await harness.send(inline_update(emergency_text))
    [call] = harness.api.called("answerInlineQuery")
    texts = [r["input_message_content"]["message_text"] for r in call.params["results"]]
    assert texts[0].startswith("<b>" + emergency_prompt(pack))
    assert all(emergency_prompt(pack) in t for t in texts)
    assert not any(doctor_prompt(pack) in t for t in texts)


async def test_inline_chosen_result_records_the_emergency(
    harness: Harness, emergency_text: str
) -> None:
    await harness.send(chosen_update("a:sleep-twitching", emergency_text))
    assert harness.stats.answers[0].answer.level is not None


async def test_auto_answer_path(harness: Harness, pack: ContentPack, emergency_text: str) -> None:
    harness.services.groups.set_autoanswer(GROUP_ID, True)
    await harness.send(message_update(f"{emergency_text}?", chat=group_chat()))
    assert_emergency_first(harness.api.sent[0].text, pack)


async def test_unaddressed_group_emergency_path(
    harness: Harness, pack: ContentPack, emergency_text: str
) -> None:
    await harness.send(message_update(emergency_text, chat=group_chat()))
    assert_emergency_first(harness.api.sent[0].text, pack)


async def test_urgent_private_text_path(
    harness: Harness, pack: ContentPack, urgent_text: str
) -> None:
    await harness.send(message_update(urgent_text))
    text = harness.api.sent[0].text
    assert doctor_prompt(pack) in text
    assert emergency_prompt(pack) not in text
