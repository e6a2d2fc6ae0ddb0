"""StatsRecorder: the StatsService the bot runs, a bounded queue in front of the SQLite store.

Handlers call record_answer/record_feedback, which build an anonymous event at once (the
user id becomes a daily token before anything is queued; an unanswered question's text is
kept only if scrub.py finds it safe, any other text dropped) and return without I/O. The text
of an answered question is remembered for a later 👎 from its asker (matched by the daily
asker token, never by the id) and scrubbed by the writer within one flush interval: the raw
text lives that long in memory only, never in the queue, the database or a log.

One background task writes batches, each in one transaction. A broken database never
reaches a handler: events wait in the queue while writes are retried with capped
exponential back-off, one warning per outage. stop() writes everything queued first.
Never logs ids, tokens or text; call it from the event loop's thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import logging
import re
import sqlite3
from collections import OrderedDict, deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Literal, NamedTuple

import aiosqlite

from tgbot.core.answers import Answer, Outcome
from tgbot.core.model import Level
from tgbot.core.text import strip_addressing
from tgbot.stats.anonymize import AskerTokens, utc_now
from tgbot.stats.events import (
    AskPath,
    Channel,
    CheckEvent,
    FeedbackEvent,
    QuestionEvent,
    confidence_bucket,
)
from tgbot.stats.formatting import summary_text
from tgbot.stats.queries import summaries
from tgbot.stats.scrub import MAX_INPUT_CHARS, scrub
from tgbot.stats.service import new_event_id
from tgbot.stats.store import Batch, open_reader, open_store, roll_up, write_batch
from tgbot.stats.vocabulary import vocabulary

__all__ = ["EVENT_ID", "RecorderStatus", "StatsRecorder", "StoreText"]

logger = logging.getLogger("tgbot.stats")

StoreText = Literal["unanswered", "none"]
Opener = Callable[[Path], Awaitable[aiosqlite.Connection]]

EVENT_ID = re.compile(r"[0-9a-f]{12}")
_SCRUB_SLICE = 4  # texts scrubbed between two turns of the event loop (a few ms)
_MAX_UNSCRUBBED = 2_000  # raw texts waiting for the writer; beyond, answers are not remembered
_UNANSWERED = (Outcome.SUGGESTED, Outcome.FALLBACK)
# Errors that mean "the database is unavailable now", worth retrying as they are. Anything
# else while writing a batch is a defect of that batch, which would never succeed.
_BATCH_DEFECTS = (sqlite3.IntegrityError, sqlite3.ProgrammingError, sqlite3.InterfaceError)
# SQLite's result codes for a damaged file: SQLITE_CORRUPT and SQLITE_NOTADB.
_CORRUPT_CODES = (11, 26)


def _is_corruption(exc: BaseException) -> bool:
    if not isinstance(exc, sqlite3.DatabaseError):
        return False
    if getattr(exc, "sqlite_errorcode", None) in _CORRUPT_CODES:
        return True
    text = str(exc).lower()
    return "malformed" in text or "not a database" in text


_OUTAGE_ERRORS = (sqlite3.Error, OSError, ValueError)


def _kept_text(question: str) -> str | None:
    """The text as it may be stored, or None when it cannot be kept safely."""
    # "/ask@our_bot ..." and "@our_bot ..." are how a question was addressed, not what was
    # asked: without them the same question groups together in the reports.
    try:
        return scrub(strip_addressing(question))
    except Exception:  # a scrubber defect loses the text, never leaks it or stops the writer
        return None


class _Remembered(NamedTuple):
    """The text of a recent answered question: raw for at most one flush interval.

    A tuple of atoms, like the queued events, so the garbage collector stops tracking it.
    """

    at: datetime
    text: str | None
    scrubbed: bool
    asker: str | None  # the asker's daily token: only their own 👎 keeps the text

    def __repr__(self) -> str:
        return f"_Remembered(at={self.at.isoformat()})"  # never the text or the token


@dataclass(frozen=True, slots=True)
class RecorderStatus:
    """What the recorder is doing, for health checks and tests."""

    running: bool
    queued: int
    in_outage: bool
    failed_attempts: int
    dropped_unsaved: int
    written: int
    last_error: str | None
    unscrubbed_texts: int  # raw texts in memory, waiting (at most a flush interval) for scrubbing


class StatsRecorder:
    """Anonymous statistics written in the background; implements StatsService."""

    def __init__(
        self,
        db_path: Path,
        *,
        store_text: str = "unanswered",
        retention_days: int = 180,
        clock: Callable[[], datetime] = utc_now,
        queue_limit: int = 10_000,
        batch_size: int = 500,
        max_batch: int = 5_000,
        flush_interval: float = 0.5,
        retry_initial: float = 0.5,
        retry_max: float = 30.0,
        stop_timeout: float = 10.0,
        busy_timeout_ms: int = 2_000,
        recent_limit: int = 5_000,
        recent_ttl: timedelta = timedelta(hours=24),
        tokens: AskerTokens | None = None,
        opener: Opener | None = None,
    ) -> None:
        if store_text not in ("unanswered", "none"):
            raise ValueError("store_text must be 'unanswered' or 'none'")
        if retention_days < 1:
            raise ValueError("retention_days must be at least 1")
        if queue_limit < 1 or batch_size < 1 or max_batch < batch_size:
            raise ValueError("queue_limit and batch_size must be positive, max_batch >= batch_size")
        self._path = Path(db_path)
        self._keep_text = store_text == "unanswered"
        self._retention = timedelta(days=retention_days)
        self._clock = clock
        self._queue_limit = queue_limit
        self._batch_size = batch_size  # this many queued events wake the writer early
        self._max_batch = max_batch  # a backlog drains in transactions of up to this many
        self._flush_interval = flush_interval
        self._retry_initial = retry_initial
        self._retry_max = retry_max
        self._stop_timeout = stop_timeout
        self._tokens = tokens or AskerTokens(clock)
        self._opener: Opener = opener or (
            lambda path: open_store(path, busy_timeout_ms=busy_timeout_ms)
        )
        # Events wait here; overflow drops the oldest. Feedback shares the queue so it is
        # written after the event it refers to.
        self._queue: deque[QuestionEvent | FeedbackEvent | CheckEvent] = deque()
        self._dropped_unsaved = 0
        # Texts of recent answered questions, so a later 👎 can keep the text. They are
        # scrubbed by the writer within one flush interval, off the answering path (scrubbing
        # costs about as much as a tenth of an answer); until then no 👎 can have arrived
        # except through record_feedback, which scrubs on the spot.
        self._recent: OrderedDict[str, _Remembered] = OrderedDict()
        self._unscrubbed: list[str] = []
        self._recent_limit = recent_limit
        self._recent_ttl = recent_ttl
        self._db: aiosqlite.Connection | None = None
        self._write_lock = asyncio.Lock()
        self._wake: asyncio.Event | None = None
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        self._closed = False
        # Outage bookkeeping: one warning when it starts, one info line when it ends.
        self._outage_since: float | None = None
        self._failed_attempts = 0
        self._retry_delay = retry_initial
        self._retry_at = 0.0
        self._last_error: str | None = None
        self._written = 0
        self._retention_day: date | None = None
        self._record_failures = 0
        self._moved_aside: str | None = None  # where a corrupt file went, for /stats
        # Only a file this process opened as a sound database is ever moved aside: at start-up
        # a path that is no database may be the operator's mistake, and waits for them.
        self._opened_once = False
        self._hour_cache: tuple[tuple[int, int, int, int], str, str] | None = None

    # -- what handlers call: synchronous, no I/O, never raises ---------------------------

    def record_answer(
        self, answer: Answer, *, channel: Channel, path: AskPath, user_id: int | None
    ) -> str:
        """Queue one answered question; returns the event id for its feedback buttons."""
        event_id = new_event_id()
        try:
            now = self._clock()
            hour, day = self._hour_and_day(now)
            # The id becomes a token here and goes no further.
            asker = self._tokens.token(user_id, at=now) if user_id is not None else None
            text = None
            if self._keep_text and answer.outcome in _UNANSWERED:
                text = _kept_text(answer.question)
            elif (
                self._keep_text
                and answer.outcome is Outcome.ANSWERED
                and asker is not None  # no asker, no 👎 can prove it is theirs
                # Under overload counting questions matters more than texts for 👎s.
                and len(self._unscrubbed) < _MAX_UNSCRUBBED
            ):
                self._remember(event_id, answer.question[: 2 * MAX_INPUT_CHARS], now, asker)
            self._enqueue(
                QuestionEvent(
                    event_id=event_id,
                    hour=hour,
                    day=day,
                    # Plain strings (str() of the enums), so the tuple holds atoms only.
                    channel=str(Channel(channel)),
                    path=str(AskPath(path)),
                    outcome=str(answer.outcome),
                    topic=answer.topic_id,
                    confidence_bucket=confidence_bucket(answer.confidence),
                    level=str(answer.level) if answer.level else None,
                    concepts=tuple(sorted(set(answer.concepts))),
                    suggested=bool(answer.reply.suggestions),
                    language=answer.language,
                    asker=asker,
                    text=text,
                )
            )
        except Exception as exc:  # statistics must never break a reply
            self._record_failed(exc)
        return event_id

    def record_feedback(self, event_id: str, helpful: bool, *, voter_id: int | None = None) -> bool:
        """Queue a 👍/👎; False for a malformed id. Ids unknown to the store are ignored there.

        Every vote counts; a 👎 keeps the question's text only when the voter is its asker
        (in a group anyone may press the buttons under someone else's answer).
        """
        if not isinstance(event_id, str) or not EVENT_ID.fullmatch(event_id):
            return False
        try:
            now = self._clock()
            hour, _day = self._hour_and_day(now)
            text = None
            if not helpful and self._keep_text and voter_id is not None:
                remembered = self._recent.get(event_id)
                if (
                    remembered is not None
                    and remembered.asker is not None
                    and now - remembered.at <= self._recent_ttl
                    # A vote after UTC midnight gets another day's token: no text, fail closed.
                    and hmac.compare_digest(self._tokens.token(voter_id, at=now), remembered.asker)
                ):
                    text = self._scrubbed_text(event_id, remembered)
            self._enqueue(
                FeedbackEvent(event_id=event_id, helpful=bool(helpful), hour=hour, text=text)
            )
        except Exception as exc:
            self._record_failed(exc)
            return False
        return True

    def record_check(self, *, channel: Channel, ended_at: str, level: Level | None) -> None:
        """Count how one warning-signs check ended (no id, token or text)."""
        try:
            _hour, day = self._hour_and_day(self._clock())
            self._enqueue(
                CheckEvent(
                    day=day,
                    channel=str(Channel(channel)),
                    ended_at=str(ended_at)[:32],
                    level=str(Level(level)) if level else None,
                )
            )
        except Exception as exc:  # statistics must never break a button
            self._record_failed(exc)

    def _hour_and_day(self, now: datetime) -> tuple[str, str]:
        now = now.astimezone(UTC)
        key = (now.year, now.month, now.day, now.hour)
        if self._hour_cache is None or self._hour_cache[0] != key:
            day = f"{now.year:04d}-{now.month:02d}-{now.day:02d}"
            self._hour_cache = (key, f"{day}T{now.hour:02d}:00Z", day)
        return self._hour_cache[1], self._hour_cache[2]

    def _remember(self, event_id: str, question: str, now: datetime, asker: str) -> None:
        recent = self._recent
        recent[event_id] = _Remembered(now, question, scrubbed=False, asker=asker)
        self._unscrubbed.append(event_id)
        while len(recent) > self._recent_limit:
            recent.popitem(last=False)
        # Oldest first: expire from the front until an entry is young enough.
        while recent:
            oldest = next(iter(recent.values()))
            if now - oldest.at <= self._recent_ttl:
                break
            recent.popitem(last=False)

    async def _scrub_remembered(self) -> None:
        """Replace the raw texts remembered since the last call by their scrubbed form, a
        slice at a time so a burst of questions never holds up the handlers for long."""
        while self._unscrubbed:
            pending = self._unscrubbed[:_SCRUB_SLICE]
            del self._unscrubbed[:_SCRUB_SLICE]
            for event_id in pending:
                remembered = self._recent.get(event_id)
                if remembered is not None:
                    self._scrubbed_text(event_id, remembered)
            await asyncio.sleep(0)

    def _scrubbed_text(self, event_id: str, remembered: _Remembered) -> str | None:
        """The kept text of a remembered answer (None if unsafe), scrubbing it if needed."""
        if remembered.scrubbed or remembered.text is None:
            return remembered.text
        text = _kept_text(remembered.text)
        # Same key: OrderedDict keeps the entry's place, so expiry order is unchanged.
        self._recent[event_id] = _Remembered(remembered.at, text, True, remembered.asker)
        return text

    def _enqueue(self, event: QuestionEvent | FeedbackEvent | CheckEvent) -> None:
        self._queue.append(event)
        if len(self._queue) > self._queue_limit:
            self._queue.popleft()
            self._dropped_unsaved += 1
        if (
            self._wake is not None
            and self._outage_since is None
            and len(self._queue) >= self._batch_size
        ):
            self._wake.set()

    def _record_failed(self, exc: Exception) -> None:
        self._record_failures += 1
        if self._record_failures == 1:  # once per process; the type only, never the data
            logger.warning("event=stats_record_failed error=%s", type(exc).__name__)

    # -- lifecycle -----------------------------------------------------------------------

    async def start(self) -> None:
        """Open the store (retrying in the background if it is unavailable) and start writing."""
        if self._task is not None:
            return
        self._wake = asyncio.Event()
        self._stopping = False
        if self._keep_text:
            # The scrubber's word lists take a few tenths of a second to read: off the loop,
            # so the first kept text never holds up a reply.
            await asyncio.to_thread(vocabulary)
        async with self._write_lock:
            if await self._connect():
                await self._apply_retention()
        self._task = asyncio.create_task(self._writer(self._wake), name="stats-writer")
        logger.info(
            "event=stats_started path=%s store_text=%s retention_days=%d",
            self._path,
            "unanswered" if self._keep_text else "none",
            self._retention.days,
        )

    async def stop(self) -> None:
        """Write everything queued (retrying up to stop_timeout), then close the store."""
        if self._closed:
            return
        self._stopping = True
        if self._wake is not None:
            self._wake.set()
        if self._task is not None:
            await self._task
            self._task = None
        else:
            await self._drain_until(asyncio.get_running_loop().time() + self._stop_timeout)
        lost = len(self._queue)
        if lost:
            logger.warning(
                "event=stats_lost count=%d reason=database_unavailable_at_shutdown error=%s",
                lost,
                self._last_error,
            )
        await self._disconnect()
        self._recent.clear()
        self._unscrubbed.clear()
        self._closed = True
        logger.info(
            "event=stats_stopped written=%d lost=%d dropped_unsaved=%d",
            self._written,
            lost,
            self._dropped_unsaved,
        )

    async def flush(self, give_up_after: float | None = None) -> bool:
        """Write everything queued now; True when the queue is empty afterwards."""
        loop = asyncio.get_running_loop()
        wait = self._stop_timeout if give_up_after is None else give_up_after
        deadline = loop.time() + wait
        if self._outage_since is not None:
            return False  # the writer's back-off decides when to try again
        await self._drain_until(deadline, retry=False)
        return not self._queue

    def status(self) -> RecorderStatus:
        return RecorderStatus(
            running=self._task is not None and not self._task.done(),
            queued=len(self._queue),
            in_outage=self._outage_since is not None,
            failed_attempts=self._failed_attempts,
            dropped_unsaved=self._dropped_unsaved,
            written=self._written,
            last_error=self._last_error,
            unscrubbed_texts=len(self._unscrubbed),
        )

    # -- the background writer -------------------------------------------------------------

    async def _writer(self, wake: asyncio.Event) -> None:
        loop = asyncio.get_running_loop()
        while not self._is_stopping():
            try:
                await self._writer_turn(wake, loop)
            except Exception as exc:  # a defect here must not end statistics for good
                logger.error("event=stats_writer_error error=%s", type(exc).__name__)
                await asyncio.sleep(self._flush_interval)
        await self._scrub_remembered()
        await self._drain_until(loop.time() + self._stop_timeout)

    async def _writer_turn(self, wake: asyncio.Event, loop: asyncio.AbstractEventLoop) -> None:
        pause = self._flush_interval
        if self._outage_since is not None:
            # Keep waking every interval during an outage too: texts still get scrubbed.
            pause = min(pause, max(0.0, self._retry_at - loop.time()))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(wake.wait(), pause)
        wake.clear()
        await self._scrub_remembered()
        if self._is_stopping():
            return
        if self._outage_since is not None and loop.time() < self._retry_at:
            return  # woken early during an outage: keep the back-off
        await self._drain_until(loop.time() + self._flush_interval * 4, retry=False)

    def _is_stopping(self) -> bool:
        # A method, not the attribute, because stop() changes it while this task waits.
        return self._stopping

    async def _drain_until(self, deadline: float, *, retry: bool = True) -> None:
        """Write batches until the queue is empty; on failure wait and retry if `retry`
        (shutdown), otherwise return and leave the retry to the writer's back-off."""
        loop = asyncio.get_running_loop()
        while True:
            async with self._write_lock:
                ok = await self._write_one_batch()
                if ok and self._retention_day != self._today():
                    ok = await self._apply_retention()
            if ok:
                self._recovered()  # also when the outage began with nothing queued
            if not self._queue and ok:
                return
            now = loop.time()
            if now >= deadline:
                return
            if not ok:
                if not retry:
                    return
                await asyncio.sleep(min(max(0.0, self._retry_at - now), deadline - now))
            else:
                await asyncio.sleep(0)  # let handlers run between batches

    async def _write_one_batch(self) -> bool:
        """Write up to batch_size queued events in one transaction; False on a store error."""
        db = await self._connected()
        if db is None:
            return False
        if not self._queue and not self._dropped_unsaved:
            return True
        taken = [self._queue.popleft() for _ in range(min(self._max_batch, len(self._queue)))]
        batch = Batch(dropped=self._dropped_unsaved)
        for event in taken:
            if isinstance(event, QuestionEvent):
                batch.questions.append(event)
            elif isinstance(event, FeedbackEvent):
                batch.feedback.append(event)
            else:
                batch.checks.append(event)
        try:
            await write_batch(db, batch)
        except _BATCH_DEFECTS as exc:
            # Retrying cannot help a batch the schema rejects; count it as dropped.
            logger.error(
                "event=stats_batch_rejected count=%d error=%s", len(taken), type(exc).__name__
            )
            self._dropped_unsaved += len(taken)
            return True
        except _OUTAGE_ERRORS as exc:
            self._requeue(taken)
            await self._outage(exc)
            return False
        except Exception as exc:  # a defect in this code: never let it stop the writer
            logger.error(
                "event=stats_batch_failed count=%d error=%s", len(taken), type(exc).__name__
            )
            self._dropped_unsaved += len(taken)
            return True
        self._dropped_unsaved -= batch.dropped
        self._written += len(taken)
        return True

    def _requeue(self, taken: list[QuestionEvent | FeedbackEvent | CheckEvent]) -> None:
        self._queue.extendleft(reversed(taken))
        while len(self._queue) > self._queue_limit:
            self._queue.popleft()
            self._dropped_unsaved += 1

    async def _connect(self) -> bool:
        if self._db is not None:
            return True
        try:
            self._db = await self._opener(self._path)
        except _OUTAGE_ERRORS as exc:
            await self._outage(exc)
            return False
        self._opened_once = True
        return True

    async def _connected(self) -> aiosqlite.Connection | None:
        return self._db if await self._connect() else None

    async def _disconnect(self) -> None:
        db, self._db = self._db, None
        if db is not None:
            # Closing a broken connection may fail too; the outage is already reported.
            with contextlib.suppress(*_OUTAGE_ERRORS):
                await db.close()

    async def _outage(self, exc: BaseException) -> None:
        if self._opened_once and _is_corruption(exc) and await self._move_aside():
            return  # a fresh file is opened on the next attempt, at once
        loop = asyncio.get_running_loop()
        # The message of a sqlite3 error names the condition ("database is locked"), never
        # the data; logging it tells the operator what to fix.
        self._last_error = f"{type(exc).__name__}: {exc}"
        self._failed_attempts += 1
        if self._outage_since is None:
            self._outage_since = loop.time()
            self._retry_delay = self._retry_initial
            logger.warning(
                "event=stats_unavailable path=%s error=%r queued=%d action=retrying "
                "(answers continue; statistics wait in memory)",
                self._path,
                self._last_error,
                len(self._queue),
            )
        else:
            self._retry_delay = min(self._retry_delay * 2, self._retry_max)
        self._retry_at = loop.time() + self._retry_delay
        # Reopen on the next attempt: a replaced, repaired or re-mounted file needs a new
        # connection, and a connection that hit corruption is not to be trusted.
        await self._disconnect()

    async def _move_aside(self) -> bool:
        """A corrupt database is moved aside (with its WAL and shared-memory files) so a
        fresh one starts; retrying the damaged file would lose every event from now on.
        Logged once as an error, and said in /stats; the old file stays for inspection."""
        await self._disconnect()
        stamp = self._clock().astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
        target = self._path.with_name(f"{self._path.name}.corrupt-{stamp}")
        try:
            for suffix in ("", "-wal", "-shm"):
                part = self._path.with_name(self._path.name + suffix)
                if part.exists():
                    part.replace(target.with_name(target.name + suffix))
        except OSError as exc:
            logger.error(
                "event=stats_corrupt action=retrying error=%s (could not move the file aside)",
                type(exc).__name__,
            )
            return False
        self._moved_aside = target.name
        logger.error(
            "event=stats_corrupt moved_to=%s action=started_fresh queued=%d "
            "(statistics before this moment are in the moved file)",
            target.name,
            len(self._queue),
        )
        return True

    def _recovered(self) -> None:
        if self._outage_since is None:
            return
        loop = asyncio.get_running_loop()
        logger.info(
            "event=stats_recovered after_s=%.1f failed_attempts=%d queued=%d",
            loop.time() - self._outage_since,
            self._failed_attempts,
            len(self._queue),
        )
        self._outage_since = None
        self._retry_delay = self._retry_initial

    def _today(self) -> date:
        return self._clock().astimezone(UTC).date()

    async def _apply_retention(self) -> bool:
        today = self._today()
        db = await self._connected()
        if db is None:
            return False
        try:
            rolled = await roll_up(db, (today - self._retention).isoformat())
        except _OUTAGE_ERRORS as exc:
            await self._outage(exc)
            return False
        self._retention_day = today
        if rolled.events:
            logger.info(
                "event=stats_retention rolled_events=%d days=%d", rolled.events, rolled.days
            )
        return True

    # -- operators ---------------------------------------------------------------------------

    async def operator_summary(self) -> str:
        """Plain-text figures for the last 7 and 30 days, for the operators' /stats."""
        await self.flush(give_up_after=2.0)  # best effort, so /stats includes the latest questions
        now = self._clock()
        try:
            db = await open_reader(self._path)
        except (*_OUTAGE_ERRORS, FileNotFoundError) as exc:
            return self._unavailable_text(exc)
        try:
            windows = await summaries(db, [7, 30], now, top=5)
        except _OUTAGE_ERRORS as exc:
            return self._unavailable_text(exc)
        finally:
            await db.close()
        text = summary_text(windows, pending_dropped=self._dropped_unsaved, queued=len(self._queue))
        if self._moved_aside is not None:
            text += (
                f"\n\nThe statistics database was found damaged and moved aside to "
                f"{self._moved_aside}; a fresh one was started. Earlier figures are in that file."
            )
        return text

    def _unavailable_text(self, exc: BaseException) -> str:
        return (
            f"Statistics are unavailable right now ({type(exc).__name__}). "
            f"{len(self._queue)} events are waiting in memory and will be written when the "
            "database is back."
        )
