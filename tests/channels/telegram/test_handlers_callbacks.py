"""Button presses: a topic button shows its answer, 👍/👎 is recorded and acknowledged once,
forged or stale data gets a polite answer."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from contextlib import closing
from pathlib import Path

import pytest
from conftest import Harness
from tgfakes import (
    BOT_USERNAME,
    Failure,
    RecordingRequest,
    RecordingStats,
    bot_message,
    callback_update,
    group_chat,
    message_update,
    private_chat,
)
from tgfakes import PRIVATE_USER as USER

from tgbot.channels.telegram.app import build_application, build_services
from tgbot.config import Settings
from tgbot.core.content import ContentLibrary, ContentPack
from tgbot.stats.events import AskPath, Channel
from tgbot.stats.recorder import StatsRecorder

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
    assert not any(b.get("callback_data", "").startswith("f:") for b in edit.buttons())


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


# --- 👎 in a group: anyone's vote counts, only the asker's keeps the question's text --------

ASKER = {"id": 5550101, "is_bot": False, "first_name": "Asha", "language_code": "en"}
NEIGHBOUR = {"id": 5550202, "is_bot": False, "first_name": "Ben", "language_code": "en"}


@pytest.fixture
async def recorded_group(
    settings: Settings, content_library: ContentLibrary, api: RecordingRequest, tmp_path: Path
) -> AsyncIterator[tuple[Harness, StatsRecorder, Path]]:
    """The real application and the real statistics recorder (texts opted in) on a file."""
    db_path = tmp_path / "votes.sqlite3"
    recorder = StatsRecorder(db_path, store_text="unanswered", flush_interval=0.01)
    services = build_services(settings, content_library, stats=recorder)
    app = build_application(settings, services, request=api, with_updater=False)
    harness = Harness(app=app, api=api, stats=RecordingStats(), services=services)
    await recorder.start()
    async with app:
        api.clear()
        yield harness, recorder, db_path
    await recorder.stop()


async def _answer_in_group(harness: Harness, question: str) -> tuple[str, dict[str, object]]:
    await harness.send(
        message_update(f"/ask@{BOT_USERNAME} {question}", chat=group_chat(), user=ASKER)
    )
    answered = harness.api.sent[0]
    [vote_down] = [
        b["callback_data"]
        for b in answered.buttons()
        if b.get("callback_data", "").startswith("f:") and b["callback_data"].endswith(":0")
    ]
    harness.api.clear()
    return vote_down, bot_message(group_chat(), markup=answered.markup)


def _rows(db_path: Path, sql: str) -> list[tuple[object, ...]]:
    with closing(sqlite3.connect(db_path)) as conn:
        return conn.execute(sql).fetchall()


async def test_a_neighbours_thumbs_down_counts_but_keeps_no_text_of_the_askers_question(
    recorded_group: tuple[Harness, StatsRecorder, Path], pack: ContentPack
) -> None:
    harness, recorder, db_path = recorded_group
    vote_down, message = await _answer_in_group(harness, QUESTION)
    await harness.send(callback_update(vote_down, message=message, user=NEIGHBOUR))
    [ack] = harness.api.called("answerCallbackQuery")
    assert ack.params["text"] == pack.text("feedback_thanks")
    await recorder.flush()
    assert _rows(db_path, "SELECT helpful FROM feedback") == [(0,)]
    assert _rows(db_path, "SELECT text FROM questions_text") == []


async def test_the_askers_own_thumbs_down_keeps_the_scrubbed_text(
    recorded_group: tuple[Harness, StatsRecorder, Path],
) -> None:
    harness, recorder, db_path = recorded_group
    vote_down, message = await _answer_in_group(harness, QUESTION)
    await harness.send(callback_update(vote_down, message=message, user=ASKER))
    await recorder.flush()
    assert _rows(db_path, "SELECT helpful FROM feedback") == [(0,)]
    assert _rows(db_path, "SELECT kind, text FROM questions_text") == [("unhelpful", QUESTION)]
