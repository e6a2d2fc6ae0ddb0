"""Logging never shows the bot token, even in URLs and tracebacks, and libraries stay quiet."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest

from tgbot.logsafety import configure_logging, redact

TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw0"


@pytest.fixture
def log_output() -> Iterator[io.StringIO]:
    root = logging.getLogger()
    saved = (list(root.handlers), root.level)
    levels = {n: logging.getLogger(n).level for n in ("httpx", "telegram")}
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


def test_token_in_a_message_is_redacted(log_output: io.StringIO) -> None:
    logging.getLogger("tgbot.test").warning(
        "calling %s/getMe", f"https://api.telegram.org/bot{TOKEN}"
    )
    assert TOKEN not in log_output.getvalue()
    assert "bot<redacted>" in log_output.getvalue()


def test_any_token_shaped_url_part_is_redacted() -> None:
    other = "987654:ZZZ-another_secret_value_here"
    assert other not in redact(f"POST http://127.0.0.1/bot{other}/sendMessage")


def test_token_in_a_traceback_is_redacted(log_output: io.StringIO) -> None:
    try:
        raise RuntimeError(f"connect failed for /bot{TOKEN}/getUpdates")
    except RuntimeError:
        logging.getLogger("tgbot.test").exception("polling failed")
    assert TOKEN not in log_output.getvalue()
    assert "polling failed" in log_output.getvalue()


def test_httpx_request_lines_are_not_logged(log_output: io.StringIO) -> None:
    logging.getLogger("httpx").info("HTTP Request: POST https://x/bot%s/getMe", TOKEN)
    assert log_output.getvalue() == ""


def test_library_debug_lines_are_held_back_even_at_debug_level(log_output: io.StringIO) -> None:
    logging.getLogger("telegram.ext.Application").debug("Processing update %s", "{'text': 'hi'}")
    assert log_output.getvalue() == ""


def test_our_own_debug_lines_pass_at_debug_level(log_output: io.StringIO) -> None:
    logging.getLogger("tgbot.test").debug("event=probe")
    assert "event=probe" in log_output.getvalue()


def test_a_library_line_quoting_a_payload_withholds_it(log_output: io.StringIO) -> None:
    body = '{"ok": true, "result": {"chat": {"id": 5357514066, "first_name": "Patient"}}}'
    logging.getLogger("telegram.request.BaseRequest").error(
        'Can not load invalid JSON data: "%s"', body
    )
    line = log_output.getvalue()
    assert "Can not load invalid JSON data" in line
    assert "5357514066" not in line
    assert "Patient" not in line


def test_a_library_line_repeated_in_a_loop_is_held_back() -> None:
    import io
    import logging as _logging

    from tgbot.logsafety import LimitRepeats

    stream = io.StringIO()
    handler = _logging.StreamHandler(stream)
    handler.addFilter(LimitRepeats(burst=5, window=10.0))
    logger = _logging.getLogger("asyncio.test_repeats")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        for _ in range(10_000):
            logger.error("socket.accept() out of system resource")
    finally:
        logger.removeHandler(handler)
    assert stream.getvalue().count("out of system resource") == 5


def test_our_own_lines_are_never_held_back_by_the_repeat_limit() -> None:
    import logging as _logging

    from tgbot.logsafety import LimitRepeats

    limit = LimitRepeats(burst=1)
    record = _logging.LogRecord("tgbot.x", _logging.INFO, "f", 1, "event=answer", None, None)
    assert all(limit.filter(record) for _ in range(10))
