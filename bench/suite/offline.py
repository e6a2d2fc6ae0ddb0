"""An offline Bot API for the pipeline benchmark: a BaseRequest that answers every call at
once with valid Bot API JSON (no network), a realistic mix of updates, and the bare echo bot
that is the baseline.

Modelled on tests/tgfakes.py (itself on python-telegram-bot's own tests): only the public
BaseRequest interface is used. Unlike the test fake it records nothing but a count per
method, so 20,000 updates cost no growing memory.
"""

from __future__ import annotations

import itertools
import json
import random
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

from telegram import Update
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ContextTypes,
    MessageHandler,
    filters,
)
from telegram.request import BaseRequest, RequestData

from tgbot.channels.telegram.app import CONCURRENT_UPDATES
from tgbot.core.content import ContentPack

TOKEN = "987654321:BENCH-offline-token_0123456789abcdef"  # noqa: S105 - fake, offline only
BOT_ID = 987654321
BOT_USERNAME = "BenchParentsBot"
JsonDict = dict[str, Any]
BOT_USER: JsonDict = {
    "id": BOT_ID,
    "is_bot": True,
    "first_name": "Parents Helper",
    "username": BOT_USERNAME,
    "can_join_groups": True,
    "can_read_all_group_messages": False,
    "supports_inline_queries": True,
}
_TRUE = json.dumps({"ok": True, "result": True}).encode()


class OfflineBotApi(BaseRequest):
    """Answers every Bot API method instantly, as Telegram would; counts calls per method."""

    def __init__(self) -> None:
        self.calls: Counter[str] = Counter()
        self._me = json.dumps({"ok": True, "result": BOT_USER}).encode()
        self._message_ids = itertools.count(1_000)

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    @property
    def read_timeout(self) -> float:
        return 1.0

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = None,
        write_timeout: Any = None,
        connect_timeout: Any = None,
        pool_timeout: Any = None,
    ) -> tuple[int, bytes]:
        name = url.rsplit("/", 1)[-1]
        self.calls[name] += 1
        if name == "getMe":
            return HTTPStatus.OK, self._me
        params = request_data.parameters if request_data is not None else {}
        if name in ("sendMessage", "editMessageText", "editMessageReplyMarkup"):
            if "chat_id" not in params:
                return HTTPStatus.OK, _TRUE  # an inline message: Telegram answers true
            return HTTPStatus.OK, json.dumps({"ok": True, "result": self._message(params)}).encode()
        if name == "getChatMember":
            user = {"id": params["user_id"], "is_bot": False, "first_name": "Member"}
            member = {"status": "member", "user": user}
            return HTTPStatus.OK, json.dumps({"ok": True, "result": member}).encode()
        return HTTPStatus.OK, _TRUE

    def _message(self, params: dict[str, Any]) -> JsonDict:
        # What Telegram sends back for a sent message: the message, text and buttons included.
        chat_id = int(params["chat_id"])
        message: JsonDict = {
            "message_id": next(self._message_ids),
            "date": 1_767_225_600,
            "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "supergroup"},
            "from": BOT_USER,
            "text": str(params.get("text", "")),
        }
        markup = params.get("reply_markup")
        if markup is not None:
            message["reply_markup"] = json.loads(markup) if isinstance(markup, str) else markup
        return message


# --- the update mix ---------------------------------------------------------------------

CHATTER = (
    "Anyone tried the new sling from the market?",
    "lol same here, he only naps in the car",
    "Good morning everyone ☀️",
    "We're going to the playground at 4 if anyone wants to join",
    "thanks for the tip about the bottle warmer!",
    "Has anyone got a spare size 2 cardigan?",
    "what time does the baby group start on Thursday",
    "She finally slept 5 hours straight 🎉",
)
RED_FLAGS = (
    "Help, my baby stopped breathing and is jerking",
    "he turned blue during the jerks and is very floppy now",
    "she has clusters of jerks every morning when she wakes up, bending forward",
    "my 5 month old has a fever and his arm keeps jerking",
    "the seizure has lasted more than 5 minutes what do I do",
)
PRIVATE_COMMANDS = ("/start", "/help", "/topics", "/about", "/privacy", "/emergency")


@dataclass(frozen=True, slots=True)
class UpdateMix:
    """The share of each kind of update, out of 100."""

    private_question: int = 40
    group_chatter: int = 20
    group_mention: int = 5
    command: int = 12
    button_topic: int = 10
    button_vote: int = 5
    red_flag: int = 8

    def kinds(self) -> list[str]:
        return [
            kind
            for kind, share in (
                ("private_question", self.private_question),
                ("group_chatter", self.group_chatter),
                ("group_mention", self.group_mention),
                ("command", self.command),
                ("button_topic", self.button_topic),
                ("button_vote", self.button_vote),
                ("red_flag", self.red_flag),
            )
            for _ in range(share)
        ]


def _entities(text: str) -> list[JsonDict]:
    """Telegram's bot_command / mention entities for our texts (all ASCII at the start)."""
    head = text.split(maxsplit=1)[0] if text.split() else ""
    if head.startswith("/"):
        return [{"type": "bot_command", "offset": 0, "length": len(head)}]
    if head.startswith("@"):
        return [{"type": "mention", "offset": 0, "length": len(head)}]
    return []


