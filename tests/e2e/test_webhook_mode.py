"""Webhook mode end to end: the fake server delivers updates to the bot's own HTTP listener
with Telegram's secret-token header; requests without it are refused; /healthz answers.

The bot registers its public HTTPS address with setWebhook, as in production; the fake
server delivers to the bot's local listener instead (webhook_target), never off the machine.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator

import httpx
import pytest
from fakebotapi import Mark

from e2e.harness import Conversation, running_bot

pytestmark = pytest.mark.e2e

PUBLIC_URL = "https://parents-bot.example.org/telegram/hook"
SECRET = "e2e-webhook-secret_0123456789"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def listener() -> str:
    return f"http://127.0.0.1:{free_port()}"


@pytest.fixture(scope="module")
def conversation(tmp_path_factory: pytest.TempPathFactory, listener: str) -> Iterator[Conversation]:
    def healthy(_mark: Mark) -> bool:
        try:
            return httpx.get(f"{listener}/healthz", timeout=0.5, trust_env=False).status_code == 200
        except httpx.HTTPError:
            return False

    env = {
        "BOT_MODE": "webhook",
        "WEBHOOK_URL": PUBLIC_URL,
        "WEBHOOK_SECRET": SECRET,
        "WEBHOOK_LISTEN": "127.0.0.1",
        "WEBHOOK_PORT": listener.rsplit(":", 1)[1],
    }
    with running_bot(
        tmp_path_factory.mktemp("e2e-webhook"),
        extra_env=env,
        webhook_target=f"{listener}/telegram/hook",
        ready=healthy,
    ) as started:
        yield started


def test_the_bot_registers_its_public_url_with_the_secret(conversation: Conversation) -> None:
    registered = conversation.api.wait_for_call("setWebhook", timeout=10)
    assert registered.ok
    assert registered.params["url"] == PUBLIC_URL
    assert registered.params["secret_token"] == SECRET
    assert "my_chat_member" in registered.params["allowed_updates"]


def test_a_question_delivered_by_webhook_is_answered(conversation: Conversation) -> None:
    api = conversation.api
    conversation.api.wait_for_call("setWebhook", timeout=10)
    reply = conversation.ask(api.user("Hooked"), "why does my baby twitch in her sleep?")
    assert reply.text
    assert all(d["ok"] for d in api.webhook_deliveries)


def test_the_health_endpoint_answers(listener: str, conversation: Conversation) -> None:
    assert httpx.get(f"{listener}/healthz", timeout=5, trust_env=False).status_code == 200


@pytest.mark.parametrize("secret", [None, "wrong-secret", SECRET[:-1]])
def test_an_update_without_the_right_secret_is_refused(
    listener: str, conversation: Conversation, secret: str | None
) -> None:
    forged = {"message_id": 1, "date": 0, "chat": {"id": 42, "type": "private"}, "text": "/help"}
    update = {"update_id": 1, "message": forged}
    headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret else {}
    response = httpx.post(
        f"{listener}/telegram/hook", json=update, headers=headers, timeout=5, trust_env=False
    )
    assert response.status_code == 403
