"""The one error path: unexpected errors are logged by type, handler and code location only;
Telegram's expected errors are handled quietly; the bot keeps going."""

from __future__ import annotations

import logging
from types import SimpleNamespace
from typing import Any

import pytest
from conftest import Harness
from telegram import Update
from telegram.error import BadRequest, Conflict, Forbidden, RetryAfter, TimedOut
from telegram.ext import ContextTypes
from tgfakes import PRIVATE_USER, message_update

from tgbot.channels.telegram.handlers import guarded, handle_telegram_error, make_error_handler

SECRET_TEXT = "my daughter Lena 5550001 twitches"


def context_with(error: BaseException) -> Any:
    return SimpleNamespace(error=error)


async def raise_error(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    raise ValueError(SECRET_TEXT)


async def test_unexpected_error_is_logged_by_type_handler_and_place_only(
    caplog: pytest.LogCaptureFixture,
) -> None:
    wrapped = guarded("private_text", raise_error, services=None)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="Lena") as info:
        await wrapped(Update(1), context_with(ValueError()))
    on_error = make_error_handler()
    with caplog.at_level(logging.INFO):
        await on_error(Update(1), context_with(info.value))
    [line] = [r.getMessage() for r in caplog.records]
    assert line.startswith("event=error type=ValueError handler=private_text at=")
    assert "Lena" not in caplog.text
    assert "5550001" not in caplog.text


async def test_polling_errors_name_polling_as_the_handler(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO):
        await make_error_handler()(None, context_with(Conflict("terminated by other getUpdates")))
    assert "event=error type=Conflict handler=polling" in caplog.text


@pytest.mark.parametrize(
    "make",
    [
        lambda: Forbidden("Forbidden: bot was blocked by the user"),
        lambda: BadRequest("Bad Request: message is not modified"),
        lambda: RetryAfter(5),
        TimedOut,
    ],
)
def test_telegrams_expected_errors_are_handled(make: Any) -> None:
    assert handle_telegram_error(make(), "x") is True


def test_other_bad_requests_are_not_swallowed() -> None:
    assert handle_telegram_error(BadRequest("Bad Request: can't parse entities"), "x") is False


async def test_unknown_update_kinds_are_stopped_at_the_gate(harness: Harness) -> None:
    poll_answer = {
        "update_id": 99,
        "poll_answer": {
            "poll_id": "1",
            "option_ids": [0],
            "option_persistent_ids": ["a"],
            "user": PRIVATE_USER,
        },
    }
    await harness.send(poll_answer)
    await harness.send(message_update("hello", kind="edited_channel_post", edit_date=1))
    assert harness.api.calls == []
