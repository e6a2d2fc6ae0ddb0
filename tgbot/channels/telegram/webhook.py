"""Webhook mode: our own HTTP server (starlette + uvicorn) in front of the Application.

Checks Telegram's secret header in constant time before reading a body, caps the body, and
serves GET /healthz. Survives hostile clients: at most MAX_CONNECTIONS open connections (beyond,
the oldest one still waiting for its headers is closed, so the open files stay bounded and a
new delivery gets in), request headers must be complete within
HEADER_TIMEOUT and a body within BODY_TIMEOUT, at most LIMIT_CONCURRENCY requests at once
(503 beyond), 8 KB of headers, 400 for any malformed body (never a 500), no redirect on a
trailing slash. Never logs a request body or header: they carry parents' messages.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import logging
import math
import signal
import time
from collections.abc import Iterator
from typing import Any

from starlette.applications import Starlette
from starlette.requests import ClientDisconnect, Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route
from telegram import Update

from tgbot.channels.telegram.handlers import ALLOWED_UPDATES, TgApplication
from tgbot.config import Settings

__all__ = [
    "MAX_WEBHOOK_BODY",
    "build_server",
    "build_webhook_app",
    "guarded_protocol",
    "serve_webhook",
]

log = logging.getLogger("tgbot.webhook")

MAX_WEBHOOK_BODY = 1_000_000  # an update is a few KB; anything huge is not from Telegram
# Telegram opens at most max_connections (40 by default) to a webhook; /healthz adds one.
MAX_CONNECTIONS = 100  # open connections; a new one beyond is closed before it is read
# Requests in progress, beyond which uvicorn answers 503. uvicorn counts open connections too,
# so it sits above MAX_CONNECTIONS: half-open connections must never make /healthz a 503.
LIMIT_CONCURRENCY = 128
HEADER_TIMEOUT = 10.0  # seconds for a request's headers, from connect or the last response
BODY_TIMEOUT = 10.0  # seconds for the whole body once the headers are in
KEEP_ALIVE_TIMEOUT = 5  # idle seconds between requests on one connection
MAX_HEADER_BYTES = 8 * 1024  # h11's limit on an incomplete request head (headers)
BACKLOG = 128  # connections the kernel queues before we accept them


def guarded_protocol() -> type[Any]:
    """uvicorn's h11 protocol with a connection cap and a header timeout (uvicorn has
    neither: a client that never finishes its headers holds a connection and a file forever).
    """
    from uvicorn.protocols.http.h11_impl import H11Protocol

    class GuardedH11Protocol(H11Protocol):
        _header_timer: asyncio.TimerHandle | None = None
        _opened_at = 0.0

        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            self._opened_at = time.monotonic()
            if len(self.connections) > MAX_CONNECTIONS:
                # Full: the oldest connection still waiting for its headers goes (a half-open
                # one, most likely), so Telegram's next delivery and /healthz get in; when
                # every connection is busy with a request, the new one is refused.
                _log_limited("event=webhook_refused reason=too_many_connections")
                waiting = [
                    c
                    for c in self.connections
                    if c is not self and isinstance(c, GuardedH11Protocol) and c._waiting()
                ]
                if not waiting:
                    transport.abort()
                    return
                min(waiting, key=lambda c: c._opened_at).transport.abort()
            self._arm_header_timer()

        def _waiting(self) -> bool:
            """No request in progress: waiting for (the rest of) a request's headers."""
            return (self.cycle is None or self.cycle.response_complete) and not (
                self.transport.is_closing()
            )

        def _arm_header_timer(self) -> None:
            if self._header_timer is not None:
                self._header_timer.cancel()
            self._header_timer = self.loop.call_later(HEADER_TIMEOUT, self._header_timeout)

        def _header_timeout(self) -> None:
            self._header_timer = None
            if self._waiting():
                _log_limited("event=webhook_refused reason=header_timeout")
                self.transport.close()

        def on_response_complete(self) -> None:
            super().on_response_complete()
            if not self.transport.is_closing():
                self._arm_header_timer()  # the next request's headers get the same time

        def connection_lost(self, exc: Exception | None) -> None:
            if self._header_timer is not None:
                self._header_timer.cancel()
                self._header_timer = None
            super().connection_lost(exc)

    return GuardedH11Protocol


