"""The soak itself: simulated parents talk to the real bot through the fake Bot API while the
server injects faults and the statistics database is made full, read-only and locked.

Each simulated parent holds a private conversation: a question (or /ask, /help, /start, a deep
link, a topic button, a 👍), then waits for the whole answer before the next, and paces the
questions that count against the bot's flood guard (10 a minute) so the guard never speaks.
Every expected reply is computed beforehand with the same content and renderer the bot uses,
so the check is exact: per chat, the messages the bot delivered must equal, as a multiset of
HTML sources, the replies its questions call for. A reply missing is "unanswered"; one too many
is a "duplicate".

Faults: FaultPlan.randomly(rate, TRANSIENT_KINDS) on every Bot API call but getMe once the bot
is up (429 with retry_after, 500, 502, hung requests past the client's timeout, dropped
connections, malformed JSON, 409 on getUpdates); a rival getUpdates consumer now and then (the
bot's long poll ends with 409); and the database phases of dbfaults. Server faults hit before
the call takes effect: the fake never delivers a message whose call failed, which is how the
bot can be required to answer exactly once (see tgbot/channels/telegram/delivery.py on real
Telegram).

Every loop is bounded in count and time; everything runs on 127.0.0.1.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import random
import sqlite3
import statistics
import string
import threading
import time
import urllib.request
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from e2e.harness import BOT_USERNAME, TOKEN, BotProcess, content_pack, identifiers, leaks
from fakebotapi import TRANSIENT_KINDS, FakeBotApi, FakeUser, FaultPlan, Mark, SentMessage

from soak.dbfaults import DatabaseFaults, PhaseReport, rss_kb
from tgbot.channels.telegram.render import markup_blocks, render_answer, split_html
from tgbot.core.answers import answer_for
from tgbot.core.content import ContentPack

FLOOD_LIMIT = 10  # the bot's FloodGuard: 10 questions and commands a minute per user
FLOOD_WINDOW = 61.0  # seconds, one more than the guard's window: clocks differ slightly
# A parent's second red flag within the guard's minute gets the short reminder, not the whole
# answer; the soak keeps a parent's red flags further apart so every reply stays exact.
RED_FLAG_GAP = 70.0


@dataclass(frozen=True)
class SoakConfig:
    """How big and how hostile a run is. from_env() reads SOAK_* variables."""

    messages: int = 300
    users: int = 30
    fault_rate: float = 0.05
    seed: int = 20251125
    db_faults: bool = True
    rival_polls: int = 6
    # A reply may wait for retries: 5 attempts of 5 s hangs, flood waits, a stalled poll.
    turn_timeout: float = 150.0
    quiet_seconds: float = 3.0
    memory_limit_mb: float = 40.0
    warmup_share: float = 0.3

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> SoakConfig:
        env = dict(os.environ if env is None else env)
        messages = int(env.get("SOAK_MESSAGES", cls.messages))
        users = int(env.get("SOAK_USERS", cls.users))
        return cls(
            messages=messages,
            users=users,
            fault_rate=float(env.get("SOAK_FAULT_RATE", cls.fault_rate)),
            seed=int(env.get("SOAK_SEED", cls.seed)),
            db_faults=env.get("SOAK_DB_FAULTS", "1") != "0",
            rival_polls=max(cls.rival_polls, messages // 250),
        )

    @property
    def deadline_seconds(self) -> float:
        """The whole run's bound: the paced minimum plus generous slack for faults."""
        per_user = self.messages / max(1, self.users)
        paced = max(0.0, per_user - FLOOD_LIMIT) / (FLOOD_LIMIT - 1) * FLOOD_WINDOW
        return 240.0 + 2.0 * paced + self.messages * 0.15


