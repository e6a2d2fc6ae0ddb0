"""Sends that fail in transit are retried by the outbox, the one retry layer, a bounded number
of times, so a parent gets the answer (and a red-flag prompt) exactly once; errors that say the
message cannot be sent are not retried. Driven through the real application with the offline
Bot API of tgfakes, and through the Outbox itself."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import Harness
from fakebotapi import parse_html
from telegram import Message
from telegram.error import BadRequest, ChatMigrated, Forbidden, NetworkError, RetryAfter, TimedOut
from tgfakes import Failure, message_update

from tgbot.channels.telegram import outbox
from tgbot.channels.telegram.outbox import Lane, Outbox, OutboxLimits
from tgbot.channels.telegram.render import render_text
from tgbot.core.content import ContentPack

QUESTION = "Why does my baby twitch in her sleep?"
SHIPPED_BACKOFF = outbox.BACKOFF  # before the fixture below replaces it


@pytest.fixture(autouse=True)
def no_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    """Retries without the real back-off, so these tests take milliseconds."""
    monkeypatch.setattr(outbox, "BACKOFF", (0.0,))


class FailingSend:
    """A send that raises the given errors in turn, then returns a message."""

    def __init__(self, *errors: BaseException) -> None:
        self.errors = list(errors)
        self.calls = 0

    async def __call__(self) -> Message:
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)
        return Message(message_id=1, date=None, chat=None)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "failure",
    [
        Failure(500, "Internal Server Error"),
        Failure(502, "Bad Gateway"),
        Failure(429, "Too Many Requests: retry after 1", {"retry_after": 1}),
    ],
    ids=["500", "502", "429"],
)
async def test_a_failed_answer_is_sent_again_and_arrives_once(
    harness: Harness, failure: Failure
) -> None:
    harness.api.fail_next("sendMessage", failure)
    await harness.send(message_update(QUESTION))
    calls = harness.api.sent
    assert len(calls) == 2  # refused once, then delivered once
    assert calls[0].text == calls[1].text
    assert len(harness.stats.answers) == 1  # the question is counted once, not per attempt


async def test_an_emergency_prompt_survives_several_failures_in_a_row(
    harness: Harness, pack: ContentPack, emergency_text: str
) -> None:
    for _ in range(outbox.MAX_ATTEMPTS - 1):
        harness.api.fail_next("sendMessage", Failure(500, "Internal Server Error"))
    await harness.send(message_update(emergency_text))
    delivered = harness.api.sent[-1]
    shown = parse_html(delivered.text).text  # what the parent reads
    assert shown.startswith(parse_html(render_text(pack.text("emergency_prompt"))).text)
    assert len(harness.api.sent) == outbox.MAX_ATTEMPTS


class TimingOutRequest:
    """Wraps do_request of the offline Bot API: the first sendMessage times out."""

    def __init__(self, harness: Harness, error: BaseException) -> None:
        self.harness = harness
        self.error: BaseException | None = error
        self.original = harness.api.do_request

    async def __call__(self, url: str, method: str, *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        result = await self.original(url, method, *args, **kwargs)
        if url.endswith("/sendMessage") and self.error is not None:
            error, self.error = self.error, None
            raise error
        return result


async def test_a_timed_out_answer_is_sent_again(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(harness.api, "do_request", TimingOutRequest(harness, TimedOut()))
    await harness.send(message_update(QUESTION))
    assert len(harness.api.sent) == 2


async def test_a_garbled_server_answer_is_sent_again(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    original = harness.api.do_request
    garbled = {"left": 1}

    async def garble(url: str, method: str, *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        status, body = await original(url, method, *args, **kwargs)
        if url.endswith("/sendMessage") and garbled["left"]:
            garbled["left"] -= 1
            return status, body[: len(body) // 2]  # JSON cut short, as a broken proxy sends
        return status, body

    monkeypatch.setattr(harness.api, "do_request", garble)
    await harness.send(message_update(QUESTION))
    assert len(harness.api.sent) == 2


async def deliver(box: Outbox, send: FailingSend, lane: Lane = Lane.NORMAL) -> None:
    assert box.post(-100123, [send], lane=lane)
    assert await box.drain(within=30.0)


@pytest.mark.parametrize(
    "error",
    [
        BadRequest("Bad Request: can't parse entities"),
        Forbidden("Forbidden: bot was blocked by the user"),
        ChatMigrated(-1001),
        RetryAfter(outbox.MAX_RETRY_AFTER + 1),
    ],
    ids=["bad-request", "forbidden", "migrated", "long-flood-wait"],
)
async def test_errors_that_no_retry_can_fix_are_not_retried(error: Exception) -> None:
    failing = FailingSend(error)
    await deliver(Outbox(), failing)
    assert failing.calls == 1


async def test_transient_failures_get_at_most_three_attempts() -> None:
    failing = FailingSend(*(NetworkError("Bad Gateway") for _ in range(10)))
    await deliver(Outbox(), failing)
    assert failing.calls == outbox.MAX_ATTEMPTS == 3


async def test_a_sustained_flood_wait_gets_at_most_two_attempts(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    waits: list[float] = []

    async def no_sleep(seconds: float) -> None:
        waits.append(seconds)

    monkeypatch.setattr(outbox.asyncio, "sleep", no_sleep)
    failing = FailingSend(*(RetryAfter(3) for _ in range(10)))
    await deliver(Outbox(OutboxLimits(paced=False)), failing, Lane.SAFETY)
    assert failing.calls == outbox.MAX_ATTEMPTS_AFTER_429 == 2
    assert sum(waits) <= outbox.MAX_REPLY_WAIT


async def test_a_short_flood_wait_is_sat_out_and_retried(monkeypatch: pytest.MonkeyPatch) -> None:
    waits: list[float] = []

    async def no_sleep(seconds: float) -> None:
        waits.append(seconds)

    monkeypatch.setattr(outbox.asyncio, "sleep", no_sleep)
    failing = FailingSend(RetryAfter(3))
    await deliver(Outbox(OutboxLimits(paced=False)), failing)
    assert failing.calls == 2
    assert waits == [pytest.approx(3.1)]


def test_the_worst_case_wait_of_one_reply_is_bounded() -> None:
    # Every wait between attempts counts against MAX_REPLY_WAIT; one flood wait is at most
    # MAX_RETRY_AFTER, and the back-off of the transient failures adds little.
    assert outbox.MAX_RETRY_AFTER <= outbox.MAX_REPLY_WAIT <= 35.0
    assert sum(SHIPPED_BACKOFF) <= 5.0
