"""Per-chat outboxes: every reply the bot sends to a chat goes through here, so that no
handler waits on Telegram's rate limits and a flooded chat only ever delays itself.

Handlers post a Reply (the sends of one answer, in order) and return at once; one worker task
per chat with queued replies drains it within Telegram's limits (20 messages a minute in a
group, about 30 a second overall). Safety replies (emergency and urgent prompts) jump every
queue: the chat's own and the overall pacer. A flooded chat's stale ordinary replies are
dropped and its queued safety prompts coalesced, so memory per chat is bounded.

This is the only layer that retries a send (there is no AIORateLimiter underneath): a 429 is
waited out in that chat only and tried once more; a transient failure (5xx, timeout, dropped
connection, garbled answer) is tried at most MAX_ATTEMPTS times; the waits of one reply add
up to at most MAX_REPLY_WAIT seconds. Never logs a chat id, text or error message (only error
types), and never raises into a handler.
"""

from __future__ import annotations

import asyncio
import enum
import logging
import math
import time
import traceback
from collections import OrderedDict, deque
from collections.abc import Awaitable, Callable, Hashable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from telegram import Message
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
)

__all__ = [
    "MAX_ATTEMPTS",
    "MAX_ATTEMPTS_AFTER_429",
    "MAX_REPLY_WAIT",
    "MAX_RETRY_AFTER",
    "Lane",
    "Outbox",
    "OutboxLimits",
    "Send",
    "retry_delay",
]

log = logging.getLogger("tgbot.outbox")

Send = Callable[[], Awaitable[Message]]

# One owner for retries (see the module docstring). A reply is a few messages at most.
MAX_ATTEMPTS = 3  # per message, whatever the failure
MAX_ATTEMPTS_AFTER_429 = 2  # per message: a 429 is waited out once, then the message is dropped
MAX_RETRY_AFTER = 30.0  # a longer flood wait is not sat out: the reply is dropped
MAX_REPLY_WAIT = 35.0  # seconds of waiting between attempts, summed over a whole reply
DROP_LOG_SECONDS = 10.0  # at most one outbox_dropped line per reason and lane this often
BACKOFF = (0.5, 1.5)  # seconds before the 2nd and 3rd attempt after a transient failure


class Lane(enum.IntEnum):
    """How urgent a reply is; lower goes first."""

    SAFETY = 0  # emergency and urgent prompts (a red flag, /emergency)
    NORMAL = 1  # answers, commands, slow-downs


@dataclass(frozen=True, slots=True)
class OutboxLimits:
    """Telegram's limits as the outbox keeps them, and the outbox's own bounds."""

    paced: bool = True  # False only for benchmarks (BENCH_NO_RATE_LIMIT)
    # Telegram allows about 30 a second. A token bucket sends at most burst + rate in any
    # one second: 5 + 25 = 30.
    overall_per_second: float = 25.0
    overall_burst: int = 5
    group_messages: int = 20  # per group chat ...
    group_window: float = 60.0  # ... in this many seconds
    normal_per_chat: int = 10  # queued ordinary replies a chat may hold; older ones go
    safety_per_chat: int = 10  # queued safety replies a chat may hold (after coalescing)
    normal_max_age: float = 120.0  # an ordinary reply queued longer than this is stale
    total_queued: int = 20_000  # all chats together: beyond it, ordinary replies are refused
    remembered_groups: int = 10_000  # groups whose recent send times are kept


@dataclass(slots=True)
class Reply:
    """One answer to one chat: its messages in order, and what to do once they are sent."""

    sends: Sequence[Send]
    lane: Lane
    queued_at: float
    on_sent: Callable[[list[Message]], None] | None = None
    coalesce: Hashable | None = None  # a queued reply with the same key is replaced


