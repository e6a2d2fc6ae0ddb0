"""The real bot as a user starts it (`python bot.py`), pointed at the fake Bot API server.

BotProcess owns the child process and its log file; Conversation wraps the fake server with
the few moves every end-to-end test makes (ask in private, ask in a group, wait for the reply,
check that nothing came back). Waits are event-driven with timeouts, never fixed sleeps.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fakebotapi import FakeBotApi, FakeChat, FakeUser, Mark, SentMessage

from tgbot.core.content import DEFAULT_CONTENT_DIR, ContentPack, load_content
from tgbot.core.markup import to_plain

REPO = Path(__file__).resolve().parents[2]
# Syntactically valid, obviously fake; its secret part is what the log scan looks for.
TOKEN = "123456:ABC-fake_test_token_XYZ"
BOT_USERNAME = "ParentsHelpBot"
# One bot reply is a few ms of work; these bound the wait on a slow, shared CI machine.
REPLY_TIMEOUT = 10.0
START_TIMEOUT = 20.0
# How long "no reply" is watched for after a later message was already answered.
QUIET_WINDOW = 0.3
NEUTRALISED_SETTINGS = (
    "WEBHOOK_URL",
    "WEBHOOK_SECRET",
    "WEBHOOK_LISTEN",
    "WEBHOOK_PORT",
    "STATS_ENABLED",
    "STATS_STORE_TEXT",
    "STATS_RETENTION_DAYS",
    "GROUP_SETTINGS_PATH",
    "EMERGENCY_NUMBER",
)


def content_dir() -> Path:
    """The content the bot runs with: CONTENT_DIR when the test run sets it, as for the bot."""
    return Path(os.environ.get("CONTENT_DIR") or DEFAULT_CONTENT_DIR)


def content_pack() -> ContentPack:
    """The content the bot loads, for expected titles and prompts (the default pack)."""
    return load_content(content_dir()).default


def squash(text: str) -> str:
    """Whitespace-insensitive form: rendering may re-wrap a paragraph's lines."""
    return " ".join(text.split())


def identifiers(api: FakeBotApi) -> list[str]:
    """Everything that identifies a user or chat the server knows, and the bot's token.

    Names, usernames and ids of users; ids of chats, also without the "-100" a supergroup id
    carries; the token and its secret part. Only the bot's own id (public) is left out.
    """
    values = [TOKEN, TOKEN.split(":", 1)[1]]
    for user in api.users():
        values.extend(user.identifiers)
    for chat in api.chats():
        values.append(str(chat.id))
        bare = abs(chat.id)
        values.append(str(bare - 1_000_000_000_000 if bare > 1_000_000_000_000 else bare))
        values.extend(v for v in (chat.title, chat.username) if v)
    return sorted(set(values))


def leaks(text: str, values: list[str]) -> list[str]:
    """The values found in the text (case-insensitive: names may be re-cased)."""
    lowered = text.lower()
    return [v for v in values if v.lower() in lowered]


class BotProcess:
    """`python bot.py` in the repository with a clean environment, logging to a file."""

    def __init__(
        self,
        api: FakeBotApi,
        workdir: Path,
        *,
        operator_ids: tuple[int, ...] = (),
        extra_env: Mapping[str, str] | None = None,
    ) -> None:
        self.api = api
        self.workdir = workdir
        self.log_path = workdir / "bot.log"
        self.db_path = workdir / "data" / "stats.sqlite3"
        self.operator_ids = operator_ids
        self.extra_env = dict(extra_env or {})
        self.process: subprocess.Popen[bytes] | None = None

    def environment(self) -> dict[str, str]:
        """Only what the bot needs: no proxies, no inherited Telegram settings.

        The bot also reads a .env file in its working directory (the repository); the
        real environment wins, and an empty value means "the default", so every other
        setting is set empty here to keep a developer's .env out of the tests.
        """
        env = dict.fromkeys(NEUTRALISED_SETTINGS, "")
        env |= {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(self.workdir),
            "LANG": "C.UTF-8",
            "PYTHONDONTWRITEBYTECODE": "1",
            # Loopback must never go through a proxy a developer may have configured.
            "NO_PROXY": "*",
            **self.api.bot_env(),
            "BOT_MODE": "polling",
            "STATS_DB_PATH": str(self.db_path),
            "OPERATOR_IDS": ",".join(str(i) for i in self.operator_ids),
            "LOG_LEVEL": "DEBUG",
            "CONTENT_DIR": str(content_dir()),
        }
        env.update(self.extra_env)
        return env

    def start(self, ready: Callable[[Mark], object] | None = None) -> None:
        """Start the bot and wait until it is ready: by default, until it long-polls (it has
        set itself up by then); `ready(mark)` replaces that check (webhook mode)."""
        self.workdir.mkdir(parents=True, exist_ok=True)
        mark = self.api.mark()
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "bot.py"],
                cwd=REPO,
                env=self.environment(),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
            )

        def polling(since: Mark) -> bool:
            return any(c.params.get("timeout") for c in self.api.calls("getUpdates", since=since))

        check = ready or polling

        def started() -> object:
            self.assert_running()
            return check(mark)

        self.api.wait_for(started, START_TIMEOUT, what="the bot to be ready")

    def assert_running(self) -> None:
        if self.process is not None and self.process.poll() is not None:
            raise AssertionError(
                f"the bot exited with code {self.process.returncode}; log tail:\n" + self.log_tail()
            )

    def stop(self, timeout: float = 15.0) -> int | None:
        """SIGTERM, then SIGKILL if it does not exit in time; returns the exit code."""
        process = self.process
        if process is None:
            return None
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(5)
        return process.returncode

    def log_text(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log_text().splitlines()[-lines:])


