"""What one answered question records: channel, path, outcome and safety level, never identity.

Pure values; never imports telegram or aiosqlite.
"""

from __future__ import annotations

import enum


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
