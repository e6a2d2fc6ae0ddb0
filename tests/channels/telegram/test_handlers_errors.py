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

from tgbot.channels.telegram.handlers import (
    CONFLICT_EXIT_CODE,
    guarded,
    handle_telegram_error,
    make_error_handler,
)
from tgbot.channels.telegram.state import ConflictWatch

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


async def test_a_polling_conflict_logs_one_clear_line_then_stops_polling(
    harness: Harness, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Two processes polling one token: PTB retries for ever. One warning that names the
    # cause; after stop_after seconds of conflict, one error line and the bot stops polling
    # (run_bot then exits with CONFLICT_EXIT_CODE for the supervisor).
    now = [1000.0]
    watch = harness.services.conflict
    monkeypatch.setattr(watch, "_clock", lambda: now[0])
    assert watch.stop_after == 60.0
    stops: list[bool] = []
    monkeypatch.setattr(harness.app, "stop_running", lambda: stops.append(True))
    conflict = Conflict("Conflict: terminated by other getUpdates request")
    with caplog.at_level(logging.INFO):
        for _ in range(5):  # PTB's retries within a minute
            await harness.app.process_error(update=None, error=conflict)
            now[0] += 10.0
        assert stops == []
        warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
        assert len(warnings) == 1
        assert "another process is polling with this bot token" in warnings[0]
        now[0] += 20.0
        await harness.app.process_error(update=None, error=conflict)
        await harness.app.process_error(update=None, error=conflict)
    assert stops == [True]  # once
    assert watch.stopped
    errors = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert errors == [f"event=conflict_stop after_s=60 exit_code={CONFLICT_EXIT_CODE}"]
    assert "TOKEN" not in caplog.text
    # The harness's own error recorder saw the conflicts we sent on purpose.
    assert all(isinstance(e, Conflict) for e in harness.errors)
    harness.errors.clear()


def test_a_conflict_that_went_away_starts_over() -> None:
    now = [0.0]
    watch = ConflictWatch(stop_after=60.0, reset_after=120.0, clock=lambda: now[0])
    assert watch.seen() == ConflictWatch.FIRST
    now[0] = 50.0
    assert watch.seen() == ConflictWatch.REPEAT
    now[0] = 500.0  # the other poller stopped long ago: a new conflict is news again
    assert watch.seen() == ConflictWatch.FIRST
    now[0] = 530.0
    assert watch.seen() == ConflictWatch.REPEAT
    now[0] = 561.0
    assert watch.seen() == ConflictWatch.STOP
    assert watch.seen() == ConflictWatch.REPEAT  # stop is said once
