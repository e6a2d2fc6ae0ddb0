"""The statistics interface the channel adapters call, and a do-nothing implementation.

Adapters hand over the Answer and the asker's Telegram user id; the implementation turns the
id into a daily-rotating anonymous token at once and never stores or logs the id itself.
Recording must never block or raise into a handler.
"""

from __future__ import annotations

import secrets
from typing import Protocol

from tgbot.core.answers import Answer
from tgbot.core.model import Level
from tgbot.stats.events import AskPath, Channel


def new_event_id() -> str:
    """A random id for one answered question; feedback buttons carry it (12 hex chars)."""
    return secrets.token_hex(6)


class StatsService(Protocol):
    """What handlers may do with statistics."""

    def record_answer(
        self, answer: Answer, *, channel: Channel, path: AskPath, user_id: int | None
    ) -> str:
        """Queue one answered question; returns the event id for its feedback buttons."""
        ...

    def record_feedback(self, event_id: str, helpful: bool, *, voter_id: int | None = None) -> bool:
        """Queue a 👍/👎 for an event; False when the id is unknown or malformed. A 👎 may
        keep the question's text only when voter_id is the asker's (compared as tokens)."""
        ...

    def record_check(self, *, channel: Channel, ended_at: str, level: Level | None) -> None:
        """Count how one "check the warning signs" ended: the step that got a yes (or
        "all-clear") and its level."""
        ...

    async def start(self) -> None:
        """Open the store and start the background writer."""
        ...

    async def stop(self) -> None:
        """Flush everything queued, then close the store."""
        ...

    async def operator_summary(self) -> str:
        """Plain-text figures for the last 7 and 30 days, for the operators' /stats."""
        ...


class NullStats:
    """Statistics switched off: records nothing, still hands out event ids for buttons."""

    def record_answer(
        self, answer: Answer, *, channel: Channel, path: AskPath, user_id: int | None
    ) -> str:
        return new_event_id()

    def record_feedback(self, event_id: str, helpful: bool, *, voter_id: int | None = None) -> bool:
        return True

    def record_check(self, *, channel: Channel, ended_at: str, level: Level | None) -> None:
        return None

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        return None

    async def operator_summary(self) -> str:
        return "Statistics are switched off."
