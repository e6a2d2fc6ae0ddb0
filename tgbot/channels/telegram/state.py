"""The state the Telegram handlers hold between updates: live content, per-group settings,
the flood guard and recent group answers.

Functional state keys on a chat id and nothing more (never a user id, name or text), lives in
memory except the groups' auto-answer switch, and is deleted when the bot leaves a group.
Never imports telegram.
"""

from __future__ import annotations

import asyncio
import enum
import hashlib
import hmac
import json
import logging
import os
import secrets
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from tgbot.config import Settings
from tgbot.core.content import ContentLibrary, load_content
from tgbot.core.ui_texts import UI_TEXTS
from tgbot.stats.service import StatsService

__all__ = [
    "FloodGuard",
    "GroupSettings",
    "LiveContent",
    "RecentAnswers",
    "Services",
    "Verdict",
]

log = logging.getLogger(__name__)


class LiveContent:
    """The content in use, swapped in one assignment so every update sees one whole version."""

    def __init__(
        self, library: ContentLibrary, content_dir: Path, emergency_number: str | None
    ) -> None:
        self.library = library
        self.content_dir = content_dir
        self._emergency_number = emergency_number
        self._lock = asyncio.Lock()

    async def reload(self) -> ContentLibrary:
        """Load and validate the content again; on success swap it in, else keep the old one.

        Raises ContentError with the full report when the new content is invalid.
        """
        async with self._lock:  # two reloads at once would race to the same files
            library = await asyncio.to_thread(
                load_content,
                self.content_dir,
                emergency_number=self._emergency_number,
                required_texts=UI_TEXTS,
            )
            self.library = library
            return library


class GroupSettings:
    """Which groups switched auto-answer on, keyed on the chat id only.

    Kept in a small JSON file so an admin's choice survives a restart; a group is forgotten
    when auto-answer goes off or the bot leaves it. A broken or unwritable file never stops
    the bot: it keeps the setting in memory and logs one line.
    """

    def __init__(self, path: Path | None) -> None:
        self._path = path
        self._auto: set[int] = set()
        self._load()

    def _load(self) -> None:
        if self._path is None or not self._path.is_file():
            return
        try:
            data = json.loads(self._path.read_text(encoding="utf-8"))
            self._auto = {int(c) for c in data.get("autoanswer", [])}
        except (OSError, ValueError, TypeError, AttributeError) as exc:
            log.warning("event=group_settings_unreadable error=%s", type(exc).__name__)

    def _save(self) -> None:
        if self._path is None:
            return
        try:
            self._path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self._path.with_suffix(".tmp")
            tmp.write_text(json.dumps({"autoanswer": sorted(self._auto)}), encoding="utf-8")
            os.replace(tmp, self._path)  # atomic: a crash never leaves half a file
        except OSError as exc:
            log.warning("event=group_settings_unwritable error=%s", type(exc).__name__)

    def autoanswer(self, chat_id: int) -> bool:
        return chat_id in self._auto

    def set_autoanswer(self, chat_id: int, on: bool) -> None:
        if on == (chat_id in self._auto):
            return
        if on:
            self._auto.add(chat_id)
        else:
            self._auto.discard(chat_id)
        self._save()

    def forget(self, chat_id: int) -> None:
        """The bot left the group: nothing about it stays."""
        self.set_autoanswer(chat_id, False)

    def migrate(self, old_chat_id: int, new_chat_id: int) -> None:
        """A group became a supergroup with a new id: the setting moves with it."""
        if old_chat_id in self._auto:
            self._auto.discard(old_chat_id)
            self._auto.add(new_chat_id)
            self._save()

    @property
    def count(self) -> int:
        return len(self._auto)


@dataclass(frozen=True, slots=True)
class RecentAnswer:
    message_id: int
    at: float


class RecentAnswers:
    """Which topics were answered in which group thread in the last few minutes, so the
    bot can point to its earlier answer instead of repeating it."""

    def __init__(
        self,
        window_seconds: float = 300.0,
        max_entries: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._window = window_seconds
        self._max = max_entries
        self._clock = clock
        self._seen: dict[tuple[int, int | None, str], RecentAnswer] = {}

    def earlier(self, chat_id: int, thread_id: int | None, topic_id: str) -> int | None:
        """The message id of this topic's answer in this thread within the window, if any."""
        entry = self._seen.get((chat_id, thread_id, topic_id))
        if entry is None or self._clock() - entry.at > self._window:
            return None
        return entry.message_id

    def remember(self, chat_id: int, thread_id: int | None, topic_id: str, message_id: int) -> None:
        now = self._clock()
        if len(self._seen) >= self._max:
            self._seen = {k: v for k, v in self._seen.items() if now - v.at <= self._window}
            if len(self._seen) >= self._max:  # all fresh: drop the oldest half
                keep = sorted(self._seen.items(), key=lambda kv: kv[1].at)[self._max // 2 :]
                self._seen = dict(keep)
        self._seen[(chat_id, thread_id, topic_id)] = RecentAnswer(message_id, now)

    def forget_chat(self, chat_id: int) -> None:
        self._seen = {k: v for k, v in self._seen.items() if k[0] != chat_id}

    def migrate(self, old_chat_id: int, new_chat_id: int) -> None:
        self._seen = {
            ((new_chat_id if k[0] == old_chat_id else k[0]), k[1], k[2]): v
            for k, v in self._seen.items()
        }


class Verdict(enum.StrEnum):
    """What the flood guard says about one more question."""

    OK = "ok"
    WARN = "warn"  # over the limit for the first time in this window: send one slow-down
    SILENT = "silent"  # still over the limit: say nothing


class FloodGuard:
    """Per-user question rate limit. Users are keyed on a keyed hash of their id under a
    random per-process key, so even this memory holds no Telegram id."""

    def __init__(
        self,
        limit: int = 10,
        window_seconds: float = 60.0,
        max_users: int = 50_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._limit = limit
        self._window = window_seconds
        self._max_users = max_users
        self._clock = clock
        self._key = secrets.token_bytes(32)
        self._hits: dict[str, deque[float]] = {}
        self._warned: dict[str, float] = {}

    def _user_key(self, user_id: int) -> str:
        return hmac.new(self._key, str(user_id).encode(), hashlib.sha256).hexdigest()[:24]

    def check(self, user_id: int) -> Verdict:
        """Count one question; OK, WARN (once a window) or SILENT."""
        now = self._clock()
        key = self._user_key(user_id)
        if key not in self._hits and len(self._hits) >= self._max_users:
            self._prune(now)
        hits = self._hits.setdefault(key, deque())
        while hits and now - hits[0] > self._window:
            hits.popleft()
        hits.append(now)
        if len(hits) <= self._limit:
            return Verdict.OK
        warned = self._warned.get(key)
        if warned is not None and now - warned <= self._window:
            return Verdict.SILENT
        self._warned[key] = now
        return Verdict.WARN

    def _prune(self, now: float) -> None:
        self._hits = {k: v for k, v in self._hits.items() if v and now - v[-1] <= self._window}
        self._warned = {k: t for k, t in self._warned.items() if now - t <= self._window}
        if len(self._hits) >= self._max_users:
            # Under a flood of distinct users, forgetting is safer than growing without bound.
            self._hits.clear()
            self._warned.clear()


@dataclass(frozen=True, slots=True)
class Services:
    """What every handler may use; built once at start-up and shared by all handlers."""

    content: LiveContent
    stats: StatsService
    settings: Settings
    groups: GroupSettings
    recent: RecentAnswers
    flood: FloodGuard
