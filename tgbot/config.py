"""Settings from the environment (and an optional .env file), validated once at start.

Every problem names its variable and says how to fix it. Secret values (the bot token, the
webhook secret) and operator ids are never echoed back, not even in error messages.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from dotenv import dotenv_values

from tgbot.core.content import DEFAULT_CONTENT_DIR

__all__ = ["DEFAULT_API_BASE_FILE_URL", "DEFAULT_API_BASE_URL", "Settings", "SettingsError"]

DEFAULT_API_BASE_URL = "https://api.telegram.org/bot"
DEFAULT_API_BASE_FILE_URL = "https://api.telegram.org/file/bot"

# @BotFather tokens are "<bot id>:<35 characters>"; test servers use shorter secrets, so only
# the shape is checked: digits, a colon, then URL-safe characters.
TOKEN_SHAPE = re.compile(r"^[0-9]{1,20}:[A-Za-z0-9_-]{8,200}$")
# Telegram allows 1-256 characters A-Z, a-z, 0-9, _ and - in X-Telegram-Bot-Api-Secret-Token.
WEBHOOK_SECRET_SHAPE = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
_TRUE = ("1", "true", "yes", "on")
_FALSE = ("0", "false", "no", "off")

BotMode = Literal["polling", "webhook"]
StoreText = Literal["unanswered", "none"]


class SettingsError(Exception):
    """Settings that cannot work; holds one message per problem, each naming its variable."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("; ".join(problems))

    def report(self) -> str:
        return "\n".join(f"- {p}" for p in self.problems)


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything the bot reads from its environment. repr() never shows the secrets."""

    token: str | None = field(default=None, repr=False)
    api_base_url: str = DEFAULT_API_BASE_URL
    api_base_file_url: str = DEFAULT_API_BASE_FILE_URL
    mode: BotMode = "polling"
    webhook_url: str | None = None
    webhook_secret: str | None = field(default=None, repr=False)
    webhook_listen: str = "127.0.0.1"
    webhook_port: int = 8443
    stats_enabled: bool = True
    stats_db_path: Path = Path("data/stats.sqlite3")
    # No question text by default: the scrubber's blind measure kept identifiers (SECURITY.md).
    stats_store_text: StoreText = "none"
    stats_retention_days: int = 180
    group_settings_path: Path = Path("data/groups.json")
    operator_ids: frozenset[int] = field(default=frozenset(), repr=False)
    emergency_number: str | None = None
    content_dir: Path = DEFAULT_CONTENT_DIR
    log_level: str = "INFO"
    # Benchmarks only (BENCH_NO_RATE_LIMIT=1): without AIORateLimiter the bot would exceed
    # Telegram's flood limits and collect 429s; the HTTP benchmark turns it off to measure
    # what the bot could do, beside the rate-limited figure.
    rate_limited: bool = True

    @property
    def secrets(self) -> tuple[str, ...]:
        """Values that must never appear in a log line."""
        return tuple(s for s in (self.token, self.webhook_secret) if s)

    @property
    def webhook_path(self) -> str:
        """The path of WEBHOOK_URL, where the webhook server accepts Telegram's updates."""
        return urlsplit(self.webhook_url or "").path or "/"


def load_settings(
    environ: Mapping[str, str] | None = None, *, dotenv_path: Path | None = Path(".env")
) -> Settings:
    """Read and validate the settings; the real environment wins over the .env file.

    Raises SettingsError listing every problem found.
    """
    values: dict[str, str] = {}
    if dotenv_path is not None and dotenv_path.is_file():
        values.update({k: v for k, v in dotenv_values(dotenv_path).items() if v is not None})
    values.update(os.environ if environ is None else environ)
    return parse_settings(values)