@dataclass
class Turn:
    """One thing a parent does, and the replies it calls for."""

    kind: str  # question | ask | help | start | deeplink | button | feedback
    text: str | None = None
    topic: str | None = None
    expected: tuple[str, ...] = ()
    update_id: int | None = None
    sent_at: float = 0.0
    base: int = 0  # messages in the chat before this turn was sent
    done_at: float | None = None
    pressed: SentMessage | None = None  # the bot message whose button a press uses
    reached: bool = True  # the bot confirmed the update (judged at the end)

    red_flag: bool = False  # the text itself carries a red flag (its own flood budget)

    @property
    def counted(self) -> bool:
        """Records a statistics event."""
        return self.kind in ("question", "ask", "deeplink", "button")

    @property
    def paced(self) -> bool:
        """Counts against the flood guard: questions and commands share its budget."""
        return self.counted or self.kind in ("help", "start")


@dataclass
class Parent:
    """A simulated parent: their Telegram user, conversation so far and pacing."""

    user: FakeUser
    plan: deque[str]
    turns: list[Turn] = field(default_factory=list)
    pending: Turn | None = None
    counted_sends: deque[float] = field(default_factory=deque)
    counted_total: int = 0
    red_flag_at: float = -math.inf
    ready_at: float = 0.0


@dataclass
class SoakReport:
    """The outcome; last_line() is the verdict line."""

    messages: int = 0
    users: int = 0
    faults: int = 0
    crashes: int = 0
    unanswered: int = 0
    duplicates: int = 0
    lost_events: int = 0
    identifiers_in_logs: int = 0
    undelivered: int = 0
    phantom_events: int = 0
    identifiers_in_db: int = 0
    exit_code: int | None = None
    memory_growth_mb: float = 0.0
    db_phases: list[PhaseReport] = field(default_factory=list)
    db_mounted: bool = False
    lines: list[str] = field(default_factory=list)

    def last_line(self) -> str:
        return (
            f"soak: messages={self.messages} users={self.users} faults={self.faults} "
            f"crashes={self.crashes} unanswered={self.unanswered} duplicates={self.duplicates} "
            f"lost_events={self.lost_events} identifiers_in_logs={self.identifiers_in_logs}"
        )

    def all_lines(self) -> list[str]:
        return [*self.lines, self.last_line()]


class Expectations:
    """The replies the bot must send, computed with its own content and renderer."""

    def __init__(self, pack: ContentPack) -> None:
        self.pack = pack
        self._answers: dict[tuple[str, str | None], tuple[str, ...]] = {}
        self._red_flags: dict[str, bool] = {}

    def answer(self, text: str, topic: str | None = None) -> tuple[str, ...]:
        key = (text, topic)
        if key not in self._answers:
            answer = answer_for(text, self.pack, topic_id=topic)
            self._answers[key] = tuple(render_answer(answer, related_as_text=False))
        return self._answers[key]

    def is_red_flag(self, text: str) -> bool:
        if text not in self._red_flags:
            self._red_flags[text] = answer_for(text, self.pack).text_flags.level is not None
        return self._red_flags[text]

    def help(self) -> tuple[str, ...]:
        return tuple(split_html(markup_blocks(self.pack.text("help", bot_username=BOT_USERNAME))))

    def welcome(self) -> tuple[str, ...]:
        blocks = markup_blocks(self.pack.text("welcome")) + markup_blocks(
            self.pack.text("disclaimer"), italic=True
        )
        return tuple(split_html(blocks))


def question_pool(pack: ContentPack) -> list[str]:
    """What parents ask: the topics' own phrasings, red flags, off-topic and empty-ish text."""
    pool = [q for topic in pack.topics.values() for q in topic.questions]
    pool += [
        "my baby is not breathing properly and twitching",
        "he went blue and floppy after the jerks",
        "could these be infantile spasms",
        "she keeps bending forward in clusters",
        "how do I bake sourdough bread",
        "\U0001f476\U0001f62d",
        "asdf qwerty zxcv",
        "<b>why</b> does my baby & twitch? *_[",
    ]
    return pool


def _name(rng: random.Random, prefix: str) -> str:
    # Distinctive names: a leak scan must not hit words that logs hold anyway.
    return prefix + "".join(rng.choice(string.ascii_lowercase) for _ in range(7))