def retry_delay(exc: TelegramError) -> float | None:
    """Seconds before trying a failed send again; None when it must not be tried again.

    RetryAfter's wait is Telegram's; the other transient failures return 0 and the caller
    picks its back-off.
    """
    if isinstance(exc, RetryAfter):
        wait = exc.retry_after
        seconds = wait.total_seconds() if isinstance(wait, timedelta) else float(wait)
        return seconds + 0.1 if seconds <= MAX_RETRY_AFTER else None
    if isinstance(exc, NetworkError) and not isinstance(exc, BadRequest):
        return 0.0  # 5xx, timeouts (TimedOut is a NetworkError), dropped connections
    if type(exc) is TelegramError and isinstance(exc.__cause__, ValueError):
        return 0.0  # PTB's "Invalid server response": the answer was cut short by a proxy
    return None


@dataclass(slots=True)
class _ChatQueue:
    lanes: tuple[deque[Reply], deque[Reply]] = field(default_factory=lambda: (deque(), deque()))
    paused_until: float = 0.0  # a 429 for this chat: nothing goes to it before then
    worker: asyncio.Task[None] | None = None

    def __len__(self) -> int:
        return len(self.lanes[0]) + len(self.lanes[1])

    def head_lane(self) -> Lane | None:
        for lane in Lane:
            if self.lanes[lane]:
                return lane
        return None


class _Pacer:
    """The overall rate: a token bucket whose waiting safety sends are served first."""

    def __init__(self, rate: float, burst: int, clock: Callable[[], float]) -> None:
        self._rate = rate
        self._burst = float(burst)
        self._clock = clock
        self._tokens = float(burst)
        self._stamp = clock()
        self._waiting: tuple[deque[asyncio.Future[None]], deque[asyncio.Future[None]]] = (
            deque(),
            deque(),
        )
        self._pump: asyncio.Task[None] | None = None

    def _refill(self) -> None:
        now = self._clock()
        self._tokens = min(self._burst, self._tokens + (now - self._stamp) * self._rate)
        self._stamp = now

    async def acquire(self, lane: Lane) -> None:
        self._refill()
        if self._tokens >= 1.0 and not any(self._waiting):
            self._tokens -= 1.0
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting[lane].append(future)
        if self._pump is None or self._pump.done():
            self._pump = asyncio.create_task(self._serve(), name="outbox-pacer")
        await future

    async def _serve(self) -> None:
        while any(self._waiting):
            self._refill()
            if self._tokens < 1.0:
                await asyncio.sleep((1.0 - self._tokens) / self._rate)
                continue
            queue = self._waiting[Lane.SAFETY] or self._waiting[Lane.NORMAL]
            future = queue.popleft()
            if not future.done():  # a cancelled waiter gives its turn away
                self._tokens -= 1.0
                future.set_result(None)

    def close(self) -> None:
        if self._pump is not None:
            self._pump.cancel()


