"""Logging set-up that keeps secrets and personal data out of every log line.

A filter on the root handler redacts the bot token (and anything shaped like
"bot<digits>:<secret>", which httpx and PTB put in request URLs and error messages) from the
message, its arguments and any traceback. Third-party loggers are held at levels where they
do not print requests or updates, whatever LOG_LEVEL says.
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Iterable
from typing import TextIO

__all__ = ["LimitRepeats", "RedactSecrets", "configure_logging", "redact"]

REDACTED = "<redacted>"
# A token anywhere: in URLs as ".../bot123:ABC.../getMe", or bare.
_TOKEN_SHAPE = re.compile(r"(?:bot)?[0-9]{3,20}:[A-Za-z0-9_-]{20,}")
_URL_TOKEN = re.compile(r"bot[0-9]{1,20}:[A-Za-z0-9_-]+")

# Library loggers and the least level at which they say nothing personal: httpx logs every
# request URL (which holds the token) at INFO; PTB's DEBUG lines print whole updates.
QUIET_LOGGERS = {
    "httpx": logging.WARNING,
    "httpcore": logging.WARNING,
    "telegram": logging.INFO,
    "apscheduler": logging.WARNING,
    "uvicorn": logging.INFO,
    "uvicorn.access": logging.WARNING,
    "aiosqlite": logging.INFO,
    "asyncio": logging.WARNING,
}

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"

# Library lines sometimes quote a whole Bot API payload (PTB logs an unparsable response body
# verbatim), and payloads hold names, ids and message text. Our own lines never carry JSON.
# A payload may be cut short (a dropped connection, a garbled answer) and then has no closing
# bracket, so everything from the first JSON- or repr-looking opener to the end is withheld:
# "{" or "[" followed by a quote, a bracket or a digit ("[Errno 111]" stays readable).
_PAYLOAD = re.compile(r"""[\[{](?=\s*["'\[{0-9]).*""", re.S)
PAYLOAD_WITHHELD = "<payload withheld>"


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """The text with the given secrets and anything token-shaped replaced."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, REDACTED)
    text = _URL_TOKEN.sub("bot" + REDACTED, text)
    return _TOKEN_SHAPE.sub(REDACTED, text)


class RedactSecrets(logging.Filter):
    """Rewrites each record so neither its message nor its traceback holds a secret."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        self._secrets = tuple(s for s in secrets if s)
        self._formatter = logging.Formatter()

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a bad format string must not hide the line, nor leak its args
            message = str(record.msg)
        foreign = not record.name.startswith("tgbot")
        if foreign:
            message = _PAYLOAD.sub(PAYLOAD_WITHHELD, message)
        record.msg = redact(message, self._secrets)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = self._formatter.formatException(record.exc_info)
        if record.exc_text:
            exc_text = redact(record.exc_text, self._secrets)
            record.exc_text = _PAYLOAD.sub(PAYLOAD_WITHHELD, exc_text) if foreign else exc_text
        if record.stack_info:
            record.stack_info = redact(record.stack_info, self._secrets)
        return True


class LimitRepeats(logging.Filter):
    """Library lines repeated in a loop (asyncio's "Too many open files" on every accept,
    uvicorn's "Invalid HTTP request" per hostile client) pass at most `burst` times per
    `window` seconds per logger and message; the next one that passes says how many were
    held back. Our own lines (tgbot.*) are rate-limited where they are written, not here.
    Memory is bounded: at most `max_keys` distinct lines are tracked.
    """

    def __init__(self, burst: int = 5, window: float = 10.0, max_keys: int = 1000) -> None:
        super().__init__()
        self._burst = burst
        self._window = window
        self._max_keys = max_keys
        self._seen: dict[tuple[str, str], tuple[float, int, int]] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name.startswith("tgbot"):
            return True
        key = (record.name, str(record.msg)[:200])
        now = record.created
        start, passed, held = self._seen.get(key, (now, 0, 0))
        if now - start > self._window:
            start, passed = now, 0
        if passed >= self._burst:
            self._seen[key] = (start, passed, held + 1)
            return False
        if len(self._seen) >= self._max_keys and key not in self._seen:
            self._seen.clear()
        self._seen[key] = (start, passed + 1, 0)
        if held:
            record.msg = f"{record.msg} (and {held} more like it held back)"
        return True


def configure_logging(
    level: int | str, secrets: Iterable[str] = (), stream: TextIO | None = None
) -> logging.Handler:
    """One stderr handler on the root logger with the redaction filter; returns the handler."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(logging.Formatter(LOG_FORMAT))
    handler.addFilter(LimitRepeats())  # before redaction: it keys on the unformatted line
    handler.addFilter(RedactSecrets(secrets))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    numeric = root.level
    for name, least in QUIET_LOGGERS.items():
        logging.getLogger(name).setLevel(max(least, numeric))
    logging.captureWarnings(True)
    return handler