@dataclass
class Conversation:
    """The fake server and the bot, with the moves a scripted conversation makes.

    `operator` is the one user listed in OPERATOR_IDS.
    """

    api: FakeBotApi
    bot: BotProcess
    operator: FakeUser

    def ask(self, user: FakeUser, text: str) -> SentMessage:
        """Write in the user's private chat; the bot's first message back."""
        mark = self.api.mark()
        self.api.send_text(user, text)
        return self.next_message(self.api.private_chat(user), mark)

    def next_message(self, chat: FakeChat | int, mark: Mark) -> SentMessage:
        """The bot's first message in the chat after the mark."""
        self.bot.assert_running()
        return self.api.wait_for_message(chat, since=mark, timeout=REPLY_TIMEOUT)

    def whole_answer(self, chat: FakeChat | int, mark: Mark) -> str:
        """Every part of the bot's answer after the mark, as one text.

        A long answer is split into several messages; the last one carries the buttons.
        """
        self.bot.assert_running()

        def parts() -> list[SentMessage] | None:
            sent = self.api.sent_messages(chat, since=mark)
            for index, message in enumerate(sent):
                if message.reply_markup:
                    return sent[: index + 1]
            return None

        found = self.api.wait_for(parts, REPLY_TIMEOUT, what="an answer with its buttons")
        return "\n\n".join(m.text for m in found)

    def reply_to(self, message: dict[str, Any]) -> SentMessage:
        """The bot's Telegram reply to this message."""
        self.bot.assert_running()
        return self.api.wait_for_reply(message, timeout=REPLY_TIMEOUT)

    def assert_silent_since(self, user: FakeUser, chat: FakeChat, mark: Mark) -> None:
        """Nothing the user sent to the chat after `mark` got an answer.

        Proof: a sentinel the bot always answers (/help addressed to it) goes after the
        ignored messages; once its answer is in, the ignored ones were handled too (updates
        are dispatched in order), and a short quiet window catches any late stray reply.
        """
        help_text = squash(to_plain(content_pack().text("help", bot_username=BOT_USERNAME)))
        self.api.send_text(user, f"/help@{BOT_USERNAME}", chat=chat)
        sentinel_answer = self.api.wait_for_message(
            chat, lambda s: squash(s.text) == help_text, since=mark, timeout=REPLY_TIMEOUT
        )
        deadline = time.monotonic() + QUIET_WINDOW
        while True:
            sent = self.api.sent_messages(chat, since=mark)
            assert sent == [sentinel_answer], (
                "the bot answered a message it should have ignored: "
                + repr([squash(s.text)[:60] for s in sent if s is not sentinel_answer])
            )
            if time.monotonic() >= deadline:
                return
            time.sleep(0.02)


@contextlib.contextmanager
def running_bot(
    workdir: Path,
    *,
    extra_env: Mapping[str, str] | None = None,
    webhook_target: str | None = None,
    ready: Callable[[Mark], object] | None = None,
) -> Iterator[Conversation]:
    """A fake server, an operator known to it, and the bot using it; all stopped after."""
    with FakeBotApi(
        TOKEN,
        bot_username=BOT_USERNAME,
        bot_first_name="Parents Helper",
        webhook_target=webhook_target,
    ) as api:
        # The operator has talked to the bot before, as a real operator would have.
        operator = api.user("Octavia", "Operatorova", username="octavia_ops_e2e")
        bot = BotProcess(api, workdir, operator_ids=(operator.id,), extra_env=extra_env)
        try:
            bot.start(ready)
            yield Conversation(api, bot, operator)
        finally:
            bot.stop()
