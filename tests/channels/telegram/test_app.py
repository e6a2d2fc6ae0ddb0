"""Application wiring: base URLs and rate limiter, command menus per scope, start/stop hooks,
content reloads, and our webhook server's secret check and health endpoint."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from conftest import Harness, make_settings, write_fixture_content
from tgfakes import TOKEN, message_update

from tgbot.channels.telegram.app import (
    build_application,
    build_services,
    make_stats,
    reload_content,
)
from tgbot.channels.telegram.webhook import build_webhook_app
from tgbot.core.content import ContentLibrary
from tgbot.stats.service import NullStats

SECRET = "webhook-secret_123"


def test_api_base_urls_reach_ptb_unchanged(
    tmp_path: Path, content_dir: Path, content_library: ContentLibrary
) -> None:
    settings = make_settings(
        tmp_path,
        content_dir,
        api_base_url="http://127.0.0.1:9999/bot",
        api_base_file_url="http://127.0.0.1:9999/file/bot",
    )
    app = build_application(settings, build_services(settings, content_library, NullStats()))
    assert app.bot.base_url == f"http://127.0.0.1:9999/bot{TOKEN}"
    assert app.bot.base_file_url == f"http://127.0.0.1:9999/file/bot{TOKEN}"


def test_the_outbox_is_the_only_retry_layer(harness: Harness) -> None:
    # No AIORateLimiter under the outbox: it would pause every chat during one chat's flood
    # wait and stack its retries on the outbox's own.
    assert harness.app.bot.rate_limiter is None
    assert harness.services.outbox.limits.paced


def test_benchmarks_can_build_the_bot_without_pacing(
    tmp_path: Path, content_dir: Path, content_library: ContentLibrary
) -> None:
    settings = make_settings(tmp_path, content_dir, rate_limited=False)
    services = build_services(settings, content_library, NullStats())
    build_application(settings, services)
    assert not services.outbox.limits.paced


async def test_start_hook_starts_statistics_and_sets_scoped_menus(harness: Harness) -> None:
    assert harness.app.post_init is not None
    await harness.app.post_init(harness.app)
    assert harness.stats.started
    menus = {
        json.dumps(c.params.get("scope"), sort_keys=True): [
            x["command"] for x in c.params["commands"]
        ]
        for c in harness.api.called("setMyCommands")
    }
    private = menus[json.dumps({"type": "all_private_chats"})]
    group = menus[json.dumps({"type": "all_group_chats"})]
    admins = menus[json.dumps({"type": "all_chat_administrators"})]
    operator = menus[json.dumps({"chat_id": 4242, "type": "chat"}, sort_keys=True)]
    assert {"start", "help", "topics", "ask", "about", "privacy", "emergency"} <= set(private)
    # /autoanswer is for a group's administrators: their scope only.
    assert "autoanswer" not in group
    assert set(admins) == {*group, "autoanswer"}
    assert {"stats", "reload"} <= set(operator)
    assert not {"stats", "reload"} & (set(private) | set(group))


async def test_menu_failure_does_not_stop_the_start(harness: Harness) -> None:
    from tgfakes import Failure

    harness.api.fail_next("setMyCommands", Failure(500, "Internal Server Error"))
    assert harness.app.post_init is not None
    await harness.app.post_init(harness.app)
    assert harness.stats.started


async def test_stop_hook_flushes_statistics(harness: Harness) -> None:
    assert harness.app.post_shutdown is not None
    await harness.app.post_shutdown(harness.app)
    assert harness.stats.stopped


def test_statistics_off_means_null_stats(tmp_path: Path, content_dir: Path) -> None:
    settings = make_settings(tmp_path, content_dir, stats_enabled=False)
    assert isinstance(make_stats(settings), NullStats)


async def test_reload_keeps_the_old_content_when_the_new_is_invalid(
    harness: Harness, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    broken = write_fixture_content(tmp_path / "broken")
    (broken / "texts.yaml").write_text("disclaimer: ''\n", encoding="utf-8")
    harness.services.content.content_dir = broken
    before = harness.services.content.library
    assert await reload_content(harness.services) is False
    assert harness.services.content.library is before
    assert "event=reload result=failed" in caplog.text


async def test_reload_swaps_in_valid_content(harness: Harness) -> None:
    before = harness.services.content.library
    assert await reload_content(harness.services) is True
    assert harness.services.content.library is not before


# --- Webhook server ---------------------------------------------------------------------------


def client(harness: Harness) -> httpx.AsyncClient:
    web = build_webhook_app(harness.app, SECRET, "/telegram")
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=web), base_url="http://bot.test")


async def test_webhook_refuses_requests_without_the_secret(harness: Harness) -> None:
    async with client(harness) as http:
        response = await http.post("/telegram", json=message_update("hi"))
    assert response.status_code == 403
    assert harness.app.update_queue.empty()


async def test_webhook_refuses_a_wrong_secret(harness: Harness) -> None:
    async with client(harness) as http:
        response = await http.post(
            "/telegram",
            json=message_update("hi"),
            headers={"X-Telegram-Bot-Api-Secret-Token": "wrong"},
        )
    assert response.status_code == 403


async def test_webhook_accepts_an_update_with_the_secret(harness: Harness) -> None:
    async with client(harness) as http:
        response = await http.post(
            "/telegram",
            json=message_update("hi"),
            headers={"X-Telegram-Bot-Api-Secret-Token": SECRET},
        )
    assert response.status_code == 200
    update = harness.app.update_queue.get_nowait()
    assert update.message is not None
    assert update.message.text == "hi"


@pytest.mark.parametrize("body", [b"not json", b"[1, 2]", b'{"no_update_id": 1}'])
async def test_webhook_rejects_garbage(harness: Harness, body: bytes) -> None:
    async with client(harness) as http:
        response = await http.post(
            "/telegram", content=body, headers={"X-Telegram-Bot-Api-Secret-Token": SECRET}
        )
    assert response.status_code == 400


async def test_webhook_rejects_a_huge_body(harness: Harness) -> None:
    async with client(harness) as http:
        response = await http.post(
            "/telegram",
            content=b"x" * 2_000_000,
            headers={"X-Telegram-Bot-Api-Secret-Token": SECRET},
        )
    assert response.status_code == 413


async def test_health_endpoint_answers(harness: Harness) -> None:
    async with client(harness) as http:
        response = await http.get("/healthz")
    assert (response.status_code, response.text) == (200, "ok")


def test_statistics_on_means_the_recorder(tmp_path: Path, content_dir: Path) -> None:
    from tgbot.stats.recorder import StatsRecorder

    assert isinstance(make_stats(make_settings(tmp_path, content_dir)), StatsRecorder)


async def test_webhook_mode_serves_updates_and_shuts_down_cleanly(
    tmp_path: Path, content_dir: Path, content_library: ContentLibrary
) -> None:
    import asyncio
    import socket

    from tgfakes import RecordingRequest, RecordingStats

    from tgbot.channels.telegram.webhook import serve_webhook

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings = make_settings(
        tmp_path,
        content_dir,
        mode="webhook",
        webhook_url="https://bot.example.org/telegram/hook",
        webhook_secret=SECRET,
        webhook_listen="127.0.0.1",
        webhook_port=port,
    )
    api, stats = RecordingRequest(), RecordingStats()
    app = build_application(
        settings, build_services(settings, content_library, stats), request=api, with_updater=False
    )
    stop = asyncio.Event()
    server = asyncio.create_task(serve_webhook(settings, app, stop=stop))
    base = f"http://127.0.0.1:{port}"
    async with httpx.AsyncClient(base_url=base) as http:
        for _ in range(200):
            try:
                if (await http.get("/healthz")).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.02)
        refused = await http.post("/telegram/hook", json=message_update("/help"))
        accepted = await http.post(
            "/telegram/hook",
            json=message_update("/help"),
            headers={"X-Telegram-Bot-Api-Secret-Token": SECRET},
        )
        for _ in range(200):
            if api.sent:
                break
            await asyncio.sleep(0.02)
    stop.set()
    await asyncio.wait_for(server, timeout=10)
    assert (refused.status_code, accepted.status_code) == (403, 200)
    assert len(api.sent) == 1
    [hook] = api.called("setWebhook")
    assert hook.params["url"] == "https://bot.example.org/telegram/hook"
    assert hook.params["secret_token"] == SECRET
    assert "my_chat_member" in hook.params["allowed_updates"]
    assert stats.started
    assert stats.stopped
