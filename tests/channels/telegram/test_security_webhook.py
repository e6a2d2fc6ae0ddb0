"""Forged webhooks: only a request carrying Telegram's secret token header reaches the bot.

Anything else gets a bare 403 (or 404/405/413) before its body is read or parsed, nothing is
queued, and no response tells the sender anything (no secret, no hint, no stack trace).
"""

from __future__ import annotations

import json

import httpx
import pytest
from conftest import Harness
from tgfakes import message_update

from tgbot.channels.telegram.webhook import build_webhook_app
from tgbot.config import SettingsError, parse_settings

SECRET = "s3cret-Token_for-tests"
PATH = "/telegram/hook"
HEADER = "X-Telegram-Bot-Api-Secret-Token"
UPDATE = json.dumps(message_update("why does my baby twitch")).encode()


def client(harness: Harness) -> httpx.AsyncClient:
    web = build_webhook_app(harness.app, SECRET, PATH)
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=web), base_url="http://bot.test")


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {HEADER: ""},
        {HEADER: "wrong"},
        {HEADER: SECRET.upper()},
        {HEADER: SECRET[:-1]},
        {HEADER: SECRET + "x"},
        {HEADER: " " + SECRET + " "},
        {HEADER: SECRET + "\t"},
        {"X-Telegram-Bot-Api-Secret": SECRET},  # a near-miss header name
        {"Authorization": f"Bearer {SECRET}"},
        {"Cookie": f"secret={SECRET}"},
    ],
    ids=[
        "none",
        "empty",
        "wrong",
        "upper-case",
        "prefix",
        "longer",
        "padded",
        "tab",
        "other-header",
        "authorization",
        "cookie",
    ],
)
async def test_a_request_without_the_right_secret_header_is_refused(
    harness: Harness, headers: dict[str, str]
) -> None:
    async with client(harness) as http:
        response = await http.post(PATH, content=UPDATE, headers=headers)
    assert response.status_code == 403
    assert response.content == b""  # no hint of what was wrong
    assert harness.app.update_queue.empty()


async def test_the_secret_is_not_accepted_anywhere_but_its_header(harness: Harness) -> None:
    async with client(harness) as http:
        in_query = await http.post(f"{PATH}?secret_token={SECRET}", content=UPDATE)
        body = json.loads(UPDATE)
        body["secret_token"] = SECRET
        in_body = await http.post(PATH, json=body)
    assert (in_query.status_code, in_body.status_code) == (403, 403)
    assert harness.app.update_queue.empty()


async def test_a_huge_body_without_the_secret_is_refused_before_it_is_read(
    harness: Harness,
) -> None:
    async with client(harness) as http:
        response = await http.post(PATH, content=b"{" * 5_000_000)
    assert response.status_code == 403
    assert harness.app.update_queue.empty()


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE", "PATCH"])
async def test_other_methods_never_reach_the_bot(harness: Harness, method: str) -> None:
    async with client(harness) as http:
        response = await http.request(method, PATH, content=UPDATE, headers={HEADER: SECRET})
    assert response.status_code == 405
    assert harness.app.update_queue.empty()


@pytest.mark.parametrize(
    "path", ["/", "/telegram", "/telegram/hook/", "/telegram/hook/../hook2", "/%2e%2e/telegram"]
)
async def test_other_paths_never_reach_the_bot(harness: Harness, path: str) -> None:
    async with client(harness) as http:
        response = await http.post(path, content=UPDATE, headers={HEADER: SECRET})
    assert response.status_code in (404, 405, 307)
    assert harness.app.update_queue.empty()


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"null",
        b'"string"',
        b'{"update_id": "1"}',
        b'{"update_id": 1.5}',
        b'{"update_id": 1, "message": "not an object"}',
        b'{"update_id": 1, "message": {"message_id": "x"}}',
        b"\xff\xfe\x00",
        b'{"update_id": 1' + b", " * 10_000,
    ],
)
async def test_garbage_with_the_secret_is_refused_calmly(harness: Harness, body: bytes) -> None:
    async with client(harness) as http:
        response = await http.post(PATH, content=body, headers={HEADER: SECRET})
    assert response.status_code in (200, 400)
    assert b"Traceback" not in response.content
    assert SECRET.encode() not in response.content


async def test_a_lying_content_length_is_refused(harness: Harness) -> None:
    async with client(harness) as http:
        response = await http.post(
            PATH, content=UPDATE, headers={HEADER: SECRET, "Content-Length": "99999999999"}
        )
    assert response.status_code in (400, 413)
    assert harness.app.update_queue.empty()


async def test_the_right_secret_lets_an_update_through(harness: Harness) -> None:
    async with client(harness) as http:
        response = await http.post(PATH, content=UPDATE, headers={HEADER: SECRET})
    assert response.status_code == 200
    assert harness.app.update_queue.qsize() == 1


async def test_the_health_endpoint_says_nothing_else(harness: Harness) -> None:
    async with client(harness) as http:
        response = await http.get("/healthz")
    assert (response.status_code, response.text) == (200, "ok")


def test_webhook_mode_cannot_start_without_a_secret() -> None:
    with pytest.raises(SettingsError) as info:
        parse_settings(
            {
                "TELEGRAM_BOT_TOKEN": "123456:ABCDEFGHIJKLMNOP",
                "BOT_MODE": "webhook",
                "WEBHOOK_URL": "https://bot.example.org/telegram/hook",
            }
        )
    assert any("WEBHOOK_SECRET" in problem for problem in info.value.problems)


@pytest.mark.parametrize("secret", ["short secret with spaces", "ü" * 10, "a" * 257, "x;y"])
def test_a_secret_telegram_would_not_send_back_is_refused_at_start(secret: str) -> None:
    with pytest.raises(SettingsError) as info:
        parse_settings(
            {
                "TELEGRAM_BOT_TOKEN": "123456:ABCDEFGHIJKLMNOP",
                "BOT_MODE": "webhook",
                "WEBHOOK_URL": "https://bot.example.org/telegram/hook",
                "WEBHOOK_SECRET": secret,
            }
        )
    assert secret not in str(info.value)  # the value is never echoed
