"""The Telegram bot's application: ApplicationBuilder wiring, command menus, polling (webhook
mode is in webhook.py), SIGHUP content reloads and a clean shutdown.

Settings come in validated (tgbot.config); the token only ever goes to PTB.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Sequence
from typing import cast
from urllib.parse import urlsplit

from telegram import (
    BotCommand,
    BotCommandScope,
    BotCommandScopeAllChatAdministrators,
    BotCommandScopeAllGroupChats,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeChat,
)
from telegram.constants import BotCommandLimit, BotDescriptionLimit
from telegram.error import InvalidToken, NetworkError, TelegramError
from telegram.ext import ApplicationBuilder
from telegram.request import BaseRequest

from tgbot.channels.telegram.handlers import (
    ALLOWED_UPDATES,
    CONFLICT_EXIT_CODE,
    TgApplication,
    register_handlers,
)
from tgbot.channels.telegram.outbox import Outbox, OutboxLimits
from tgbot.channels.telegram.state import (
    FloodGuard,
    GroupSettings,
    LiveContent,
    RecentAnswers,
    Services,
)
from tgbot.config import Settings
from tgbot.core.content import ContentError, ContentLibrary, ContentPack
from tgbot.core.markup import to_plain
from tgbot.extras import require_all
from tgbot.stats.recorder import StatsRecorder
from tgbot.stats.service import NullStats, StatsService

__all__ = [
    "build_application",
    "build_services",
    "command_menus",
    "run_bot",
    "startup_failure",
]

log = logging.getLogger("tgbot.app")

# Handlers only queue replies (outbox.py paces, sends and retries them), so an update slot is
# never held while a send waits on Telegram's limits; 64 bounds the work in flight.
CONCURRENT_UPDATES = 64
# At shutdown, queued replies get this long to go out after the last update was handled.
OUTBOX_DRAIN_SECONDS = 5.0
BOOTSTRAP_RETRIES = 3  # about 7 s of retries at start (1, 2, 4 s), then a clean exit

PRIVATE_COMMANDS = ("start", "topics", "ask", "help", "emergency", "about", "privacy")
GROUP_COMMANDS = ("ask", "topics", "help", "emergency", "privacy")
# Shown to a group's administrators only (Telegram's administrators scope wins over the group
# scope for them); the handler still checks that whoever sends it is an administrator.
GROUP_ADMIN_COMMANDS = (*GROUP_COMMANDS, "autoanswer")
OPERATOR_COMMANDS = ("stats", "report", "reload")


def make_stats(settings: Settings) -> StatsService:
    """The statistics recorder, or NullStats when statistics are switched off."""
    if not settings.stats_enabled:
        return NullStats()
    return StatsRecorder(
        settings.stats_db_path,
        store_text=settings.stats_store_text,
        retention_days=settings.stats_retention_days,
    )


def build_services(
    settings: Settings, library: ContentLibrary, stats: StatsService | None = None
) -> Services:
    """Everything the handlers share; stats defaults to what the settings ask for."""
    groups = GroupSettings(settings.group_settings_path)
    recent = RecentAnswers()

    def migrated(old_chat_id: int, new_chat_id: int) -> None:
        # A send found the group upgraded to a supergroup: its settings move with it.
        groups.migrate(old_chat_id, new_chat_id)
        recent.migrate(old_chat_id, new_chat_id)

    return Services(
        content=LiveContent(library, settings.content_dir, settings.emergency_number),
        stats=stats if stats is not None else make_stats(settings),
        settings=settings,
        groups=groups,
        recent=recent,
        flood=FloodGuard(),
        outbox=Outbox(OutboxLimits(paced=settings.rate_limited), on_migrated=migrated),
    )


def command_menus(
    pack: ContentPack, operator_ids: Sequence[int] | frozenset[int]
) -> list[tuple[BotCommandScope, list[BotCommand]]]:
    """The "/" menus by scope: private chats, groups, group administrators, and each
    operator's own chat."""

    def menu(names: Sequence[str]) -> list[BotCommand]:
        limit = BotCommandLimit.MAX_DESCRIPTION
        return [BotCommand(n, pack.text(f"cmd_{n}")[:limit]) for n in names]

    scopes: list[tuple[BotCommandScope, list[BotCommand]]] = [
        (BotCommandScopeAllPrivateChats(), menu(PRIVATE_COMMANDS)),
        (BotCommandScopeAllGroupChats(), menu(GROUP_COMMANDS)),
        (BotCommandScopeAllChatAdministrators(), menu(GROUP_ADMIN_COMMANDS)),
    ]
    for operator_id in sorted(operator_ids):
        scopes.append(
            (BotCommandScopeChat(operator_id), menu(PRIVATE_COMMANDS + OPERATOR_COMMANDS))
        )
    return scopes