class _RepeatLimiter:
    """At most one line per kind every LOG_EVERY seconds, with the count of those held back."""

    LOG_EVERY = 10.0

    def __init__(self) -> None:
        self._last: dict[str, float] = {}
        self._held: dict[str, int] = {}

    def __call__(self, line: str) -> None:
        now = time.monotonic()
        if now - self._last.get(line, -math.inf) < self.LOG_EVERY:
            self._held[line] = self._held.get(line, 0) + 1
            return
        self._last[line] = now
        log.warning("%s suppressed=%d", line, self._held.pop(line, 0))


_log_limited = _RepeatLimiter()


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
        try:
            async with asyncio.timeout(BODY_TIMEOUT):  # a body trickled in byte by byte
                async for part in request.stream():
                    body.extend(part)
                    if len(body) > MAX_WEBHOOK_BODY:
                        return Response(status_code=413)
        except TimeoutError:
            _log_limited("event=webhook_refused reason=body_timeout")
            return Response(status_code=408)
        except ClientDisconnect:
            return Response(status_code=400)  # nobody is left to read it
        try:
            data: Any = json.loads(body)
            if not isinstance(data, dict) or not isinstance(data.get("update_id"), int):
                return Response(status_code=400)
            update = Update.de_json(data, application.bot)
        except (ValueError, TypeError, KeyError, AttributeError, RecursionError):
            return Response(status_code=400)
        except Exception as exc:
            # Whatever else a forged body makes PTB raise: a 400 and one line, no traceback.
            _log_limited(f"event=webhook_bad_body error={type(exc).__name__}")
            return Response(status_code=400)
        await application.update_queue.put(update)
        return Response()

    async def healthz(_: Request) -> Response:
        return PlainTextResponse("ok")

    app = Starlette(
        routes=[
            Route(path, telegram, methods=["POST"]),
            Route("/healthz", healthz, methods=["GET"]),
        ]
    )
    # "POST <path>/" is a 404, not a 307 to <path>: nothing but the two routes answers.
    app.router.redirect_slashes = False
    return app


def build_server(asgi_app: Starlette, *, host: str, port: int) -> Any:
    """The uvicorn server with every limit above; serve() runs it until should_exit."""
    import uvicorn

    class Server(uvicorn.Server):
        @contextlib.contextmanager
        def capture_signals(self) -> Iterator[None]:
            # uvicorn would re-raise SIGTERM after serving, killing the process before the
            # statistics are flushed; we own the signals instead (see serve_webhook).
            yield

    return Server(
        uvicorn.Config(
            asgi_app,
            host=host,
            port=port,
            log_config=None,  # our logging (with its redaction filter) handles uvicorn's lines
            access_log=False,  # request lines add nothing and would grow with traffic
            http=guarded_protocol(),
            limit_concurrency=LIMIT_CONCURRENCY,
            timeout_keep_alive=KEEP_ALIVE_TIMEOUT,
            h11_max_incomplete_event_size=MAX_HEADER_BYTES,
            backlog=BACKLOG,
            timeout_graceful_shutdown=5,
        )
    )


async def serve_webhook(
    settings: Settings, app: TgApplication, *, stop: asyncio.Event | None = None
) -> None:
    """Webhook mode: register the webhook, serve until SIGINT/SIGTERM (or until stop is
    set), then stop the application and flush statistics, in run_polling's order."""
    if settings.webhook_url is None or settings.webhook_secret is None:
        raise ValueError("webhook mode needs WEBHOOK_URL and WEBHOOK_SECRET")
    server = build_server(
        build_webhook_app(app, settings.webhook_secret, settings.webhook_path),
        host=settings.webhook_listen,
        port=settings.webhook_port,
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
                allowed_updates=list(ALLOWED_UPDATES),
                secret_token=settings.webhook_secret,
                drop_pending_updates=False,
            )
            await app.start()
            try:
                await server.serve()  # returns once request_exit() ran
            finally:
                await app.stop()
                if app.post_stop is not None:  # as run_polling: queued replies go out
                    await app.post_stop(app)
    finally:
        waiter.cancel()
        for sig in signals:
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.remove_signal_handler(sig)
        # As run_polling does: flush and close statistics after the application stopped.
        if app.post_shutdown is not None:
            await app.post_shutdown(app)
