"""The webhook server against hostile clients (security review, weakness 3), over real sockets
on 127.0.0.1: half-open connections, headers or bodies trickled in, nested JSON, a trailing
slash. The server keeps answering, /healthz keeps answering, connections stay bounded, and the
log does not grow with the attack.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import socket
from collections.abc import AsyncIterator
from typing import Any

import pytest
from conftest import Harness
from tgfakes import message_update

from tgbot.channels.telegram import webhook
from tgbot.channels.telegram.webhook import build_server, build_webhook_app

SECRET = "s3cret-Token_for-tests"
PATH = "/telegram/hook"
UPDATE = json.dumps(message_update("why does my baby twitch")).encode()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.asynccontextmanager
async def running_server(harness: Harness) -> AsyncIterator[tuple[Any, int]]:
    port = free_port()
    server = build_server(build_webhook_app(harness.app, SECRET, PATH), host="127.0.0.1", port=port)
    task = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.01)
        assert not task.done(), "the server did not start"
    try:
        yield server, port
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, 10)


async def request(port: int, raw: bytes) -> bytes:
    """Send raw HTTP, return the whole response (the server closes or answers)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(raw)
        await writer.drain()
        return await asyncio.wait_for(reader.read(65536), 5.0)
    finally:
        await close(writer)


async def close(writer: asyncio.StreamWriter) -> None:
    writer.close()
    with contextlib.suppress(OSError):
        await writer.wait_closed()


def post(path: str, body: bytes, secret: str = SECRET) -> bytes:
    return (
        f"POST {path} HTTP/1.1\r\nHost: bot\r\nX-Telegram-Bot-Api-Secret-Token: {secret}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
        "Connection: close\r\n\r\n"
    ).encode() + body


HEALTHZ = b"GET /healthz HTTP/1.1\r\nHost: bot\r\nConnection: close\r\n\r\n"


async def half_open(port: int, n: int) -> list[asyncio.StreamWriter]:
    """n connections that start a request and never finish its headers."""
    writers = []
    for _ in range(n):
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
        except OSError:
            break  # the backlog is full: that is the point
        writer.write(b"POST /telegram/hook HTTP/1.1\r\nHost: bot\r\n")
        writers.append(writer)
    await asyncio.gather(*(w.drain() for w in writers), return_exceptions=True)
    return writers


async def test_a_thousand_half_open_connections_leave_the_server_answering(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    async with running_server(harness) as (server, port):
        with caplog.at_level(logging.DEBUG):
            writers = await half_open(port, 1000)
            await asyncio.sleep(0.2)
            assert len(server.server_state.connections) <= webhook.MAX_CONNECTIONS
            assert (await request(port, HEALTHZ)).startswith(b"HTTP/1.1 200")
            answer = await request(port, post(PATH, UPDATE))
            assert answer.startswith(b"HTTP/1.1 200") or answer.startswith(b"HTTP/1.1 503")
            await asyncio.gather(*(close(w) for w in writers))
    log_bytes = sum(len(r.getMessage()) for r in caplog.records)
    assert log_bytes < 1_000_000
    assert sum(1 for r in caplog.records if "too_many_connections" in r.getMessage()) <= 2


async def test_unfinished_headers_are_cut_off_after_the_header_timeout(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(webhook, "HEADER_TIMEOUT", 0.3)
    async with running_server(harness) as (_, port):
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        with contextlib.suppress(ConnectionError):  # the server may cut it off mid-trickle
            for _ in range(5):  # one byte at a time, each before any idle timeout
                writer.write(b"X")
                await writer.drain()
                await asyncio.sleep(0.1)
        closed = b""
        with contextlib.suppress(ConnectionError):
            closed = await asyncio.wait_for(reader.read(), 2.0)
        assert closed == b""  # closed, without a response
        await close(writer)


async def test_a_body_trickled_in_is_refused_after_the_body_timeout(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(webhook, "BODY_TIMEOUT", 0.3)
    async with running_server(harness) as (_, port):
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(post(PATH, UPDATE)[: -len(UPDATE) + 5])  # headers and 5 bytes of body
        await writer.drain()
        answer = await asyncio.wait_for(reader.read(65536), 3.0)
        assert answer.startswith(b"HTTP/1.1 408")
        await close(writer)
    assert harness.app.update_queue.empty()


async def test_deeply_nested_json_gets_a_400_without_a_traceback(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    body = b'{"update_id": 1, "message": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    async with running_server(harness) as (_, port):
        answer = await request(port, post(PATH, body))
    assert answer.startswith(b"HTTP/1.1 400")
    assert "Traceback" not in caplog.text
    assert harness.app.update_queue.empty()


async def test_a_trailing_slash_is_not_redirected(harness: Harness) -> None:
    async with running_server(harness) as (_, port):
        answer = await request(port, post(PATH + "/", UPDATE))
    assert answer.startswith(b"HTTP/1.1 404")
    assert harness.app.update_queue.empty()


async def test_headers_over_the_limit_are_refused(harness: Harness) -> None:
    async with running_server(harness) as (_, port):
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"GET /healthz HTTP/1.1\r\nHost: bot\r\n")
        with contextlib.suppress(ConnectionError):
            for _ in range(4):  # headers that never end, in pieces
                writer.write(b"X-Pad: " + b"a" * webhook.MAX_HEADER_BYTES + b"\r\n")
                await writer.drain()
                await asyncio.sleep(0.05)
        answer = b""
        with contextlib.suppress(ConnectionError):
            answer = await asyncio.wait_for(reader.read(65536), 3.0)
        assert answer == b"" or answer.startswith(b"HTTP/1.1 4")
        await close(writer)