async def reload_content(services: Services) -> bool:
    """Reload the content (SIGHUP); an invalid new version is reported and the old one stays."""
    try:
        library = await services.content.reload()
    except ContentError as exc:
        log.warning("event=reload result=failed problems=%d", len(exc.problems))
        for problem in exc.problems:
            # Content paths and messages only: no user data is ever in a content report.
            log.warning("event=reload_problem detail=%s", problem)
        return False
    log.info("event=reload result=ok version=%s", library.version)
    return True


def _install_sighup(app: TgApplication, services: Services) -> None:
    if not hasattr(signal, "SIGHUP"):
        return
    loop = asyncio.get_running_loop()
    with contextlib.suppress(NotImplementedError, RuntimeError):
        loop.add_signal_handler(
            signal.SIGHUP, lambda: app.create_task(reload_content(services), name="reload")
        )


def build_application(
    settings: Settings,
    services: Services,
    *,
    request: BaseRequest | None = None,
    with_updater: bool = True,
) -> TgApplication:
    """The PTB application with handlers, rate limiter and start/stop hooks.

    request replaces the HTTP layer (tests pass an offline one); with_updater=False is the
    webhook mode, where our own server feeds the update queue.
    """
    if settings.token is None:
        raise ValueError("a bot token is required to build the Telegram application")

    async def post_init(app: TgApplication) -> None:
        await services.stats.start()
        await set_command_menus(app, services)
        await set_bot_profile(app, services)
        _install_sighup(app, services)
        log.info("event=started mode=%s", settings.mode)
        if not settings.rate_limited:
            log.warning("event=rate_limiter_off reason=BENCH_NO_RATE_LIMIT benchmarks_only")

    async def post_stop(app: TgApplication) -> None:
        # Every update was handled; the replies they queued go out before the bot shuts down.
        await services.outbox.close(OUTBOX_DRAIN_SECONDS)

    async def post_shutdown(app: TgApplication) -> None:
        await services.stats.stop()
        log.info("event=stopped")

    builder = (
        ApplicationBuilder()
        .token(settings.token)
        .base_url(settings.api_base_url)
        .base_file_url(settings.api_base_file_url)
        .concurrent_updates(CONCURRENT_UPDATES)
        .post_init(post_init)
        .post_stop(post_stop)
        .post_shutdown(post_shutdown)
    )
    if request is not None:
        builder = builder.request(request).get_updates_request(request)
    if not with_updater:
        builder = builder.updater(None)
    # No AIORateLimiter: the outbox keeps Telegram's limits per chat and retries in one layer
    # (a limiter underneath would pause every chat during one chat's flood wait and stack its
    # retries on ours). BENCH_NO_RATE_LIMIT switches the outbox's pacing off. The cast:
    # TgApplication's bot type names a limiter argument type that is never used.
    app = cast(TgApplication, builder.build())
    register_handlers(app, services)
    return app


def _menu_languages(library: ContentLibrary) -> list[tuple[str | None, ContentPack]]:
    """(Telegram language_code, pack): the default pack's is everyone's (None); another pack's
    is shown to users whose Telegram language matches (two-letter ISO 639-1 codes only)."""
    out: list[tuple[str | None, ContentPack]] = []
    for language, pack in sorted(library.packs.items()):
        code = None if language == library.default_language else language.split("-")[0]
        if code is None or len(code) == 2:
            out.append((code, pack))
    return out


