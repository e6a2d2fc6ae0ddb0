"""The Telegram bot's application: ApplicationBuilder wiring, command menus, polling or our
own webhook server (starlette + uvicorn), SIGHUP content reloads and a clean shutdown.

Settings come in validated (tgbot.config); the token only ever goes to PTB.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import logging
import signal
from collections.abc import Iterator, Sequence
from typing import Any, cast

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route
from telegram import (
    BotCommand,
    BotCommandScope,
    BotCommandScopeAllGroupChats,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeChat,
    Update,
)
from telegram.error import TelegramError
from telegram.ext import AIORateLimiter, ApplicationBuilder
from telegram.request import BaseRequest

from tgbot.channels.telegram.handlers import TgApplication, register_handlers
from tgbot.channels.telegram.state import (
    FloodGuard,
    GroupSettings,
    LiveContent,
    RecentAnswers,
    Services,
)
from tgbot.config import Settings
from tgbot.core.content import ContentError, ContentLibrary, ContentPack
from tgbot.stats.recorder import StatsRecorder
from tgbot.stats.service import NullStats, StatsService

__all__ = [
    "build_application",
    "build_services",
    "build_webhook_app",
    "command_menus",
    "run_bot",
    "serve_webhook",
]

log = logging.getLogger("tgbot.app")

# Retries after a 429: Telegram's retry_after is honoured by the rate limiter, then the
# message is sent again; after this many the error handler drops it and logs one line.
RATE_LIMIT_RETRIES = 3
CONCURRENT_UPDATES = 64
BOOTSTRAP_RETRIES = 3  # about 7 s of retries at start (1, 2, 4 s), then a clean exit
MAX_WEBHOOK_BODY = 1_000_000  # an update is a few KB; anything huge is not from Telegram

PRIVATE_COMMANDS = ("start", "topics", "ask", "help", "emergency", "about", "privacy")
GROUP_COMMANDS = ("ask", "topics", "help", "emergency", "autoanswer", "privacy")
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
    return Services(
        content=LiveContent(library, settings.content_dir, settings.emergency_number),
        stats=stats if stats is not None else make_stats(settings),
        settings=settings,
        groups=GroupSettings(settings.group_settings_path),
        recent=RecentAnswers(),
        flood=FloodGuard(),
    )


def command_menus(
    pack: ContentPack, operator_ids: Sequence[int] | frozenset[int]
) -> list[tuple[BotCommandScope, list[BotCommand]]]:
    """The "/" menus by scope: private chats, groups, and each operator's own chat."""

    def menu(names: Sequence[str]) -> list[BotCommand]:
        return [BotCommand(n, pack.text(f"cmd_{n}")[:256]) for n in names]

    scopes: list[tuple[BotCommandScope, list[BotCommand]]] = [
        (BotCommandScopeAllPrivateChats(), menu(PRIVATE_COMMANDS)),
        (BotCommandScopeAllGroupChats(), menu(GROUP_COMMANDS)),
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
        _install_sighup(app, services)
        log.info("event=started mode=%s", settings.mode)
        if not settings.rate_limited:
            log.warning("event=rate_limiter_off reason=BENCH_NO_RATE_LIMIT benchmarks_only")

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
        .post_shutdown(post_shutdown)
    )
    if request is not None:
        builder = builder.request(request).get_updates_request(request)
    if not with_updater:
        builder = builder.updater(None)
    app: TgApplication
    if settings.rate_limited:
        app = builder.rate_limiter(AIORateLimiter(max_retries=RATE_LIMIT_RETRIES)).build()
    else:
        # Benchmarks only (BENCH_NO_RATE_LIMIT). The cast: TgApplication's bot type names the
        # limiter's argument type, which an application without a limiter never uses.
        app = cast(TgApplication, builder.build())
    register_handlers(app, services)
    return app


async def set_command_menus(app: TgApplication, services: Services) -> None:
    """Register the menus, in every content language; a failure only costs the menu."""
    library = services.content.library
    for language, pack in sorted(library.packs.items()):
        # The default pack's menu is everyone's; another pack's is shown to users whose
        # Telegram language matches (Telegram takes two-letter ISO 639-1 codes only).
        code = None if language == library.default_language else language.split("-")[0]
        if code is not None and len(code) != 2:
            continue
        for scope, commands in command_menus(pack, services.settings.operator_ids):
            try:
                await app.bot.set_my_commands(commands, scope=scope, language_code=code)
            except TelegramError as exc:
                log.warning(
                    "event=set_commands_failed scope=%s error=%s", scope.type, type(exc).__name__
                )