def parse_settings(env: Mapping[str, str]) -> Settings:
    """Validate a mapping of variables into Settings (no I/O; what load_settings calls)."""
    problems: list[str] = []

    def get(name: str) -> str | None:
        value = env.get(name, "").strip()
        return value or None

    token = get("TELEGRAM_BOT_TOKEN")
    if token is not None and not TOKEN_SHAPE.match(token):
        # The value is never shown: a half-right token is still a secret.
        problems.append(
            "TELEGRAM_BOT_TOKEN is malformed (value not shown): expected the form "
            "<digits>:<secret> exactly as @BotFather gives it, without quotes, spaces or a "
            "'bot' prefix"
        )

    api_base_url = get("TELEGRAM_API_BASE_URL") or DEFAULT_API_BASE_URL
    api_base_file_url = get("TELEGRAM_API_BASE_FILE_URL") or DEFAULT_API_BASE_FILE_URL
    for name, url in (
        ("TELEGRAM_API_BASE_URL", api_base_url),
        ("TELEGRAM_API_BASE_FILE_URL", api_base_file_url),
    ):
        if not _is_http_url(url):
            default = (
                DEFAULT_API_BASE_URL
                if name == "TELEGRAM_API_BASE_URL"
                else DEFAULT_API_BASE_FILE_URL
            )
            problems.append(
                f"{name} must be an http:// or https:// URL ending like the default ({default})"
            )

    mode_raw = (get("BOT_MODE") or "polling").lower()
    mode: BotMode = "polling"
    if mode_raw == "webhook":
        mode = "webhook"
    elif mode_raw != "polling":
        problems.append("BOT_MODE must be 'polling' or 'webhook'")

    webhook_url = get("WEBHOOK_URL")
    webhook_secret = get("WEBHOOK_SECRET")
    if webhook_url is not None and not _is_http_url(webhook_url, https_only=True):
        problems.append("WEBHOOK_URL must be an https:// URL that Telegram can reach")
    if webhook_secret is not None and not WEBHOOK_SECRET_SHAPE.match(webhook_secret):
        problems.append(
            "WEBHOOK_SECRET must be 1-256 characters of A-Z, a-z, 0-9, '_' and '-' "
            "(value not shown)"
        )
    if mode == "webhook":
        if webhook_url is None:
            problems.append("WEBHOOK_URL is required when BOT_MODE=webhook")
        if webhook_secret is None:
            problems.append(
                "WEBHOOK_SECRET is required when BOT_MODE=webhook (it lets the bot refuse "
                "requests that do not come from Telegram)"
            )
    webhook_listen = get("WEBHOOK_LISTEN") or "127.0.0.1"
    webhook_port = _int(get("WEBHOOK_PORT"), "WEBHOOK_PORT", 8443, 1, 65535, problems)

    stats_enabled = _bool(get("STATS_ENABLED"), "STATS_ENABLED", True, problems)
    stats_db_path = Path(get("STATS_DB_PATH") or "data/stats.sqlite3")
    store_raw = (get("STATS_STORE_TEXT") or "none").lower()
    stats_store_text: StoreText = "none"
    if store_raw == "unanswered":
        stats_store_text = "unanswered"
    elif store_raw != "none":
        problems.append("STATS_STORE_TEXT must be 'unanswered' or 'none'")
    retention = _int(get("STATS_RETENTION_DAYS"), "STATS_RETENTION_DAYS", 180, 1, 36500, problems)
    group_path_raw = get("GROUP_SETTINGS_PATH")
    group_settings_path = (
        Path(group_path_raw) if group_path_raw else stats_db_path.parent / "groups.json"
    )

    operator_ids = _operator_ids(get("OPERATOR_IDS"), problems)

    content_dir = Path(get("CONTENT_DIR") or DEFAULT_CONTENT_DIR)
    if not content_dir.is_dir():
        problems.append(f"CONTENT_DIR {str(content_dir)!r} is not a folder")

    no_rate_limit = _bool(get("BENCH_NO_RATE_LIMIT"), "BENCH_NO_RATE_LIMIT", False, problems)

    log_level = (get("LOG_LEVEL") or "INFO").upper()
    if log_level not in LOG_LEVELS:
        problems.append("LOG_LEVEL must be one of " + ", ".join(LOG_LEVELS))

    if problems:
        raise SettingsError(problems)
    return Settings(
        token=token,
        api_base_url=api_base_url,
        api_base_file_url=api_base_file_url,
        mode=mode,
        webhook_url=webhook_url,
        webhook_secret=webhook_secret,
        webhook_listen=webhook_listen,
        webhook_port=webhook_port,
        stats_enabled=stats_enabled,
        stats_db_path=stats_db_path,
        stats_store_text=stats_store_text,
        stats_retention_days=retention,
        group_settings_path=group_settings_path,
        operator_ids=operator_ids,
        emergency_number=get("EMERGENCY_NUMBER"),
        content_dir=content_dir,
        log_level=log_level,
        rate_limited=not no_rate_limit,
    )


def log_level_number(settings: Settings) -> int:
    """The logging module's number for LOG_LEVEL."""
    return int(logging.getLevelName(settings.log_level))


def _is_http_url(value: str, *, https_only: bool = False) -> bool:
    parts = urlsplit(value)
    schemes = ("https",) if https_only else ("http", "https")
    return parts.scheme in schemes and bool(parts.netloc)


def _int(raw: str | None, name: str, default: int, low: int, high: int, problems: list[str]) -> int:
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        problems.append(f"{name} must be a whole number between {low} and {high}")
        return default
    if not low <= value <= high:
        problems.append(f"{name} must be a whole number between {low} and {high}")
        return default
    return value


def _bool(raw: str | None, name: str, default: bool, problems: list[str]) -> bool:
    if raw is None:
        return default
    if raw.lower() in _TRUE:
        return True
    if raw.lower() in _FALSE:
        return False
    problems.append(f"{name} must be on or off (true/false, 1/0, yes/no)")
    return default


def _operator_ids(raw: str | None, problems: list[str]) -> frozenset[int]:
    if raw is None:
        return frozenset()
    ids: set[int] = set()
    for position, item in enumerate(raw.split(","), start=1):
        item = item.strip()
        if not item:
            continue
        # The ids themselves are never echoed: they identify people.
        if not re.fullmatch(r"[0-9]{1,20}", item) or int(item) <= 0:
            problems.append(
                f"OPERATOR_IDS item {position} is not a Telegram user id "
                "(expected comma-separated positive numbers)"
            )
            continue
        ids.add(int(item))
    return frozenset(ids)