class Outbox:
    """The per-chat queues and their workers. post() never blocks and never raises."""

    def __init__(
        self,
        limits: OutboxLimits | None = None,
        *,
        on_migrated: Callable[[int, int], None] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.limits = limits or OutboxLimits()
        self._on_migrated = on_migrated
        self._clock = clock
        self._chats: dict[int, _ChatQueue] = {}
        self._queued = 0
        self._group_sends: OrderedDict[int, deque[float]] = OrderedDict()
        self._pacer = _Pacer(self.limits.overall_per_second, self.limits.overall_burst, clock)
        self._idle = asyncio.Event()
        self._idle.set()
        self._closed = False
        self.dropped = 0  # replies dropped as stale, superseded or over a bound (for tests)
        self._unlogged: dict[tuple[str, Lane], int] = {}
        self._logged_at: dict[tuple[str, Lane], float] = {}

    # ------------------------------------------------------------------ posting

    def post(
        self,
        chat_id: int,
        sends: Sequence[Send],
        *,
        lane: Lane = Lane.NORMAL,
        on_sent: Callable[[list[Message]], None] | None = None,
        coalesce: Hashable | None = None,
    ) -> bool:
        """Queue a reply for the chat; False when it was refused (closing, or over a bound)."""
        if not sends:
            return True
        limits = self.limits
        if self._closed:
            log.warning("event=outbox_refused reason=closing lane=%s", lane.name.lower())
            return False
        if lane is Lane.NORMAL and self._queued >= limits.total_queued:
            self._drop("total", lane)
            return False
        chat = self._chats.get(chat_id)
        if chat is None:
            chat = self._chats[chat_id] = _ChatQueue()
        queue = chat.lanes[lane]
        reply = Reply(sends, lane, self._clock(), on_sent, coalesce)
        if coalesce is not None:
            for i, queued in enumerate(queue):
                if queued.coalesce == coalesce:
                    # The same prompt is already waiting for this chat: the newest message
                    # gets it, where the group will see it, and the chat gets it once.
                    queue[i] = reply
                    self._drop("coalesced", lane)
                    return True
        bound = limits.safety_per_chat if lane is Lane.SAFETY else limits.normal_per_chat
        while len(queue) >= bound:
            queue.popleft()  # the oldest is the stalest: a flooded chat loses its backlog
            self._queued -= 1
            self._drop("full", lane)
        queue.append(reply)
        self._queued += 1
        self._idle.clear()
        if chat.worker is None:
            chat.worker = asyncio.create_task(self._drain_chat(chat_id, chat), name="outbox")
        return True

    def _drop(self, reason: str, lane: Lane) -> None:
        """Count a dropped reply; one log line per reason and lane every DROP_LOG_SECONDS at
        most, with the count since the last one, so a flood cannot grow the log."""
        self.dropped += 1
        key = (reason, lane)
        self._unlogged[key] = self._unlogged.get(key, 0) + 1
        now = self._clock()
        if now - self._logged_at.get(key, -math.inf) >= DROP_LOG_SECONDS:
            log.info(
                "event=outbox_dropped reason=%s lane=%s count=%d",
                reason,
                lane.name.lower(),
                self._unlogged.pop(key),
            )
            self._logged_at[key] = now

    # ------------------------------------------------------------------ draining

    @property
    def queued(self) -> int:
        """Replies waiting, in all chats."""
        return self._queued

    async def drain(self, within: float | None = None) -> bool:
        """Wait until every queued reply was sent or dropped; False when the time ran out."""
        try:
            await asyncio.wait_for(self._idle.wait(), within)
        except TimeoutError:
            return False
        return True

    async def close(self, within: float) -> None:
        """At shutdown: refuse new replies, give the queued ones `within` seconds, then stop."""
        self._closed = True
        if not await self.drain(within):
            log.warning("event=outbox_abandoned replies=%d", self._queued)
        for chat in list(self._chats.values()):
            if chat.worker is not None:
                chat.worker.cancel()
        self._pacer.close()

    async def _drain_chat(self, chat_id: int, chat: _ChatQueue) -> None:
        respawn = False
        try:
            while len(chat):
                # Wait for this chat's budget before choosing the reply, so that a safety
                # prompt posted during the wait is the one that goes.
                await self._chat_budget(chat_id, chat)
                lane = chat.head_lane()
                if lane is None:
                    break
                reply = chat.lanes[lane].popleft()
                self._queued -= 1
                age = self._clock() - reply.queued_at
                if lane is Lane.NORMAL and age > self.limits.normal_max_age:
                    self._drop("stale", lane)
                    continue
                await self._deliver(chat_id, chat, reply)
        except Exception as exc:  # a bug here must not stop this chat's replies for good
            log.error("event=error type=%s handler=outbox at=%s", type(exc).__name__, _where(exc))
            respawn = True
        finally:
            # Cancelled or torn down with its loop: no new task, whatever is left is dropped.
            chat.worker = None
            if respawn and len(chat) and not self._closed:
                chat.worker = asyncio.create_task(self._drain_chat(chat_id, chat), name="outbox")
            elif len(chat):  # the loop only ends early when cancelled or torn down
                self._queued -= len(chat)
                chat.lanes[0].clear()
                chat.lanes[1].clear()
            if not len(chat) and self._chats.get(chat_id) is chat:
                del self._chats[chat_id]
            if self._queued <= 0 and not any(c.worker for c in self._chats.values()):
                self._queued = 0
                self._idle.set()

    async def _chat_budget(self, chat_id: int, chat: _ChatQueue) -> None:
        """Sleep until this chat may be sent one more message."""
        while True:
            now = self._clock()
            wait = chat.paused_until - now
            if self.limits.paced and chat_id < 0:
                sent = self._group_sends.get(chat_id)
                if sent is not None:
                    while sent and now - sent[0] >= self.limits.group_window:
                        sent.popleft()
                    if len(sent) >= self.limits.group_messages:
                        wait = max(wait, sent[0] + self.limits.group_window - now)
            if wait <= 0:
                return
            await asyncio.sleep(wait)

    def _count_group_send(self, chat_id: int) -> None:
        if chat_id >= 0:
            return
        sent = self._group_sends.pop(chat_id, None)
        if sent is None:
            sent = deque(maxlen=max(1, self.limits.group_messages))
        sent.append(self._clock())
        self._group_sends[chat_id] = sent  # most recently used last
        while len(self._group_sends) > self.limits.remembered_groups:
            self._group_sends.popitem(last=False)

    async def _deliver(self, chat_id: int, chat: _ChatQueue, reply: Reply) -> None:
        sent: list[Message] = []
        waited = 0.0
        for index, send in enumerate(reply.sends):
            if index:
                await self._chat_budget(chat_id, chat)
            attempts = 0
            flood_waits = 0
            while True:
                if self.limits.paced:
                    await self._pacer.acquire(reply.lane)
                attempts += 1
                self._count_group_send(chat_id)
                try:
                    sent.append(await send())
                    break
                except TelegramError as exc:
                    delay = retry_delay(exc)
                    if isinstance(exc, RetryAfter) and delay is not None:
                        flood_waits += 1
                        chat.paused_until = self._clock() + delay  # this chat only
                        if flood_waits >= MAX_ATTEMPTS_AFTER_429:
                            delay = None
                    elif delay is not None:
                        delay = BACKOFF[min(attempts - 1, len(BACKOFF) - 1)]
                    if delay is None or attempts >= MAX_ATTEMPTS or waited + delay > MAX_REPLY_WAIT:
                        self._failed(chat_id, exc, reply, attempts)
                        return
                    waited += delay
                    # The error's type only: its message may quote a server answer.
                    log.info(
                        "event=send_retry attempt=%d error=%s wait_s=%.1f lane=%s",
                        attempts,
                        type(exc).__name__,
                        delay,
                        reply.lane.name.lower(),
                    )
                    await asyncio.sleep(delay)
        if reply.on_sent is not None:
            try:
                reply.on_sent(sent)
            except Exception as exc:
                log.error(
                    "event=error type=%s handler=outbox_on_sent at=%s",
                    type(exc).__name__,
                    _where(exc),
                )

    def _failed(self, chat_id: int, exc: TelegramError, reply: Reply, attempts: int) -> None:
        lane = reply.lane.name.lower()
        if isinstance(exc, ChatMigrated):
            if self._on_migrated is not None:
                self._on_migrated(chat_id, exc.new_chat_id)
            log.info("event=chat_migrated handler=outbox lane=%s", lane)
        elif isinstance(exc, Forbidden):
            # Blocked by the user or removed from the chat: nothing to send, nothing to fix.
            log.info("event=forbidden handler=outbox lane=%s", lane)
        elif isinstance(exc, BadRequest):
            log.error("event=send_refused error=%s lane=%s", type(exc).__name__, lane)
        else:
            log.warning(
                "event=send_failed error=%s attempts=%d lane=%s",
                type(exc).__name__,
                attempts,
                lane,
            )


def _where(exc: BaseException) -> str:
    """File and line where the error was raised: enough to find it, holds no values."""
    frames = traceback.extract_tb(exc.__traceback__)
    if not frames:
        return "-"
    last = frames[-1]
    return f"{Path(last.filename).name}:{last.lineno}"
