"""The token and parents' data never reach a log line, an error message or an exception text.

A scripted run of identifiable parents (names, usernames, ids, phone numbers and emails in
their messages) through the real application, with the real statistics recorder and the bot's
own logging set-up at DEBUG, leaves none of those values in the log. Library lines that quote
a Bot API payload, even one cut short, have it withheld. Settings never echo secrets.
(The real process's logs are scanned by the e2e suite and by the soak.)
"""

from __future__ import annotations

import io
import logging
import os
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import make_settings
from tgfakes import BOT_USERNAME, TOKEN, RecordingRequest, group_chat, message_update

from tgbot.channels.telegram.app import build_application, build_services
from tgbot.channels.telegram.handlers import TgApplication
from tgbot.config import SettingsError, parse_settings
from tgbot.core.content import ContentLibrary
from tgbot.logsafety import PAYLOAD_WITHHELD, configure_logging
from tgbot.stats.recorder import StatsRecorder

REPO = Path(__file__).resolve().parent.parent
JsonDict = dict[str, Any]

PARENTS: list[JsonDict] = [
    {
        "id": 5398112233,
        "is_bot": False,
        "first_name": "Wilhelmina",
        "last_name": "Quackenbush",
        "username": "wquackenbush_mum",
        "language_code": "en",
    },
    {
        "id": 5455667788,
        "is_bot": False,
        "first_name": "Bartholomew",
        "last_name": "Oyelaran",
        "username": "bart_oyelaran",
        "language_code": "en",
    },
]
SECRET_TEXTS = [
    "Hi I'm Wilhelmina, call me on +44 7700 900461, my son Jasper twitches in his sleep",
    "my email is wq.private@example.org, is it normal for a baby to jerk while sleeping",
    "Bartholomew here, NHS number 943 476 5919, our baby stopped breathing for a moment",
    "xyzzy plugh unanswerable question from Quackenbush",
]
GROUP = {**group_chat(-1001098765432), "title": "Quackenbush family chat"}


@pytest.fixture
def log_stream() -> Iterator[io.StringIO]:
    """The bot's own logging set-up (as the launcher makes it) at DEBUG, into a buffer."""
    root = logging.getLogger()
    saved = (list(root.handlers), root.level)
    names = ("httpx", "httpcore", "telegram", "apscheduler", "uvicorn", "aiosqlite", "asyncio")
    levels = {n: logging.getLogger(n).level for n in names}
    stream = io.StringIO()
    configure_logging(logging.DEBUG, [TOKEN], stream=stream)
    yield stream
    for handler in list(root.handlers):
        root.removeHandler(handler)
    for handler in saved[0]:
        root.addHandler(handler)
    root.setLevel(saved[1])
    for name, level in levels.items():
        logging.getLogger(name).setLevel(level)
    logging.captureWarnings(False)


@pytest.fixture
async def app_with_real_stats(
    tmp_path: Path, content_dir: Path, content_library: ContentLibrary
) -> AsyncIterator[TgApplication]:
    settings = make_settings(tmp_path, content_dir)
    stats = StatsRecorder(settings.stats_db_path, flush_interval=0.05)
    services = build_services(settings, content_library, stats=stats)
    app = build_application(settings, services, request=RecordingRequest(), with_updater=False)
    await stats.start()
    async with app:
        yield app
    await stats.stop()


def identifiers() -> list[str]:
    values = [TOKEN, TOKEN.split(":", 1)[1], str(GROUP["id"]), GROUP["title"]]
    for parent in PARENTS:
        values += [str(parent["id"]), parent["first_name"], parent["last_name"]]
        values.append(parent["username"])
    values += ["7700 900461", "wq.private@example.org", "943 476 5919", "Jasper", "xyzzy plugh"]
    return values


def leaked(text: str) -> list[str]:
    lowered = text.lower()
    return [v for v in identifiers() if v.lower() in lowered]