def bot_profile(pack: ContentPack) -> tuple[str, str]:
    """(description, short description): the empty chat's "What can this bot do?" text and
    the profile's line, plain text within Telegram's limits. Content sets them (ui.yaml) so
    a parent's very first view says it is not a diagnosis and names the emergency number."""

    def fit(text: str, limit: int) -> str:
        plain = to_plain(text).strip()
        return plain if len(plain) <= limit else plain[: limit - 1].rstrip() + "…"

    return (
        fit(pack.text("bot_description"), BotDescriptionLimit.MAX_DESCRIPTION_LENGTH),
        fit(pack.text("bot_short_description"), BotDescriptionLimit.MAX_SHORT_DESCRIPTION_LENGTH),
    )


async def set_bot_profile(app: TgApplication, services: Services) -> None:
    """Set the description and short description per content language at every start (and
    so after a content change); a failure only costs the profile text."""
    for code, pack in _menu_languages(services.content.library):
        description, short = bot_profile(pack)
        try:
            await app.bot.set_my_description(description, language_code=code)
            await app.bot.set_my_short_description(short, language_code=code)
        except TelegramError as exc:
            log.warning("event=set_profile_failed error=%s", type(exc).__name__)


async def set_command_menus(app: TgApplication, services: Services) -> None:
    """Register the menus, in every content language; a failure only costs the menu."""
    for code, pack in _menu_languages(services.content.library):
        for scope, commands in command_menus(pack, services.settings.operator_ids):
            try:
                await app.bot.set_my_commands(commands, scope=scope, language_code=code)
            except TelegramError as exc:
                log.warning(
                    "event=set_commands_failed scope=%s error=%s", scope.type, type(exc).__name__
                )


class _QuietBootstrapFailure(logging.Filter):
    """PTB logs a failed start (a refused token, an unreachable API) with its whole traceback
    before it raises; the launcher names the cause and the fix in one line instead, so below
    DEBUG the library's copy is dropped. Retries and every other PTB line are kept."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (
            record.levelno >= logging.ERROR
            and record.getMessage().startswith("Network Retry Loop (Bootstrap")
        )


def _api_origin(url: str) -> str:
    # Scheme, host and port only: enough to see a wrong address, and never a path a
    # self-hosted server might put a secret in.
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.netloc else repr(url)


def startup_failure(exc: BaseException, settings: Settings) -> tuple[str, str] | None:
    """(cause, fix) of a failure to reach or be accepted by the Bot API at start, or None.

    PTB raises InvalidToken for 401 (a token Telegram does not know) and for 404 (an address
    that is not a Bot API, or a token of a deleted bot) alike; the message tells them apart.
    """
    api = _api_origin(settings.api_base_url)
    if isinstance(exc, InvalidToken):
        detail = f"{exc} {exc.__cause__ or ''}"
        if "Not Found" in detail:
            return (
                f"the Bot API at {api} answered 404 Not Found",
                "TELEGRAM_API_BASE_URL must be a Bot API address ending in /bot (by default "
                "https://api.telegram.org/bot); if it is, the token belongs to a deleted bot",
            )
        return (
            "Telegram refused TELEGRAM_BOT_TOKEN (401 Unauthorized)",
            "copy the token again from @BotFather (/mybots, API Token); "
            "a revoked token stops working",
        )
    if isinstance(exc, NetworkError):  # TimedOut is one
        reason = exc.message.removeprefix("httpx.")
        return (
            f"cannot reach the Bot API at {api} ({reason}), "
            f"{BOOTSTRAP_RETRIES + 1} tries with back-off",
            "check the network, a proxy or firewall, and TELEGRAM_API_BASE_URL",
        )
    return None


def run_bot(settings: Settings, library: ContentLibrary) -> int:
    """Run until SIGINT/SIGTERM in the configured mode; returns the process exit code."""
    if settings.log_level != "DEBUG":
        logging.getLogger("telegram.ext").addFilter(_QuietBootstrapFailure())
    services = build_services(settings, library)
    if settings.mode == "webhook":
        # Before anything starts: a base install without the extra gets one clear line.
        require_all("webhook")
        from tgbot.channels.telegram.webhook import serve_webhook

        app = build_application(settings, services, with_updater=False)
        asyncio.run(serve_webhook(settings, app))
        return 0
    app = build_application(settings, services)
    app.run_polling(
        allowed_updates=list(ALLOWED_UPDATES),
        drop_pending_updates=False,
        bootstrap_retries=BOOTSTRAP_RETRIES,
    )
    return CONFLICT_EXIT_CODE if services.conflict.stopped else 0
