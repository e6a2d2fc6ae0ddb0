"""Fair delivery (security review, weaknesses 1 and 2): handlers queue replies and return, a
flooded chat only delays itself, safety prompts jump every queue, and the flood guard covers
commands and repeated red flags. Driven through the real application with the offline Bot
API of tgfakes, and through the Outbox itself."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from conftest import Harness
from telegram import Message, Update
from tgfakes import BOT_USERNAME, PRIVATE_USER, group_chat, message_update

from tgbot.channels.telegram.outbox import Lane, Outbox, OutboxLimits
from tgbot.channels.telegram.render import render_text
from tgbot.core.content import ContentPack

QUESTION = "Why does my baby twitch in her sleep?"


def parent(n: int) -> dict[str, Any]:
    return {**PRIVATE_USER, "id": 7_770_000 + n, "first_name": f"Parent{n}"}


def prompt_html(pack: ContentPack) -> str:
    """The start of the emergency prompt as the bot sends it (in bold)."""
    return "<b>" + render_text(pack.text("emergency_prompt"))


async def test_a_flood_of_help_gets_ten_replies_and_one_slow_down(
    harness: Harness, pack: ContentPack
) -> None:
    for _ in range(15):
        await harness.send(message_update("/help"))
    texts = [c.text for c in harness.api.sent]
    assert len(texts) == 11
    assert texts[-1] == render_text(pack.text("slow_down"))


async def test_commands_and_questions_share_one_budget(harness: Harness, pack: ContentPack) -> None:
    for _ in range(10):
        await harness.send(message_update("/about"))
    await harness.send(message_update(QUESTION))
    assert harness.api.sent[-1].text == render_text(pack.text("slow_down"))
    assert harness.stats.answers == []


async def test_a_repeated_red_flag_gets_one_reminder_then_silence(
    harness: Harness, pack: ContentPack, emergency_text: str
) -> None:
    await harness.send(message_update(emergency_text))
    full = [c.text for c in harness.api.sent]
    assert full[0].startswith(prompt_html(pack)[:40])
    harness.api.clear()
    for _ in range(20):
        await harness.send(message_update(emergency_text))
    [reminder] = harness.api.sent
    assert reminder.text.startswith(prompt_html(pack)[:40])
    assert len(reminder.text) < len("\n".join(full))  # the prompt alone, not the full answer


async def test_a_red_flag_flood_never_costs_another_parent_the_prompt(
    harness: Harness, pack: ContentPack, emergency_text: str
) -> None:
    for _ in range(30):
        await harness.send(message_update(emergency_text))
    harness.api.clear()
    await harness.send(message_update(emergency_text, user=parent(1)))
    assert harness.api.sent[0].text.startswith(prompt_html(pack)[:40])


async def test_a_repeated_emergency_command_gets_one_reminder_then_silence(
    harness: Harness, pack: ContentPack
) -> None:
    for _ in range(5):
        await harness.send(message_update("/emergency"))
    sent = [c.text for c in harness.api.sent]
    assert sum(1 for t in sent if t.startswith(prompt_html(pack)[:40])) == 2


async def test_the_operator_is_never_held_back_by_the_flood_guard(harness: Harness) -> None:
    operator = {**PRIVATE_USER, "id": 4242}
    for _ in range(15):
        await harness.send(message_update("/help", user=operator))
    assert len(harness.api.sent) == 15


async def test_a_quiet_flooder_costs_no_work(
    harness: Harness, emergency_text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    for _ in range(12):
        await harness.send(message_update(emergency_text))
    answered = len(harness.stats.answers)
    harness.api.clear()
    for _ in range(50):
        await harness.send(message_update(emergency_text))
    assert harness.api.sent == []
    assert len(harness.stats.answers) == answered  # dropped at the gate, before matching


async def test_a_flooded_group_never_delays_a_private_emergency_prompt(
    harness: Harness, pack: ContentPack, emergency_text: str
) -> None:
    # 30 parents ask in one group: more than its 20 messages a minute. Every update is
    # handled at once (no handler waits for the group's budget); the replies queue.
    for n in range(30):
        update = message_update(
            f"@{BOT_USERNAME} {QUESTION} {n}", chat=group_chat(), user=parent(n)
        )
        await harness.app.process_update(Update.de_json(update, harness.app.bot))
    await harness.app.process_update(
        Update.de_json(message_update(emergency_text, user=parent(99)), harness.app.bot)
    )
    private_id = parent(99)["id"]

    async def private_prompt() -> None:
        while not any(c.params.get("chat_id") == private_id for c in harness.api.sent):  # noqa: ASYNC110
            await asyncio.sleep(0.01)

    await asyncio.wait_for(private_prompt(), 5.0)
    group_sends = [c for c in harness.api.sent if c.params.get("chat_id") == group_chat()["id"]]
    assert len(group_sends) <= 20  # the group's budget, the rest waits in its own outbox
    assert harness.services.outbox.queued > 0
    await harness.services.outbox.close(0.0)


class Recorder:
    """Sends that record their order; each is a coroutine factory as the outbox takes."""

    def __init__(self) -> None:
        self.order: list[str] = []

    def send(self, name: str) -> Any:
        async def run() -> Message:
            self.order.append(name)
            return Message(message_id=len(self.order), date=None, chat=None)  # type: ignore[arg-type]

        return run


async def test_a_safety_reply_jumps_the_chats_queue() -> None:
    box = Outbox(OutboxLimits(paced=False))
    sends = Recorder()
    for i in range(5):
        box.post(1, [sends.send(f"answer{i}")])
    box.post(1, [sends.send("prompt")], lane=Lane.SAFETY)
    assert await box.drain(within=5.0)
    assert sends.order == ["prompt", "answer0", "answer1", "answer2", "answer3", "answer4"]


async def test_a_flooded_chat_keeps_only_its_newest_ordinary_replies() -> None:
    box = Outbox(OutboxLimits(paced=False, normal_per_chat=3))
    sends = Recorder()
    for i in range(10):
        box.post(1, [sends.send(f"answer{i}")])
    assert await box.drain(within=5.0)
    assert sends.order == ["answer7", "answer8", "answer9"]
    assert box.dropped == 7


async def test_queued_prompts_for_one_group_thread_are_coalesced() -> None:
    box = Outbox(OutboxLimits(paced=False))
    sends = Recorder()
    for i in range(10):
        box.post(-100, [sends.send(f"prompt{i}")], lane=Lane.SAFETY, coalesce=("prompt", None))
    assert await box.drain(within=5.0)
    assert sends.order == ["prompt9"]  # one prompt, to the newest message


async def test_a_groups_budget_is_kept_and_holds_only_that_group() -> None:
    box = Outbox(OutboxLimits(group_messages=3, group_window=60.0))
    sends = Recorder()
    for i in range(5):
        box.post(-100, [sends.send(f"group{i}")])
    box.post(7, [sends.send("private")], lane=Lane.SAFETY)
    assert not await box.drain(within=0.5)  # the group waits for its window...
    assert sends.order.count("private") == 1  # ...the private chat does not
    assert sum(1 for s in sends.order if s.startswith("group")) == 3
    await box.close(0.0)


async def test_post_returns_before_anything_is_sent() -> None:
    box = Outbox()
    sends = Recorder()
    assert box.post(1, [sends.send("answer")])
    assert sends.order == []
    assert await box.drain(within=5.0)
    assert sends.order == ["answer"]
