"""What one answered question records: channel, path, outcome and safety level, never identity.

Pure values; never imports telegram or aiosqlite.
"""

from __future__ import annotations

import enum
from typing import NamedTuple


class Channel(enum.StrEnum):
    """Where the question came from."""

    PRIVATE = "private"
    GROUP = "group"
    INLINE = "inline"
    CONSOLE = "console"


class AskPath(enum.StrEnum):
    """How the question was asked."""

    FREE_TEXT = "free_text"
    ASK_COMMAND = "ask"
    BUTTON = "button"
    DEEP_LINK = "deep_link"
    INLINE = "inline"
    AUTO_ANSWER = "auto_answer"
    EDITED = "edited"  # an edit that added a red flag
    CHECK = "check"  # a yes in the warning-signs check


# What the store keeps of one question. Fields are anonymous by construction: the asker is a
# daily-rotating token (anonymize.py) and the text, when kept at all, is already scrubbed.
# Named tuples of plain strings, not dataclasses: thousands wait in the queue, and tuples of
# atoms are dropped from the garbage collector's tracking, so they do not make its full
# collections (which pause answering) more frequent.
class QuestionEvent(NamedTuple):
    """One answered question as the statistics store it."""

    event_id: str
    hour: str  # UTC, truncated to the hour: "2025-03-01T14:00Z"
    day: str  # UTC day: "2025-03-01"
    channel: str  # a Channel value
    path: str  # an AskPath value
    outcome: str  # an answers.Outcome value
    topic: str | None
    confidence_bucket: str
    level: str | None  # a model.Level value
    concepts: tuple[str, ...]
    suggested: bool
    language: str
    asker: str | None  # None when the channel has no user (console)
    text: str | None = None  # scrubbed question, kept for unanswered questions only


class FeedbackEvent(NamedTuple):
    """A 👍/👎 on an answered question, tied to it by the random event id only."""

    event_id: str
    helpful: bool
    hour: str
    text: str | None = None  # scrubbed question of a 👎, when texts are kept


class CheckEvent(NamedTuple):
    """How one "check the warning signs" ended: the step that got a yes (or "all-clear") and
    the level it led to. Counted per day; no event id, token or text at all."""

    day: str
    channel: str  # a Channel value
    ended_at: str  # a checkflow step id, or checkflow.ALL_CLEAR
    level: str | None  # a model.Level value; None for all-clear


def confidence_bucket(confidence: float) -> str:
    """The matcher confidence as a tenth-wide bucket, "0.0-0.1" .. "0.9-1.0"."""
    tenth = min(max(int(confidence * 10), 0), 9)
    return f"0.{tenth}-{(tenth + 1) / 10:.1f}"