class UpdateFactory:
    """Bot API update JSON, numbered, for many users and groups."""

    def __init__(self, users: int = 5_000, groups: int = 50) -> None:
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(1)
        self._users = users
        self._groups = groups

    def user(self, n: int) -> JsonDict:
        return {
            "id": 1_100_000_000 + n % self._users,
            "is_bot": False,
            "first_name": "Parent",
            "language_code": "en",
        }

    def group(self, n: int) -> JsonDict:
        return {"id": -1_001_700_000_000 - n % self._groups, "type": "supergroup", "title": "Mums"}

    def message(self, text: str, user: JsonDict, chat: JsonDict | None = None) -> JsonDict:
        message: JsonDict = {
            "message_id": next(self._message_ids),
            "date": 1_767_225_600,
            "chat": chat or {"id": user["id"], "type": "private", "first_name": "Parent"},
            "from": user,
            "text": text,
        }
        if entities := _entities(text):
            message["entities"] = entities
        return {"update_id": next(self._update_ids), "message": message}

    def button(self, data: str, user: JsonDict) -> JsonDict:
        markup = {"inline_keyboard": [[{"text": "👍", "callback_data": data}]]}
        shown: JsonDict = {
            "message_id": next(self._message_ids),
            "date": 1_767_225_600,
            "chat": {"id": user["id"], "type": "private", "first_name": "Parent"},
            "from": BOT_USER,
            "text": "An earlier answer",
            "reply_markup": markup,
        }
        query = {
            "id": str(next(self._update_ids)),
            "from": user,
            "chat_instance": "7",
            "data": data,
            "message": shown,
        }
        return {"update_id": next(self._update_ids), "callback_query": query}


def update_mix(
    count: int, pack: ContentPack, questions: Sequence[str], *, seed: int = 6
) -> list[JsonDict]:
    """`count` updates in a realistic, seeded, shuffled mix (see UpdateMix)."""
    rng = random.Random(seed)
    factory = UpdateFactory()
    topic_ids = sorted(pack.topics)
    kinds = UpdateMix().kinds()
    updates: list[JsonDict] = []
    for n in range(count):
        kind = kinds[rng.randrange(len(kinds))]
        user = factory.user(rng.randrange(1_000_000))
        group = factory.group(rng.randrange(1_000))
        if kind == "private_question":
            updates.append(factory.message(rng.choice(questions), user))
        elif kind == "group_chatter":
            text = rng.choice(CHATTER) if rng.random() < 0.6 else rng.choice(questions)
            updates.append(factory.message(text, user, group))
        elif kind == "group_mention":
            updates.append(factory.message(f"@{BOT_USERNAME} {rng.choice(questions)}", user, group))
        elif kind == "command":
            if rng.random() < 0.3:
                updates.append(factory.message(f"/ask {rng.choice(questions)}", user))
            elif rng.random() < 0.2:
                updates.append(factory.message(f"/help@{BOT_USERNAME}", user, group))
            else:
                updates.append(factory.message(rng.choice(PRIVATE_COMMANDS), user))
        elif kind == "button_topic":
            updates.append(factory.button(f"t:{rng.choice(topic_ids)}", user))
        elif kind == "button_vote":
            updates.append(factory.button(f"f:{rng.getrandbits(48):012x}:{n % 2}", user))
        else:
            chat = group if rng.random() < 0.3 else None
            updates.append(factory.message(rng.choice(RED_FLAGS), user, chat))
    return updates


# --- the baseline: a bare echo bot ------------------------------------------------------

EchoApplication = Application[Any, Any, Any, Any, Any, Any]


def build_echo_bot(request: BaseRequest) -> EchoApplication:
    """python-telegram-bot's echo bot, built the way our bot is built (same request class,
    same concurrency, no rate limiter): the framework's own cost per update.

    It answers what a bare bot would: private texts (echoed), every command (a fixed
    reply), mentions in groups (echoed) and every button (answered); group chatter is left
    alone, as by ours.
    """
    app: EchoApplication = (
        ApplicationBuilder()
        .token(TOKEN)
        .request(request)
        .get_updates_request(request)
        .updater(None)
        .concurrent_updates(CONCURRENT_UPDATES)
        .build()
    )

    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if update.message is not None and update.message.text:
            await update.message.reply_text(update.message.text)

    async def command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if update.message is not None:
            await update.message.reply_text("Hello! Send me a question.")

    async def button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if update.callback_query is not None:
            await update.callback_query.answer()

    new = filters.UpdateType.MESSAGE
    app.add_handler(MessageHandler(new & filters.COMMAND, command))
    app.add_handler(MessageHandler(new & filters.ChatType.PRIVATE & filters.TEXT, echo))
    mentioned = filters.ChatType.GROUPS & filters.Mention(BOT_USERNAME)
    app.add_handler(MessageHandler(new & mentioned, echo))
    app.add_handler(CallbackQueryHandler(button))
    return app