# --- Webhook mode ----------------------------------------------------------------------------


def build_webhook_app(application: TgApplication, secret: str, path: str) -> Starlette:
    """Our webhook server: POST <path> with Telegram's secret header, GET /healthz."""
    expected = secret.encode()

    async def telegram(request: Request) -> Response:
        given = request.headers.get("X-Telegram-Bot-Api-Secret-Token", "").encode()
        # Constant-time comparison: the secret must not leak through response timing.
        if not hmac.compare_digest(given, expected):
            return Response(status_code=403)
        declared = request.headers.get("content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > MAX_WEBHOOK_BODY):
            return Response(status_code=413)
        body = bytearray()
        async for part in request.stream():
            body.extend(part)
            if len(body) > MAX_WEBHOOK_BODY:
                return Response(status_code=413)
        try:
            data: Any = json.loads(body)
            if not isinstance(data, dict) or not isinstance(data.get("update_id"), int):
                return Response(status_code=400)
            update = Update.de_json(data, application.bot)
        except (ValueError, TypeError, KeyError, AttributeError):
            return Response(status_code=400)
        await application.update_queue.put(update)
        return Response()

    async def healthz(_: Request) -> Response:
        return PlainTextResponse("ok")

    return Starlette(
        routes=[
            Route(path, telegram, methods=["POST"]),
            Route("/healthz", healthz, methods=["GET"]),
        ]
    )


async def serve_webhook(
    settings: Settings, app: TgApplication, *, stop: asyncio.Event | None = None
) -> None:
    """Webhook mode: register the webhook, serve until SIGINT/SIGTERM (or until stop is
    set), then stop the application and flush statistics, in run_polling's order."""
    import uvicorn

    class Server(uvicorn.Server):
        @contextlib.contextmanager
        def capture_signals(self) -> Iterator[None]:
            # uvicorn would re-raise SIGTERM after serving, killing the process before the
            # statistics are flushed; we own the signals instead (see below).
            yield

    if settings.webhook_url is None or settings.webhook_secret is None:
        raise ValueError("webhook mode needs WEBHOOK_URL and WEBHOOK_SECRET")
    server = Server(
        uvicorn.Config(
            build_webhook_app(app, settings.webhook_secret, settings.webhook_path),
            host=settings.webhook_listen,
            port=settings.webhook_port,
            log_config=None,  # our logging (with its redaction filter) handles uvicorn's lines
            access_log=False,  # request lines add nothing and would grow with traffic
        )
    )

    def request_exit() -> None:
        server.should_exit = True

    loop = asyncio.get_running_loop()
    signals = (signal.SIGINT, signal.SIGTERM)
    for sig in signals:
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, request_exit)
    waiter = asyncio.ensure_future((stop or asyncio.Event()).wait())
    waiter.add_done_callback(lambda _: request_exit())
    try:
        async with app:
            if app.post_init is not None:
                await app.post_init(app)
            await app.bot.set_webhook(
                url=settings.webhook_url,
                allowed_updates=Update.ALL_TYPES,
                secret_token=settings.webhook_secret,
                drop_pending_updates=False,
            )
            await app.start()
            try:
                await server.serve()  # returns once request_exit() ran
            finally:
                await app.stop()
    finally:
        waiter.cancel()
        for sig in signals:
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.remove_signal_handler(sig)
        # As run_polling does: flush and close statistics after the application stopped.
        if app.post_shutdown is not None:
            await app.post_shutdown(app)


def run_bot(settings: Settings, library: ContentLibrary) -> int:
    """Run until SIGINT/SIGTERM in the configured mode; returns the process exit code."""
    services = build_services(settings, library)
    if settings.mode == "webhook":
        app = build_application(settings, services, with_updater=False)
        asyncio.run(serve_webhook(settings, app))
        return 0
    app = build_application(settings, services)
    app.run_polling(
        allowed_updates=Update.ALL_TYPES,
        drop_pending_updates=False,
        bootstrap_retries=BOOTSTRAP_RETRIES,
    )
    return 0
