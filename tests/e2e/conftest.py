"""Fixtures for the end-to-end tests: one real bot process per test module, and a check that
each test left no error in the bot's log."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from e2e.harness import Conversation, running_bot

# Log lines that mean a handler or the bot itself failed (the bot logs expected Telegram
# trouble as warnings and unexpected exceptions as event=error).
ERROR_MARKS = ("event=error", "Traceback")


@pytest.fixture(scope="module")
def conversation(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Conversation]:
    """The bot started as a user starts it, talking to a fresh fake Bot API server.

    Module-scoped: starting takes half a second, and each test uses its own users and chats,
    so tests stay independent of each other's order.
    """
    with running_bot(tmp_path_factory.mktemp("e2e")) as started:
        yield started


@pytest.fixture(autouse=True)
def bot_log_stays_clean(request: pytest.FixtureRequest) -> Iterator[None]:
    """Fail a test after which the bot logged an unexpected error.

    Modules whose tests provoke errors on purpose set BOT_ERRORS_EXPECTED = True.
    """
    if "conversation" not in request.fixturenames or getattr(
        request.module, "BOT_ERRORS_EXPECTED", False
    ):
        yield
        return
    conversation: Conversation = request.getfixturevalue("conversation")
    start = len(conversation.bot.log_text())
    yield
    new_lines = conversation.bot.log_text()[start:].splitlines()
    errors = [line for line in new_lines if any(mark in line for mark in ERROR_MARKS)]
    assert errors == [], "the bot logged errors during this test"