KINDS = (
    ("question", 62),
    ("ask", 8),
    ("help", 4),
    ("start", 4),
    ("deeplink", 6),
    ("button", 9),
    ("feedback", 7),
)


def plan_turns(rng: random.Random, count: int) -> deque[str]:
    names = [k for k, _ in KINDS]
    weights = [w for _, w in KINDS]
    return deque(rng.choices(names, weights=weights, k=count))


class Soak:
    """One soak run; run() returns the report."""

    def __init__(self, config: SoakConfig, workdir: Path) -> None:
        self.config = config
        self.workdir = workdir
        self.rng = random.Random(config.seed)
        self.pack = content_pack()
        self.expect = Expectations(self.pack)
        self.pool = question_pool(self.pack)
        self.topics = sorted(self.pack.topics)
        self.report = SoakReport(messages=config.messages, users=config.users)
        self.received: dict[int, list[SentMessage]] = {}
        self.cursor = 0
        self.sent_turns = 0
        self.rss: list[tuple[int, int]] = []  # (turns sent, VmRSS kB)
        self.stop_threads = threading.Event()
        self.latencies: list[float] = []
        self.timed_out = 0
        self.parents: list[Parent] = []
        self.db: DatabaseFaults | None = None
        # Share of the turns the parents may send for now: the database phases hold the
        # conversation at a point until their fault has bitten, so that a fast run cannot end
        # before its phases (and the bot keeps writing while a fault is on).
        self.send_limit = 0.15 if config.db_faults else 1.0

    # --- the run ---------------------------------------------------------------------------

    def run(self) -> SoakReport:
        started = time.monotonic()
        db = DatabaseFaults.create(self.workdir / "db") if self.config.db_faults else None
        self.db = db
        db_folder = db.folder if db else self.workdir / "db"
        try:
            faults = FaultPlan(seed=self.config.seed)  # a run replays with its seed
            with FakeBotApi(
                TOKEN, bot_username=BOT_USERNAME, hang_limit=30.0, faults=faults
            ) as api:
                bot = BotProcess(
                    api,
                    self.workdir / "bot",
                    extra_env={
                        "STATS_DB_PATH": str(db_folder / "stats.sqlite3"),
                        "GROUP_SETTINGS_PATH": str(self.workdir / "bot" / "groups.json"),
                    },
                )
                bot.start()
                try:
                    self._converse(api, bot, db)
                finally:
                    self.stop_threads.set()
                    api.faults.clear()
                    if db is not None:
                        db.release()
                    self._settle(api, bot)
                    code = bot.stop(timeout=60.0)
                self.report.exit_code = code
                if code != 0:
                    self.report.crashes += 1
                self._judge(api, bot, db_folder / "stats.sqlite3")
        finally:
            if db is not None:
                db.close()
        self.report.lines.insert(
            0,
            f"soak: config messages={self.config.messages} users={self.config.users} "
            f"fault_rate={self.config.fault_rate} seed={self.config.seed} "
            f"duration_s={time.monotonic() - started:.0f}",
        )
        return self.report

    def _converse(self, api: FakeBotApi, bot: BotProcess, db: DatabaseFaults | None) -> None:
        config = self.config
        parents = self._parents(api)
        pid = bot.process.pid if bot.process else 0
        api.faults.randomly(config.fault_rate, TRANSIENT_KINDS, exclude=("getMe",))
        threads = [
            threading.Thread(target=self._sample_memory, args=(pid,), daemon=True),
            threading.Thread(target=self._rival_poller, args=(api,), daemon=True),
        ]
        if db is not None:
            threads.append(
                threading.Thread(target=self._database_phases, args=(db, bot), daemon=True)
            )
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + config.deadline_seconds
        try:
            while time.monotonic() < deadline:
                if bot.process is not None and bot.process.poll() is not None:
                    self.report.crashes += 1
                    break
                self._ingest(api)
                now = time.monotonic()
                busy = False
                for parent in parents:
                    busy |= self._step(api, parent, now)
                if not busy:
                    break
                with contextlib.suppress(TimeoutError):
                    cursor = self.cursor
                    api.wait_for(lambda c=cursor: api.mark().messages > c, 0.2, what="replies")
        finally:
            self.stop_threads.set()
            for thread in threads:
                thread.join(timeout=120)
        left = sum(len(p.plan) for p in parents)
        if left:
            self.report.lines.append(f"soak: ran out of time with {left} turns not sent")
        self.parents = parents

    def _parents(self, api: FakeBotApi) -> list[Parent]:
        config = self.config
        parents: list[Parent] = []
        base, extra = divmod(config.messages, config.users)
        for i in range(config.users):
            user = api.user(
                _name(self.rng, "Zq"),
                _name(self.rng, "Vk"),
                username=_name(self.rng, "zq_") + "_u",
            )
            count = base + (1 if i < extra else 0)
            parents.append(Parent(user, plan_turns(self.rng, count), ready_at=self.rng.random()))
        return parents

    def _ingest(self, api: FakeBotApi) -> None:
        new = api.sent_messages(since=Mark(calls=0, messages=self.cursor))
        self.cursor += len(new)
        for message in new:
            self.received.setdefault(message.chat_id, []).append(message)

    def _step(self, api: FakeBotApi, parent: Parent, now: float) -> bool:
        """Advance one parent; False when they are done."""
        chat = parent.user.id
        turn = parent.pending
        if turn is not None:
            got = len(self.received.get(chat, ())) - turn.base
            if got >= len(turn.expected):
                turn.done_at = now
                self.latencies.append(now - turn.sent_at)
                parent.pending = None
                parent.ready_at = now + self.rng.random() * 0.3
            elif now - turn.sent_at > self.config.turn_timeout:
                self.timed_out += 1  # judged at the end; the conversation goes on
                parent.pending = None
                parent.ready_at = now
            else:
                return True
        if not parent.plan:
            return False
        if now < parent.ready_at or self._progress() >= self.send_limit:
            return True
        kind = parent.plan[0]
        turn = self._make_turn(parent, kind)
        if turn.paced and not self._flood_allows(parent, now):
            return True
        parent.plan.popleft()
        self._send(api, parent, turn, now)
        return True

    def _flood_allows(self, parent: Parent, now: float) -> bool:
        # The guard allows 10 counted questions in any 60 s. The bot reads message m after the
        # parent sent it and before the parent sends m+1 (each waits for its answer), so
        # keeping sends m-9..m more than 60 s apart (m > 10) keeps the bot's window at 10.
        if parent.counted_total < FLOOD_LIMIT:
            return True
        return now - parent.counted_sends[0] > FLOOD_WINDOW

    def _make_turn(self, parent: Parent, kind: str) -> Turn:
        rng = self.rng
        if kind == "button":
            message = self._last_with(parent, "t:")
            if message is not None:
                data = rng.choice(_button_data(message, "t:"))
                topic = data[2:]
                expected = self.expect.answer("", topic)
                return Turn("button", data, topic, expected, pressed=message)
            kind = "question"
        if kind == "feedback":
            message = self._last_with(parent, "f:")
            if message is not None:
                # Mostly 👍; a 👎 keeps the (scrubbed) question text, which the scan checks.
                data = rng.choice(_button_data(message, "f:"))
                return Turn("feedback", data, pressed=message)
            kind = "question"
        if kind == "help":
            return Turn("help", text="/help", expected=self.expect.help())
        if kind == "start":
            return Turn("start", text="/start", expected=self.expect.welcome())
        if kind == "deeplink":
            topic = rng.choice(self.topics)
            return Turn("deeplink", f"/start {topic}", topic, self.expect.answer("", topic))
        question = rng.choice(self.pool)
        red_flag = self.expect.is_red_flag(question)
        if red_flag and time.monotonic() - parent.red_flag_at < RED_FLAG_GAP:
            question = rng.choice([q for q in self.pool if not self.expect.is_red_flag(q)])
            red_flag = False
        if rng.random() < 0.1:
            # Personal data in the text: it must reach neither the log nor the database.
            question = f"{question} (write to {parent.user.username}@example.org)"
        if kind == "ask":
            expected = self.expect.answer(question)
            return Turn("ask", f"/ask {question}", expected=expected, red_flag=red_flag)
        return Turn("question", question, expected=self.expect.answer(question), red_flag=red_flag)

    def _last_with(self, parent: Parent, prefix: str) -> SentMessage | None:
        for message in reversed(self.received.get(parent.user.id, [])[-6:]):
            if _button_data(message, prefix):
                return message
        return None

    def _send(self, api: FakeBotApi, parent: Parent, turn: Turn, now: float) -> None:
        chat = parent.user.id
        turn.base = len(self.received.get(chat, ()))
        turn.sent_at = now
        assert turn.text is not None
        if turn.pressed is not None:
            query_id = api.press_button(parent.user, turn.pressed, data=turn.text)
            turn.update_id = self._update_id(
                api, lambda u: (u.get("callback_query") or {}).get("id") == query_id
            )
        else:
            message_id = api.send_text(parent.user, turn.text)["message_id"]
            turn.update_id = self._update_id(
                api,
                lambda u: (
                    (u.get("message") or {}).get("message_id") == message_id
                    and u["message"]["chat"]["id"] == chat
                ),
            )
        if turn.red_flag:
            parent.red_flag_at = now
        if turn.paced:
            parent.counted_total += 1
            parent.counted_sends.append(now)
            while len(parent.counted_sends) > FLOOD_LIMIT - 1:
                parent.counted_sends.popleft()
        parent.turns.append(turn)
        parent.pending = turn if turn.expected else None
        self.sent_turns += 1

    @staticmethod
    def _update_id(api: FakeBotApi, match: Callable[[dict[str, Any]], bool]) -> int | None:
        for update in reversed(api.pending_updates()):
            if match(update):
                return int(update["update_id"])
        return None  # already confirmed by the bot: it did reach it

    # --- background hostility -----------------------------------------------------------------

    def _sample_memory(self, pid: int) -> None:
        while not self.stop_threads.wait(1.0):
            value = rss_kb(pid)
            if value is None:
                return
            self.rss.append((self.sent_turns, value))

    def _rival_poller(self, api: FakeBotApi) -> None:
        """A second getUpdates consumer (a second bot instance by mistake): each of its polls
        ends the bot's long poll with 409 Conflict. It never confirms an offset."""
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        url = f"{api.base_url}{api.token}/getUpdates"
        for _ in range(self.config.rival_polls):
            if self.stop_threads.wait(self.rng.uniform(3.0, 8.0)):
                return
            body = json.dumps({"timeout": 0, "limit": 1}).encode()
            request = urllib.request.Request(  # noqa: S310 - the fake server on 127.0.0.1
                url, data=body, headers={"Content-Type": "application/json"}
            )
            with contextlib.suppress(OSError, ValueError):
                opener.open(request, timeout=20).read()

    def _progress(self) -> float:
        return self.sent_turns / max(1, self.config.messages)

    def _database_phases(self, db: DatabaseFaults, bot: BotProcess) -> None:
        try:
            self._run_database_phases(db, bot)
        finally:
            self.send_limit = 1.0  # whatever happened, the conversation goes on to its end

    def _run_database_phases(self, db: DatabaseFaults, bot: BotProcess) -> None:
        """Locked, then full turning read-only; each bounded in time.

        The recorder backs off up to 30 s between attempts during an outage, so a phase starts
        only once the previous outage has ended (else the bot never tries to write in it).
        """
        quick = self.config.messages < 2000
        hold = 4.0 if quick else 15.0
        # A full disk bites when the WAL must grow; after its first checkpoint the WAL reuses
        # its space for a while, so a long run may need longer to see a write fail.
        full_wait = 60.0 if quick else 180.0

        def wait_progress(share: float) -> bool:
            while self._progress() < share:
                if self.stop_threads.wait(0.2):
                    return False
            return True

        def logged(event: str, offset: int) -> bool:
            return f"event={event}" in bot.log_text()[offset:]

        def wait_logged(event: str, offset: int, limit: float) -> bool:
            end = time.monotonic() + limit
            while time.monotonic() < end and not self.stop_threads.is_set():
                if logged(event, offset):
                    return True
                time.sleep(0.1)
            return logged(event, offset)

        if not wait_progress(0.1):
            return
        locked = PhaseReport("locked")
        offset = len(bot.log_text())
        started = time.monotonic()
        # Held until the bot's write failed (its busy timeout is 2 s), then a while longer.
        locked.detail = db.hold_lock(
            60.0 + hold,
            until=lambda: self.stop_threads.is_set() or logged("stats_unavailable", offset),
            then=hold,
        )
        locked.applied = True
        locked.outage_logged = logged("stats_unavailable", offset)
        locked.seconds = time.monotonic() - started
        db.reports.append(locked)
        self.send_limit = 0.45
        wait_logged("stats_recovered", offset, 60.0)

        if not wait_progress(0.4):
            return
        full = PhaseReport("full")
        offset = len(bot.log_text())
        started = time.monotonic()
        how = db.fill()
        if how is not None:
            problem = db.probe_write_fails()
            full.applied = problem is not None
            full.detail = f"{how} (our write: {problem})"
            full.outage_logged = wait_logged("stats_unavailable", offset, full_wait)
            self.send_limit = 1.0
            self.stop_threads.wait(hold)
        else:
            full.detail = "not applied (mounting a tmpfs is not permitted here)"
        full.seconds = time.monotonic() - started
        db.reports.append(full)

        read_only = PhaseReport("read-only")
        started = time.monotonic()
        how = db.make_read_only(timeout=60.0)
        if how is not None:
            problem = db.probe_write_fails()
            read_only.applied = problem is not None
            read_only.detail = f"{how} (our write: {problem})"
            offset = len(bot.log_text())
            self.stop_threads.wait(hold)
            # Still in the outage that began when the disk filled: no recovery while read-only.
            read_only.outage_logged = not logged("stats_recovered", offset)
            db.make_writable()
        else:
            read_only.detail = "not applied (no mount permission, or the file stayed open)"
        db.unfill()
        read_only.seconds = time.monotonic() - started
        db.reports.append(read_only)

    # --- the end ----------------------------------------------------------------------------

    def _settle(self, api: FakeBotApi, bot: BotProcess) -> None:
        """Faults are off: wait until every update is confirmed and no reply comes for a while."""
        end = time.monotonic() + 180.0
        last_count, last_change = -1, time.monotonic()
        while time.monotonic() < end:
            if bot.process is not None and bot.process.poll() is not None:
                return
            self._ingest(api)
            if self.cursor != last_count:
                last_count, last_change = self.cursor, time.monotonic()
            pending = [u for u in api.pending_updates() if not api.is_consumed(u["update_id"])]
            quiet = time.monotonic() - last_change >= self.config.quiet_seconds
            if not pending and quiet:
                break
            time.sleep(0.1)
        # Give the recorder's flush interval a moment before SIGTERM flushes the rest anyway.
        time.sleep(1.0)

    def _judge(self, api: FakeBotApi, bot: BotProcess, db_path: Path) -> None:
        report = self.report
        self._ingest(api)
        answered_events = 0
        for parent in self.parents:
            chat = parent.user.id
            got = Counter(m.source for m in self.received.get(chat, []))
            expected: Counter[str] = Counter()
            for turn in parent.turns:
                turn.reached = turn.update_id is None or api.is_consumed(turn.update_id)
                if not turn.reached:
                    report.undelivered += 1
                    continue
                expected.update(turn.expected)
            missing = expected - got
            report.duplicates += sum((got - expected).values())
            # A turn is unanswered when any part of its reply is missing.
            for turn in (t for t in parent.turns if t.reached):
                lacking = [s for s in turn.expected if missing[s] > 0]
                if lacking:
                    report.unanswered += 1
                    for source in lacking:
                        missing[source] -= 1
                elif turn.counted:
                    answered_events += 1
        report.faults = len(api.faults.injected)
        events = self._count_events(db_path)
        report.lost_events = max(0, answered_events - events)
        report.phantom_events = max(0, events - answered_events)
        values = identifiers(api)
        log = bot.log_text()
        report.identifiers_in_logs = len(leaks(log, values))
        report.identifiers_in_db = self._scan_database(db_path, values)
        self._describe(api, bot, log, answered_events, events)

    @staticmethod
    def _count_events(db_path: Path) -> int:
        with contextlib.closing(sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)) as db:
            row = db.execute("SELECT COUNT(*) FROM events").fetchone()
        return int(row[0]) if row else 0

    @staticmethod
    def _scan_database(db_path: Path, values: list[str]) -> int:
        blob = b""
        for path in (db_path, db_path.with_name(db_path.name + "-wal")):
            with contextlib.suppress(FileNotFoundError):
                blob += path.read_bytes()
        lowered = blob.lower()
        return sum(1 for v in values if v.lower().encode() in lowered)

    def _describe(
        self, api: FakeBotApi, bot: BotProcess, log: str, answered: int, events: int
    ) -> None:
        report, lines = self.report, self.report.lines
        kinds = Counter(k.value for k in api.faults.counts().elements())
        calls, faulted = len(api.calls()), len(api.faults.injected)
        lines.append(
            f"soak: bot_api_calls={calls} faulted={faulted} ({100 * faulted / max(1, calls):.1f}%) "
            + " ".join(f"{k}={v}" for k, v in sorted(kinds.items()))
            + f" rival_polls={self.config.rival_polls}"
        )
        latencies = sorted(self.latencies) or [0.0]
        lines.append(
            f"soak: replies p50_s={statistics.median(latencies):.2f} "
            f"p95_s={latencies[int(len(latencies) * 0.95) - 1 if len(latencies) > 1 else 0]:.2f} "
            f"max_s={latencies[-1]:.2f} waits_timed_out={self.timed_out} "
            f"undelivered={report.undelivered} send_retries={log.count('event=send_retry')}"
        )
        phases = self.db.reports if self.db is not None else []
        report.db_phases = list(phases)
        report.db_mounted = self.db is not None and self.db.mounted
        lines.extend(
            f"soak: db {p.name} applied={p.applied} outage_seen={p.outage_logged} "
            f"seconds={p.seconds:.0f} how={p.detail}"
            for p in phases
        )
        lines.append(
            f"soak: db outages={log.count('event=stats_unavailable')} "
            f"recoveries={log.count('event=stats_recovered')} events_expected={answered} "
            f"events_in_db={events} phantom_events={report.phantom_events} "
            f"identifiers_in_db={report.identifiers_in_db} exit_code={report.exit_code}"
        )
        lines.append(self._memory_line())

    def _memory_line(self) -> str:
        samples = self.rss
        if not samples:
            return "soak: memory no samples"
        warm_turn = int(self.config.messages * self.config.warmup_share)
        warm = [kb for turns, kb in samples if turns >= warm_turn] or [samples[-1][1]]
        growth = (max(warm) - warm[0]) / 1024
        self.report.memory_growth_mb = growth
        return (
            f"soak: memory rss_start_mb={samples[0][1] / 1024:.1f} "
            f"rss_after_warmup_mb={warm[0] / 1024:.1f} rss_max_mb={max(warm) / 1024:.1f} "
            f"rss_end_mb={samples[-1][1] / 1024:.1f} growth_after_warmup_mb={growth:.1f} "
            f"limit_mb={self.config.memory_limit_mb:.0f}"
        )


def run_soak(config: SoakConfig, workdir: Path) -> SoakReport:
    return Soak(config, workdir).run()


def _button_data(message: SentMessage, prefix: str) -> list[str]:
    """Callback data of the message's buttons that start with prefix."""
    data = (b.get("callback_data") for b in message.buttons())
    return [d for d in data if isinstance(d, str) and d.startswith(prefix)]
