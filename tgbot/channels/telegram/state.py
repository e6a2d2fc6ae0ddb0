"""The state the Telegram handlers hold between updates: live content, per-group settings,
the flood guard and recent group answers (and, in Services, the outboxes of outbox.py).

Functional state keys on a chat id and nothing more (never a user id, name or text), lives in
memory except the groups' auto-answer switch, and is deleted when the bot leaves a group.
Never imports telegram at run time.
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
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from tgbot.config import Settings
from tgbot.core.content import ContentError, ContentLibrary, load_content
from tgbot.core.model import ContentProblem, Level
from tgbot.core.ui_texts import UI_TEXTS
from tgbot.stats.service import StatsService

if TYPE_CHECKING:  # for the annotation only: this module never imports telegram at run time
    from tgbot.channels.telegram.outbox import Outbox

__all__ = [
    "FloodGuard",
    "GroupSettings",
    "LiveContent",
    "RecentAnswers",
    "Services",
    "Verdict",
]

log = logging.getLogger(__name__)


RELOAD_SECONDS = 20.0  # a reload that takes longer is given up (the old content stays)


def _reload_problem(content_dir: Path, what: str) -> ContentProblem:
    return ContentProblem(content_dir, 1, f"reload refused: {what}; the old content stays")


def _settle(
    future: asyncio.Future[ContentLibrary],
    result: ContentLibrary | None,
    error: BaseException | None,
) -> None:
    if future.done():
        return
    if error is not None:
        future.set_exception(error)
    elif result is not None:
        future.set_result(result)


class LiveContent:
    """The content in use, swapped in one assignment so every update sees one whole version."""

    def __init__(
        self, library: ContentLibrary, content_dir: Path, emergency_number: str | None
    ) -> None:
        self.library = library
        self.content_dir = content_dir
        self._emergency_number = emergency_number
        self._lock = asyncio.Lock()
        self._loading: asyncio.Future[ContentLibrary] | None = None

    async def reload(self, within: float = RELOAD_SECONDS) -> ContentLibrary:
        """Load and validate the content again; on success swap it in, else keep the old one.

        Raises ContentError with the full report when the new content is invalid, or when
        loading takes longer than `within` seconds (a hung network mount): the lock is
        released then, and until that load ends every other reload is refused at once.
        The load runs in a daemon thread, so a stuck one never keeps the bot from exiting.
        """
        if self._loading is not None and not self._loading.done():
            raise ContentError(
                [_reload_problem(self.content_dir, "the last reload is still stuck")]
            )
        async with self._lock:  # two reloads at once would race to the same files
            loop = asyncio.get_running_loop()
            future: asyncio.Future[ContentLibrary] = loop.create_future()
            # A load that ends after its wait gave up: its outcome is read here, not lost.
            future.add_done_callback(lambda f: f.cancelled() or f.exception())
            self._loading = future

            def load() -> None:
                try:
                    result = load_content(
                        self.content_dir,
                        emergency_number=self._emergency_number,
                        required_texts=UI_TEXTS,
                    )
                except BaseException as exc:
                    loop.call_soon_threadsafe(_settle, future, None, exc)
                else:
                    loop.call_soon_threadsafe(_settle, future, result, None)

            threading.Thread(target=load, name="content-reload", daemon=True).start()
            try:
                library = await asyncio.wait_for(asyncio.shield(future), within)
            except TimeoutError:
                raise ContentError(
                    [_reload_problem(self.content_dir, f"loading took over {within:.0f} s")]
                ) from None
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


class ConflictWatch:
    """Telegram's 409 Conflict on getUpdates: another process polls with this token (or a
    webhook is set). PTB retries for ever; we log one clear line, and when the conflict has
    lasted `stop_after` seconds the bot stops polling and exits non-zero, so a supervisor
    sees it instead of two bots fighting over updates."""

    FIRST = "first"
    REPEAT = "repeat"
    STOP = "stop"

    def __init__(
        self,
        stop_after: float = 60.0,
        reset_after: float = 120.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.stop_after = stop_after
        self._reset_after = reset_after
        self._clock = clock
        self._since: float | None = None
        self._last = 0.0
        self.stopped = False

    def seen(self) -> str:
        """One more Conflict: FIRST (log it), REPEAT (stay quiet) or STOP (once)."""
        now = self._clock()
        if self._since is None or now - self._last > self._reset_after:
            # The first one, or the other poller went away long enough ago: start over.
            self._since = now
            self._last = now
            return self.FIRST
        self._last = now
        if not self.stopped and now - self._since >= self.stop_after:
            self.stopped = True
            return self.STOP
        return self.REPEAT


class PromptedMessages:
    """The red-flag level each recent message of a parent was already prompted at, so an edit
    that adds a red flag gets the prompt once and an edit of an answered flag gets nothing.

    Held in memory only (chat and message ids never reach logs or statistics), bounded: the
    oldest entries go first, and a forgotten one only means an edit is prompted again.
    """

    def __init__(self, max_entries: int = 20_000) -> None:
        self._max = max_entries
        self._levels: OrderedDict[tuple[int, int], Level] = OrderedDict()

    def note(self, chat_id: int, message_id: int, level: Level) -> None:
        """The message was answered with the prompt for `level` (or a higher one before)."""
        self.raise_to(chat_id, message_id, level)

    def raise_to(self, chat_id: int, message_id: int, level: Level) -> bool:
        """Record `level` for the message; True when it is higher than any prompt it had."""
        key = (chat_id, message_id)
        before = self._levels.get(key)
        if before is not None and before.rank >= level.rank:
            self._levels.move_to_end(key)
            return False
        self._levels[key] = level
        self._levels.move_to_end(key)
        while len(self._levels) > self._max:
            self._levels.popitem(last=False)
        return True

    def __len__(self) -> int:
        return len(self._levels)


class Verdict(enum.StrEnum):
    """What the flood guard says about one more question."""

    OK = "ok"
    WARN = "warn"  # over the limit for the first time in this window: send one slow-down
    REMIND = "remind"  # a repeated red flag: one short reminder of the prompt, once a window
    SILENT = "silent"  # still over the limit: say nothing


class FloodGuard:
    """Per-user rate limits: questions and commands share one budget (check); red flags have
    their own (check_red_flag), so a flood of either costs the flooder, never other parents.

    Users are keyed on a keyed hash of their id under a random per-process key, so even this
    memory holds no Telegram id. Memory is bounded by max_users whatever the number of users.
    """

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
        # A user's red flags in the current window: when the window began, the most severe
        # level answered in full, and whether the one short reminder went out.
        self._flags: dict[str, tuple[float, Level, bool]] = {}

    def _user_key(self, user_id: int) -> str:
        return hmac.new(self._key, str(user_id).encode(), hashlib.sha256).hexdigest()[:24]

    def check(self, user_id: int) -> Verdict:
        """Count one question; OK, WARN (once a window) or SILENT."""
        now = self._clock()
        key = self._user_key(user_id)
        hits = self._count(key, now)
        if len(hits) <= self._limit:
            return Verdict.OK
        warned = self._warned.get(key)
        if warned is not None and now - warned <= self._window:
            return Verdict.SILENT
        self._warned[key] = now
        return Verdict.WARN

    def _count(self, key: str, now: float) -> deque[float]:
        if key not in self._hits and len(self._hits) >= self._max_users:
            self._prune(now)
        # One more than the limit is all the guard needs to see, so a flood costs no memory.
        hits = self._hits.setdefault(key, deque(maxlen=self._limit + 1))
        while hits and now - hits[0] > self._window:
            hits.popleft()
        hits.append(now)
        return hits

    def note(self, user_id: int) -> None:
        """Count a message against the user's budget without a verdict (a red flag, which
        check_red_flag judges), so that a flood of red flags also spends it."""
        self._count(self._user_key(user_id), self._clock())

    def quiet(self, user_id: int) -> bool:
        """Nothing more this user sends in the window can get a reply: over the budget, and
        the emergency prompt and its reminder already sent. The gate drops such messages
        before any work, so a one-user flood costs a hash per message."""
        now = self._clock()
        key = self._user_key(user_id)
        hits = self._hits.get(key)
        flags = self._flags.get(key)
        return (
            hits is not None
            and len(hits) > self._limit
            and now - hits[0] <= self._window
            and flags is not None
            and now - flags[0] <= self._window
            and flags[1] is Level.EMERGENCY
            and flags[2]
        )

    def check_red_flag(self, user_id: int, level: Level) -> Verdict:
        """A red-flag message: the first in a window (or one more severe than any answered in
        it) is answered in full, the next gets one short reminder, the rest silence."""
        now = self._clock()
        key = self._user_key(user_id)
        if key not in self._flags and len(self._flags) >= self._max_users:
            self._prune(now)
        seen = self._flags.get(key)
        if seen is None or now - seen[0] > self._window or level.rank > seen[1].rank:
            self._flags[key] = (now, level, False)
            return Verdict.OK
        started, answered, reminded = seen
        if reminded:
            return Verdict.SILENT
        self._flags[key] = (started, answered, True)
        return Verdict.REMIND

    def _prune(self, now: float) -> None:
        self._hits = {k: v for k, v in self._hits.items() if v and now - v[-1] <= self._window}
        self._warned = {k: t for k, t in self._warned.items() if now - t <= self._window}
        self._flags = {k: f for k, f in self._flags.items() if now - f[0] <= self._window}
        if len(self._hits) >= self._max_users:
            # Under a flood of distinct users, forgetting is safer than growing without bound.
            self._hits.clear()
            self._warned.clear()
        if len(self._flags) >= self._max_users:
            # Forgetting a red flag only means its next repeat gets the full answer again.
            self._flags.clear()


@dataclass(frozen=True, slots=True)
class Services:
    """What every handler may use; built once at start-up and shared by all handlers."""

    content: LiveContent
    stats: StatsService
    settings: Settings
    groups: GroupSettings
    recent: RecentAnswers
    flood: FloodGuard
    outbox: Outbox
    prompted: PromptedMessages = field(default_factory=PromptedMessages)
    conflict: ConflictWatch = field(default_factory=ConflictWatch)