async def test_a_conversation_leaves_no_identifier_in_the_log(
    log_stream: io.StringIO, app_with_real_stats: TgApplication
) -> None:
    from telegram import Update

    app = app_with_real_stats
    for parent in PARENTS:
        for text in [*SECRET_TEXTS, "/start", "/help", "/stats", f"/ask {SECRET_TEXTS[0]}"]:
            for chat in (None, GROUP):
                body = text if chat is None else f"@{BOT_USERNAME} {text}"
                data = message_update(body, user=parent, chat=chat)
                await app.process_update(Update.de_json(data, app.bot))
    log = log_stream.getvalue()
    assert "event=answer" in log  # the log was written, at DEBUG
    assert leaked(log) == []


def test_a_payload_cut_short_in_a_library_line_is_withheld(log_stream: io.StringIO) -> None:
    # A garbled getUpdates answer, cut inside the sender's object: no closing bracket.
    cut = (
        '{"ok":true,"result":[{"update_id":1,"message":'
        '{"from":{"id":5398112233,"first_name":"Wilhel'
    )
    logging.getLogger("telegram.request.BaseRequest").error(
        'Can not load invalid JSON data: "%s"', cut
    )
    line = log_stream.getvalue()
    assert "Can not load invalid JSON data" in line
    assert PAYLOAD_WITHHELD in line
    assert "5398112233" not in line
    assert "Wilhel" not in line


def test_a_payload_in_a_library_traceback_is_withheld(log_stream: io.StringIO) -> None:
    try:
        raise ValueError('bad answer b\'{"result": {"first_name": "Wilhelmina"\'')
    except ValueError:
        logging.getLogger("telegram.ext.Updater").exception("polling failed")
    assert "Wilhelmina" not in log_stream.getvalue()
    assert "polling failed" in log_stream.getvalue()


def test_a_library_error_without_a_payload_stays_readable(log_stream: io.StringIO) -> None:
    logging.getLogger("httpx").error("[Errno 111] Connection refused")
    assert "[Errno 111] Connection refused" in log_stream.getvalue()


def test_the_token_is_redacted_from_any_logger(log_stream: io.StringIO) -> None:
    logging.getLogger("telegram.ext.ExtBot").error("POST https://x/bot%s/sendMessage", TOKEN)
    logging.getLogger("tgbot.test").warning("token %s", TOKEN)
    assert TOKEN.split(":", 1)[1] not in log_stream.getvalue()


def test_settings_never_show_their_secrets() -> None:
    settings = parse_settings(
        {
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "OPERATOR_IDS": "5398112233",
            "BOT_MODE": "webhook",
            "WEBHOOK_URL": "https://bot.example.org/hook",
            "WEBHOOK_SECRET": "hook-secret_Value",
        }
    )
    shown = repr(settings) + str(settings)
    for secret in (TOKEN, TOKEN.split(":", 1)[1], "hook-secret_Value", "5398112233"):
        assert secret not in shown


@pytest.mark.parametrize(
    "token", ["bot" + TOKEN, f'"{TOKEN}"', TOKEN.replace(":", ";"), TOKEN + " extra"]
)
def test_a_malformed_token_is_reported_without_its_value(token: str) -> None:
    with pytest.raises(SettingsError) as info:
        parse_settings({"TELEGRAM_BOT_TOKEN": token})
    message = str(info.value) + info.value.report()
    assert TOKEN.split(":", 1)[1] not in message
    assert "TELEGRAM_BOT_TOKEN" in message


def test_operator_ids_that_are_malformed_are_not_echoed() -> None:
    with pytest.raises(SettingsError) as info:
        parse_settings({"OPERATOR_IDS": "5398112233,wilhelmina"})
    assert "5398112233" not in info.value.report()
    assert "wilhelmina" not in info.value.report()


def test_the_real_process_refusing_a_bad_token_does_not_print_it(tmp_path: Path) -> None:
    token = "bot" + TOKEN  # a typical mistake: the "bot" prefix of the URL pasted along
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "TELEGRAM_BOT_TOKEN": token,
        "STATS_DB_PATH": str(tmp_path / "stats.sqlite3"),
    }
    done = subprocess.run(
        [sys.executable, "bot.py"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert "TELEGRAM_BOT_TOKEN" in done.stderr
    assert TOKEN.split(":", 1)[1] not in done.stdout + done.stderr
