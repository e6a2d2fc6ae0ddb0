"""A fake Telegram Bot API server on 127.0.0.1 for end-to-end tests, benchmarks and soaks.

It follows the official Bot API over HTTP (POST or GET /bot<token>/<method>, JSON, url-encoded
or multipart parameters, {"ok": ...} envelopes, Telegram's error codes and wording) and is as
strict as Telegram where a bot can get things wrong: HTML that Telegram would refuse, texts over
4,096 characters, callback data over 64 bytes, replies to unknown messages, answering a callback
query twice, sending to a chat the bot has left. Tests push updates, the bot long-polls them,
and every request is recorded for assertions. The server runs on its own thread and event loop,
so synchronous tests, asyncio tests and benchmarks drive it the same way.

Faults come from a FaultPlan (faults.py). Their effect on the wire:
RETRY_AFTER 429 with parameters.retry_after; SERVER_ERROR 500; BAD_GATEWAY 502 with an HTML
body; HANG holds the request without answering until the client disconnects (or hang_seconds,
or the server's hang_limit) and then closes; DROP closes the connection without a response;
MALFORMED answers 200 with a truncated JSON body; CONFLICT answers 409 as Telegram does when a
second getUpdates consumer takes over; FORBIDDEN 403 (blocked by the user); MIGRATED 400 with
parameters.migrate_to_chat_id.

Only ever listens on and connects to the loopback interface.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import json
import re
import threading
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar
from urllib.parse import urlsplit

from . import updates as build
from .faults import Fault, FaultKind, FaultPlan
from .httpwire import HttpError, HttpRequest, UploadedFile, encode_response, parse_params
from .httpwire import read_request as read_http_request
from .tghtml import EntityParseError, parse_html, utf16_len
from .updates import FakeChat, FakeUser, JsonDict

DEFAULT_TOKEN = "123456:ABC-fake_test_token_XYZ"
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
_TOKEN_SHAPE = re.compile(r"^[0-9]{1,20}:[A-Za-z0-9_-]{1,100}$")
_API_PATH = re.compile(r"^/bot(?P<token>[^/]*)/(?P<method>[A-Za-z0-9_]+)/?$")
_FILE_PATH = re.compile(r"^/file/bot(?P<token>[^/]*)/(?P<path>.+)$")
_COMMAND_NAME = re.compile(r"^[a-z0-9_]{1,32}$")
_SECRET_TOKEN = re.compile(r"^[A-Za-z0-9_-]{1,256}$")

# Parameters that are free text or opaque strings: never JSON-decoded from a form, so that a
# message text "42" stays the string "42".
STRING_PARAMS = frozenset(
    {
        "text",
        "caption",
        "query",
        "url",
        "secret_token",
        "ip_address",
        "parse_mode",
        "callback_query_id",
        "inline_query_id",
        "inline_message_id",
        "language_code",
        "action",
        "emoji",
        "next_offset",
        "switch_pm_text",
        "switch_pm_parameter",
        "description",
        "short_description",
        "title",
        "name",
        "file_id",
        "business_connection_id",
        "message_effect_id",
        "photo",
        "document",
        "sticker",
        "voice",
        "audio",
        "video",
        "animation",
        "thumbnail",
        "certificate",
    }
)
CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
INLINE_BUTTON_ACTIONS = frozenset(
    {
        "url",
        "callback_data",
        "web_app",
        "login_url",
        "switch_inline_query",
        "switch_inline_query_current_chat",
        "switch_inline_query_chosen_chat",
        "copy_text",
        "callback_game",
        "pay",
    }
)
# Telegram's default when a bot never set allowed_updates: everything except these.
NOT_DELIVERED_BY_DEFAULT = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
UPDATE_TYPES = frozenset(
    {
        "message",
        "edited_message",
        "channel_post",
        "edited_channel_post",
        "business_connection",
        "business_message",
        "edited_business_message",
        "deleted_business_messages",
        "message_reaction",
        "message_reaction_count",
        "inline_query",
        "chosen_inline_result",
        "callback_query",
        "shipping_query",
        "pre_checkout_query",
        "purchased_paid_media",
        "poll",
        "poll_answer",
        "my_chat_member",
        "chat_member",
        "chat_join_request",
        "chat_boost",
        "removed_chat_boost",
    }
)
SERVICE_MESSAGE_KEYS = frozenset(
    {
        "new_chat_members",
        "left_chat_member",
        "new_chat_title",
        "new_chat_photo",
        "delete_chat_photo",
        "group_chat_created",
        "supergroup_chat_created",
        "migrate_to_chat_id",
        "migrate_from_chat_id",
        "pinned_message",
        "forum_topic_created",
        "forum_topic_edited",
        "forum_topic_closed",
        "forum_topic_reopened",
    }
)
_CONFLICT_TAKEOVER = (
    "Conflict: terminated by other getUpdates request; make sure that only one bot instance "
    "is running"
)
_BAD_GATEWAY_HTML = (
    b"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad "
    b"Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
)

T = TypeVar("T")


class ApiError(Exception):
    """A Bot API error answer: {"ok": false, "error_code", "description", "parameters"}."""

    def __init__(self, code: int, description: str, parameters: JsonDict | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters

    def payload(self) -> JsonDict:
        data: JsonDict = {"ok": False, "error_code": self.code, "description": self.description}
        if self.parameters:
            data["parameters"] = self.parameters
        return data


def bad_request(what: str) -> ApiError:
    return ApiError(400, f"Bad Request: {what}")


class _ClientGone(Exception):
    """The client closed the connection while its request was held."""


@dataclass(eq=False)
class Call:
    """One request the server received, with its parsed parameters and what it answered.

    status stays None while the request is in flight, and for faults that sent no response.
    response is the JSON answer as sent (the broken text itself for a MALFORMED fault).
    """

    index: int
    method: str
    params: dict[str, Any]
    files: dict[str, UploadedFile]
    http_method: str
    content_type: str
    token_valid: bool
    started: float
    status: int | None = None
    response: Any = None
    fault: Fault | None = None
    finished: float | None = None

    @property
    def done(self) -> bool:
        return self.finished is not None

    @property
    def ok(self) -> bool:
        return (
            self.status == 200
            and isinstance(self.response, dict)
            and self.response.get("ok") is True
        )

    @property
    def result(self) -> Any:
        return self.response.get("result") if isinstance(self.response, dict) else None

    @property
    def description(self) -> str | None:
        return self.response.get("description") if isinstance(self.response, dict) else None


@dataclass(eq=False)
class SentMessage:
    """A message the bot delivered, as the chat shows it now (edits applied).

    text is what a parent reads (HTML parsed); source is what the bot sent. `delivered_by`
    is the index of the call that delivered it, even when a fault then lost the response.
    """

    chat_id: int
    message_id: int
    method: str
    delivered_by: int
    date: int
    text: str
    source: str
    parse_mode: str | None
    reply_markup: JsonDict | None
    reply_to_message_id: int | None
    message_thread_id: int | None
    file: UploadedFile | None = None
    edits: list[str] = field(default_factory=list)
    deleted: bool = False

    def buttons(self) -> list[JsonDict]:
        """The inline keyboard's buttons, row by row, left to right."""
        rows = (self.reply_markup or {}).get("inline_keyboard") or []
        return [button for row in rows for button in row]

    def button(self, text: str | None = None, *, data_prefix: str | None = None) -> JsonDict:
        """The first button whose label contains `text` (or whose callback data starts with
        `data_prefix`); AssertionError listing the buttons when there is none."""
        for candidate in self.buttons():
            if text is not None and text not in candidate.get("text", ""):
                continue
            data = candidate.get("callback_data")
            if data_prefix is not None and not (data or "").startswith(data_prefix):
                continue
            return candidate
        labels = [b.get("text") for b in self.buttons()]
        raise AssertionError(f"no button matching {text!r}/{data_prefix!r} among {labels}")


@dataclass(frozen=True, slots=True)
class Mark:
    """A point in the server's history; waits and queries `since` it see only what came later."""

    calls: int
    messages: int


@dataclass(slots=True)
class _Poll:
    superseded: bool = False
    waiter: asyncio.Future[None] | None = None


@dataclass(slots=True)
class _Conn:
    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter

    def gone(self) -> bool:
        # The peer's FIN sets EOF on the reader; nothing is read, so a pipelined request
        # (httpx never sends one) would not be consumed here.
        return self.reader.at_eof() or self.writer.is_closing()


Handler = Callable[[Call, _Conn], Awaitable[Any]]


@dataclass(frozen=True)
class FloodLimits:
    """Telegram's flood control as the fake enforces it: (messages, seconds) per group chat,
    per private chat and for the whole bot; None leaves that one off. A send over a limit
    gets Telegram's 429 with retry_after (the seconds until the oldest send leaves the
    window, rounded up) and takes no effect; the refusals are kept in `api.flood_refusals`.
    """

    group: tuple[int, float] | None = (20, 60.0)
    private: tuple[int, float] | None = None
    overall: tuple[int, float] | None = (30, 1.0)


class FakeBotApi:
    """The fake Bot API: start it, point the bot at `base_url`, push updates, assert on calls.

    Usable as `with FakeBotApi() as api:` from synchronous code, `async with` from asyncio code,
    or start()/stop() by hand. Every public method is thread-safe.
    """

    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        *,
        bot_username: str = "FakeParentsBot",
        bot_first_name: str = "Parents Helper",
        can_read_all_group_messages: bool = False,
        supports_inline_queries: bool = True,
        faults: FaultPlan | None = None,
        strict_chats: bool = True,
        emit_membership_updates: bool = True,
        hang_limit: float = 60.0,
        privacy_mode: bool | None = None,
        webhook_target: str | None = None,
        flood_limits: FloodLimits | None = None,
    ) -> None:
        if not _TOKEN_SHAPE.match(token):
            raise ValueError("token must look like a Bot API token: <digits>:<secret>")
        self.token = token
        self.bot = FakeUser(
            id=int(token.split(":", 1)[0]),
            first_name=bot_first_name,
            username=bot_username,
            is_bot=True,
            language_code=None,
        )
        self.can_read_all_group_messages = can_read_all_group_messages
        # Telegram's group privacy (on by default for bots): see _withheld_by_privacy.
        self.privacy_mode = (
            not can_read_all_group_messages if privacy_mode is None else privacy_mode
        )
        self.withheld_updates: list[JsonDict] = []
        self.supports_inline_queries = supports_inline_queries
        self.faults = faults if faults is not None else FaultPlan()
        self.strict_chats = strict_chats
        self.emit_membership_updates = emit_membership_updates
        self.hang_limit = hang_limit
        # Off unless asked for: most tests send a handful of messages and must not wait.
        self.flood_limits = flood_limits
        self.flood_refusals: list[Call] = []
        self._chat_sends: dict[int, list[float]] = {}
        self._all_sends: list[float] = []

        self._lock = threading.RLock()
        self._changed = threading.Condition(self._lock)
        self._calls: list[Call] = []
        self._sent: list[SentMessage] = []
        self._users: dict[int, FakeUser] = {}
        self._chats: dict[int, FakeChat] = {}
        self._blocked: set[int] = set()
        self._not_started: set[int] = set()
        self._bot_status: dict[int, str] = {}
        self._members: dict[tuple[int, int], str] = {}
        self._threads: dict[int, set[int]] = {}
        self._messages: dict[tuple[int, int], JsonDict] = {}
        self._next_message_id: dict[int, int] = {}
        self._updates: list[JsonDict] = []
        self._next_update_id = 700_000_001
        self._confirmed_below = 0
        self._delivered: set[int] = set()
        self.filtered_updates: list[JsonDict] = []
        self._allowed_updates: frozenset[str] | None = None
        self._callback_queries: dict[str, JsonDict] = {}
        self._inline_queries: dict[str, JsonDict] = {}
        self._query_counter = 0
        self._files: dict[str, UploadedFile] = {}
        self._file_counter = 0
        self._commands: dict[tuple[str, str], list[JsonDict]] = {}
        # (kind "description" | "short_description", language_code) -> text
        self._descriptions: dict[tuple[str, str], str] = {}
        self._webhook: JsonDict = {"url": "", "secret_token": None, "max_connections": 40}
        self.webhook_deliveries: list[JsonDict] = []
        # Where webhook updates really go. A bot registers its public HTTPS URL; in a test,
        # the updates are delivered to its local listener instead (never off this machine).
        self.webhook_target = webhook_target
        if webhook_target is not None and urlsplit(webhook_target).hostname not in LOOPBACK_HOSTS:
            raise ValueError("webhook_target must be a 127.0.0.1 / localhost URL")
        self._group_counter = 0
        self._user_counter = 0

        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._server: asyncio.AbstractServer | None = None
        self._conn_tasks: set[asyncio.Task[None]] = set()
        self._waiters: set[asyncio.Future[None]] = set()
        self._current_poll: _Poll | None = None
        self._webhook_task: asyncio.Task[None] | None = None
        self._stopping = False
        self._start_error: BaseException | None = None
        self.port = 0
        self._handlers: dict[str, Handler] = {
            name[3:].lower(): getattr(self, name) for name in dir(self) if name.startswith("_m_")
        }

    # ----------------------------------------------------------------- lifecycle

    @property
    def base_url(self) -> str:
        """What the bot takes as TELEGRAM_API_BASE_URL (PTB's base_url)."""
        return f"http://127.0.0.1:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        """What the bot takes as TELEGRAM_API_BASE_FILE_URL (PTB's base_file_url)."""
        return f"http://127.0.0.1:{self.port}/file/bot"

    def bot_env(self) -> dict[str, str]:
        """The environment variables that point a bot process at this server."""
        return {
            "TELEGRAM_BOT_TOKEN": self.token,
            "TELEGRAM_API_BASE_URL": self.base_url,
            "TELEGRAM_API_BASE_FILE_URL": self.base_file_url,
        }

    def start(self) -> FakeBotApi:
        """Listen on a free port of 127.0.0.1 in a background thread; returns once listening."""
        if self._thread is not None:
            raise RuntimeError("already started")
        ready = threading.Event()
        self._stopping = False
        self._thread = threading.Thread(
            target=self._run, args=(ready,), name="fakebotapi", daemon=True
        )
        self._thread.start()
        if not ready.wait(10):
            raise RuntimeError("the fake Bot API server did not start within 10 s")
        if self._start_error is not None:
            raise RuntimeError("the fake Bot API server failed to start") from self._start_error
        return self

    def stop(self) -> None:
        """Close every connection (held requests included) and stop the thread."""
        loop, thread = self._loop, self._thread
        if loop is None or thread is None:
            return
        if loop.is_running():
            future = asyncio.run_coroutine_threadsafe(self._shutdown(), loop)
            with contextlib.suppress(Exception):
                future.result(timeout=10)
            loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=10)
        self._thread = None
        self._loop = None

    def __enter__(self) -> FakeBotApi:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    async def __aenter__(self) -> FakeBotApi:
        return await asyncio.to_thread(self.start)

    async def __aexit__(self, *exc_info: object) -> None:
        await asyncio.to_thread(self.stop)

    def _run(self, ready: threading.Event) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        try:
            self._server = loop.run_until_complete(
                asyncio.start_server(self._on_connection, "127.0.0.1", 0, limit=2**20)
            )
            self.port = self._server.sockets[0].getsockname()[1]
        except BaseException as exc:  # reported to start()'s caller
            self._start_error = exc
            ready.set()
            loop.close()
            return
        ready.set()
        try:
            loop.run_forever()
        finally:
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()

    async def _shutdown(self) -> None:
        self._stopping = True
        if self._server is not None:
            self._server.close()
        self._wake_all()
        if self._webhook_task is not None:
            self._webhook_task.cancel()
        tasks = list(self._conn_tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        if self._server is not None:
            await self._server.wait_closed()

    # ----------------------------------------------------------------- world setup

    def user(
        self,
        first_name: str,
        last_name: str | None = None,
        *,
        username: str | None = None,
        language_code: str | None = "en",
        started: bool = True,
    ) -> FakeUser:
        """A new user with a distinctive 10-digit id. `started`: has opened a chat with the bot
        (Telegram refuses messages to users who never did)."""
        with self._lock:
            self._user_counter += 1
            # Distinctive ids: a leak scan looking for them must not hit ports or timestamps.
            user_id = 5_310_000_000 + self._user_counter * 7_919_011
            user = FakeUser(user_id, first_name, last_name, username, language_code)
            self._users[user.id] = user
            self._chats[user.id] = FakeChat.private(user)
            if not started:
                self._not_started.add(user.id)
            return user

    def private_chat(self, user: FakeUser) -> FakeChat:
        with self._lock:
            return self._chats[user.id]

    def group(
        self,
        title: str,
        *,
        supergroup: bool = True,
        forum: bool = False,
        username: str | None = None,
        bot_member: bool = True,
        owner: FakeUser | None = None,
        admins: Iterable[FakeUser] = (),
    ) -> FakeChat:
        """A group chat; with bot_member the bot is already in it (no update is pushed)."""
        with self._lock:
            self._group_counter += 1
            serial = 4_870_000_000 + self._group_counter * 3_001_447
            chat_id = -(1_000_000_000_000 + serial) if supergroup else -serial
            chat = FakeChat(
                id=chat_id,
                type="supergroup" if supergroup else "group",
                title=title,
                username=username,
                is_forum=forum and supergroup,
            )
            self._chats[chat.id] = chat
            self._bot_status[chat.id] = "member" if bot_member else "left"
            if owner is not None:
                self._members[(chat.id, owner.id)] = "creator"
            for admin in admins:
                self._members[(chat.id, admin.id)] = "administrator"
            return chat

    def channel(self, title: str, *, username: str | None = None) -> FakeChat:
        with self._lock:
            self._group_counter += 1
            chat = FakeChat(
                id=-(1_000_000_000_000 + 9_100_000_000 + self._group_counter),
                type="channel",
                title=title,
                username=username,
            )
            self._chats[chat.id] = chat
            self._bot_status[chat.id] = "administrator"
            return chat

    def set_member_status(self, chat: FakeChat, user: FakeUser, status: str) -> None:
        """What getChatMember answers for this user in this chat (default "member")."""
        if status not in build.CHAT_MEMBER_STATUSES:
            raise ValueError(f"unknown status {status!r}")
        with self._lock:
            if user.id == self.bot.id:
                self._bot_status[chat.id] = status
            else:
                self._members[(chat.id, user.id)] = status

    def block_bot(self, user: FakeUser, blocked: bool = True) -> None:
        """The user blocks the bot: sends to their chat get 403 Forbidden."""
        with self._lock:
            (self._blocked.add if blocked else self._blocked.discard)(user.id)

    # ----------------------------------------------------------------- driving the bot

    def push_update(self, update: JsonDict) -> int:
        """Queue one update for getUpdates (or the webhook); assigns update_id when missing."""
        kinds = [k for k in update if k != "update_id"]
        if len(kinds) != 1 or kinds[0] not in UPDATE_TYPES:
            raise ValueError(f"an update carries exactly one known payload, got {kinds}")
        with self._lock:
            update = dict(update)
            if "update_id" not in update:
                update["update_id"] = self._next_update_id
            self._next_update_id = max(self._next_update_id, int(update["update_id"])) + 1
            self._remember_update_payload(update)
            if self._withheld_by_privacy(update):
                # Telegram never sends these to a bot in privacy mode; kept for assertions.
                self.withheld_updates.append(update)
                return int(update["update_id"])
            self._updates.append(update)
            self._changed.notify_all()
        self._wake_all()
        return int(update["update_id"])

    def send_text(
        self,
        user: FakeUser,
        text: str,
        *,
        chat: FakeChat | None = None,
        reply_to: JsonDict | SentMessage | None = None,
        thread_id: int | None = None,
        entities: list[JsonDict] | None = None,
        extra: JsonDict | None = None,
    ) -> JsonDict:
        """The user writes `text` (in their private chat unless `chat`); returns the Message.

        Entities (commands, mentions, links) are attached as a Telegram client would. In a
        forum, a message in a topic that replies to nothing replies to the topic's creation.
        """
        chat = chat or self.private_chat(user)
        with self._lock:
            reply = self._reply_target(chat, reply_to, thread_id)
            msg = build.message(
                message_id=self._new_message_id(chat.id),
                date=_now(),
                chat=chat,
                sender=user,
                text=text,
                entities=entities,
                reply_to=reply,
                thread_id=thread_id,
                extra=extra,
            )
        self.push_update({"message": msg})
        return msg

    def send_media(
        self,
        user: FakeUser,
        kind: str,
        *,
        chat: FakeChat | None = None,
        caption: str | None = None,
        reply_to: JsonDict | SentMessage | None = None,
    ) -> JsonDict:
        """The user sends a photo, sticker, voice note or document (with an optional caption)."""
        chat = chat or self.private_chat(user)
        with self._lock:
            self._file_counter += 1
            file_id, unique = f"AgACAgFake{self._file_counter:06d}", f"AQADFk{self._file_counter}"
            payloads: dict[str, Any] = {
                "photo": lambda: build.photo_sizes(file_id, unique),
                "sticker": lambda: build.sticker(file_id, unique),
                "voice": lambda: build.voice(file_id, unique),
                "document": lambda: build.document(file_id, unique),
            }
            if kind not in payloads:
                raise ValueError(f"kind must be one of {sorted(payloads)}")
            extra: JsonDict = {kind: payloads[kind]()}
            if caption is not None and kind != "sticker":
                extra["caption"] = caption
                caption_entities = build.text_entities(caption)
                if caption_entities:
                    extra["caption_entities"] = caption_entities
            msg = build.message(
                message_id=self._new_message_id(chat.id),
                date=_now(),
                chat=chat,
                sender=user,
                reply_to=self._reply_target(chat, reply_to, None),
                extra=extra,
            )
        self.push_update({"message": msg})
        return msg

    def forward_text(
        self,
        user: FakeUser,
        text: str,
        *,
        origin: FakeUser | None = None,
        chat: FakeChat | None = None,
    ) -> JsonDict:
        """The user forwards someone's text (origin hidden when None, as privacy settings do)."""
        origin_dict: JsonDict = (
            {"type": "user", "date": _now() - 3600, "sender_user": origin.to_dict()}
            if origin is not None
            else {"type": "hidden_user", "date": _now() - 3600, "sender_user_name": "Someone"}
        )
        # A forward keeps the original's entities, commands included.
        return self.send_text(user, text, chat=chat, extra={"forward_origin": origin_dict})

    def send_as_anonymous_admin(
        self, chat: FakeChat, text: str, *, reply_to: JsonDict | SentMessage | None = None
    ) -> JsonDict:
        """An anonymous group admin writes: `from` is GroupAnonymousBot, `sender_chat` the group."""
        with self._lock:
            msg = build.message(
                message_id=self._new_message_id(chat.id),
                date=_now(),
                chat=chat,
                sender=build.GROUP_ANONYMOUS_BOT,
                sender_chat=chat,
                text=text,
                reply_to=self._reply_target(chat, reply_to, None),
            )
        self.push_update({"message": msg})
        return msg

    def channel_post(self, chat: FakeChat, text: str) -> JsonDict:
        """A post in a channel where the bot is an admin (no `from`, sender_chat the channel)."""
        with self._lock:
            msg = build.message(
                message_id=self._new_message_id(chat.id),
                date=_now(),
                chat=chat,
                sender=None,
                sender_chat=chat,
                text=text,
            )
        self.push_update({"channel_post": msg})
        return msg

    def edit_text(self, user: FakeUser, original: JsonDict, new_text: str) -> JsonDict:
        """The user edits an earlier message of theirs: an edited_message update."""
        edited = dict(original)
        edited["text"] = new_text
        edited["edit_date"] = _now()
        entities = build.text_entities(new_text)
        edited.pop("entities", None)
        if entities:
            edited["entities"] = entities
        self.push_update({"edited_message": edited})
        return edited

    def open_forum_topic(self, chat: FakeChat, user: FakeUser, name: str) -> int:
        """The user creates a forum topic; returns its message_thread_id."""
        if not chat.is_forum:
            raise ValueError("topics exist only in forum supergroups")
        with self._lock:
            thread_id = self._new_message_id(chat.id)
            msg = build.message(
                message_id=thread_id,
                date=_now(),
                chat=chat,
                sender=user,
                thread_id=thread_id,
                extra={"forum_topic_created": {"name": name, "icon_color": 7322096}},
            )
            self._threads.setdefault(chat.id, set()).add(thread_id)
        self.push_update({"message": msg})
        return thread_id

    def press_button(
        self,
        user: FakeUser,
        sent: SentMessage,
        *,
        text: str | None = None,
        data: str | None = None,
    ) -> str:
        """The user presses an inline button of a bot message (by label, or forged `data`).

        Returns the callback query id; a URL button cannot be pressed this way.
        """
        if data is None:
            button = sent.button(text)
            if "callback_data" not in button:
                raise AssertionError(f"button {button.get('text')!r} is not a callback button")
            data = str(button["callback_data"])
        with self._lock:
            self._query_counter += 1
            query_id = f"{4_400_000_000_000 + self._query_counter}"
            message = self._messages.get((sent.chat_id, sent.message_id))
            if message is None:
                raise AssertionError("that message is not known to the server")
            query: JsonDict = {
                "id": query_id,
                "from": user.to_dict(),
                "message": copy.deepcopy(message),
                "chat_instance": f"-{abs(sent.chat_id) % 10**12 + 5_000_000}",
                "data": data,
            }
            self._callback_queries[query_id] = {"answered_by": None, "user_id": user.id}
        self.push_update({"callback_query": query})
        return query_id

    def inline_query(
        self, user: FakeUser, query: str, *, chat_type: str = "sender", offset: str = ""
    ) -> str:
        """The user types `@Bot query` in some chat; returns the inline query id."""
        with self._lock:
            self._query_counter += 1
            query_id = f"{8_800_000_000_000 + self._query_counter}"
            self._inline_queries[query_id] = {"answered_by": None, "user_id": user.id}
        self.push_update(
            {
                "inline_query": {
                    "id": query_id,
                    "from": user.to_dict(),
                    "query": query,
                    "offset": offset,
                    "chat_type": chat_type,
                }
            }
        )
        return query_id

    def add_bot_to_group(self, chat: FakeChat, by: FakeUser) -> list[int]:
        """Someone adds the bot: Telegram sends my_chat_member and a new_chat_members message."""
        with self._lock:
            old = self._bot_status.get(chat.id, "left")
            self._bot_status[chat.id] = "member"
            member_update = build.my_chat_member(
                chat=chat, by=by, bot=self.bot, old_status=old, new_status="member", date=_now()
            )
            service = build.message(
                message_id=self._new_message_id(chat.id),
                date=_now(),
                chat=chat,
                sender=by,
                extra={
                    "new_chat_members": [self.bot.to_dict()],
                    "new_chat_member": self.bot.to_dict(),
                    "new_chat_participant": self.bot.to_dict(),
                },
            )
        return [
            self.push_update({"my_chat_member": member_update}),
            self.push_update({"message": service}),
        ]

    def remove_bot_from_group(self, chat: FakeChat, by: FakeUser, *, kicked: bool = False) -> int:
        """Someone removes (or bans) the bot: a my_chat_member update; sends then get 403."""
        with self._lock:
            old = self._bot_status.get(chat.id, "member")
            new = "kicked" if kicked else "left"
            self._bot_status[chat.id] = new
            update = build.my_chat_member(
                chat=chat, by=by, bot=self.bot, old_status=old, new_status=new, date=_now()
            )
        return self.push_update({"my_chat_member": update})

    # ----------------------------------------------------------------- observing

    def calls(self, method: str | None = None, *, since: Mark | None = None) -> list[Call]:
        """Recorded requests (oldest first), optionally of one method and after a mark."""
        with self._lock:
            calls = self._calls[since.calls :] if since else list(self._calls)
        if method is None:
            return calls
        key = method.lower()
        return [c for c in calls if c.method.lower() == key]

    def sent_messages(
        self, chat: FakeChat | int | None = None, *, since: Mark | None = None
    ) -> list[SentMessage]:
        """Messages the bot delivered (not deleted), oldest first, optionally in one chat."""
        chat_id = chat.id if isinstance(chat, FakeChat) else chat
        with self._lock:
            sent = self._sent[since.messages :] if since else list(self._sent)
        return [s for s in sent if not s.deleted and (chat_id is None or s.chat_id == chat_id)]

    def replies_to(self, message: JsonDict) -> list[SentMessage]:
        """Bot messages that reply to this message (Telegram's reply, not just the same chat)."""
        chat_id = message["chat"]["id"]
        return [
            s for s in self.sent_messages(chat_id) if s.reply_to_message_id == message["message_id"]
        ]

    def callback_answer(self, query_id: str) -> Call | None:
        """The answerCallbackQuery call that answered this query, if any."""
        with self._lock:
            entry = self._callback_queries.get(query_id)
            return entry["answered_by"] if entry else None

    def inline_answer(self, query_id: str) -> Call | None:
        """The answerInlineQuery call that answered this query, if any."""
        with self._lock:
            entry = self._inline_queries.get(query_id)
            return entry["answered_by"] if entry else None

    def commands(self, scope: JsonDict | None = None, language_code: str = "") -> list[JsonDict]:
        """The command list set for a scope (default scope when None)."""
        with self._lock:
            return list(self._commands.get((_scope_key(scope), language_code), []))

    def description(self, language_code: str = "", *, short: bool = False) -> str:
        """The description (or short description) set for a language ("" for everyone)."""
        with self._lock:
            return self._descriptions.get(
                ("short_description" if short else "description", language_code), ""
            )

    @property
    def allowed_updates(self) -> frozenset[str] | None:
        """The update kinds the bot subscribed to (None: Telegram's default)."""
        with self._lock:
            return self._allowed_updates

    def command_scopes(self) -> list[tuple[JsonDict, str]]:
        """Every (scope, language_code) that has a command list."""
        with self._lock:
            return [(json.loads(scope), lang) for scope, lang in self._commands]

    def is_consumed(self, update_id: int) -> bool:
        """The bot confirmed this update (a later getUpdates offset passed it)."""
        with self._lock:
            return update_id < self._confirmed_below

    def was_delivered(self, update_id: int) -> bool:
        """The update was handed to the bot at least once (getUpdates result or webhook)."""
        with self._lock:
            return update_id in self._delivered

    def users(self) -> list[FakeUser]:
        """Every user made with user(), for leak scans."""
        with self._lock:
            return list(self._users.values())

    def chats(self) -> list[FakeChat]:
        """Every chat the server knows (private chats, groups, channels), for leak scans."""
        with self._lock:
            return list(self._chats.values())

    def pending_updates(self) -> list[JsonDict]:
        with self._lock:
            return list(self._updates)

    def mark(self) -> Mark:
        """The current point in history, for `since=` arguments."""
        with self._lock:
            return Mark(calls=len(self._calls), messages=len(self._sent))

    def bot_status(self, chat: FakeChat) -> str:
        with self._lock:
            return self._bot_status.get(chat.id, "left")

    # ----------------------------------------------------------------- waiting

    def wait_for(
        self, predicate: Callable[[], T | None], timeout: float = 5.0, what: str = "condition"
    ) -> T:
        """Block until predicate() is truthy (re-checked on every server event); return it.

        Raises TimeoutError naming `what` and listing the last calls, for a readable failure.
        """
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                value = predicate()
                if value:
                    return value
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(
                        f"timed out after {timeout} s waiting for {what}; "
                        f"last calls: {self._recent_calls()}"
                    )
                # Also wake periodically: a predicate may depend on time or on another process.
                self._changed.wait(min(remaining, 0.05))

    async def wait_for_async(
        self,
        predicate: Callable[[], T | None],
        timeout: float = 5.0,  # noqa: ASYNC109 - the same signature as wait_for
        what: str = "condition",
    ) -> T:
        """wait_for for asyncio code: polls without blocking the caller's event loop."""
        deadline = time.monotonic() + timeout
        while True:
            with self._lock:
                value = predicate()
            if value:
                return value
            if time.monotonic() >= deadline:
                raise TimeoutError(
                    f"timed out after {timeout} s waiting for {what}; "
                    f"last calls: {self._recent_calls()}"
                )
            await asyncio.sleep(0.01)

    def wait_for_call(
        self,
        method: str,
        predicate: Callable[[Call], bool] | None = None,
        *,
        since: Mark | None = None,
        timeout: float = 5.0,
        done: bool = True,
    ) -> Call:
        """The first (finished, unless done=False) call of `method` after `since` that matches."""

        def find() -> Call | None:
            for call in self.calls(method, since=since):
                if (call.done or not done) and (predicate is None or predicate(call)):
                    return call
            return None

        return self.wait_for(find, timeout, what=f"a {method} call")

    def wait_for_message(
        self,
        chat: FakeChat | int,
        predicate: Callable[[SentMessage], bool] | None = None,
        *,
        since: Mark | None = None,
        timeout: float = 5.0,
    ) -> SentMessage:
        """The first bot message in `chat` after `since` that matches `predicate`."""

        def find() -> SentMessage | None:
            for sent in self.sent_messages(chat, since=since):
                if predicate is None or predicate(sent):
                    return sent
            return None

        return self.wait_for(find, timeout, what="a bot message in the chat")

    def wait_for_reply(self, message: JsonDict, *, timeout: float = 5.0) -> SentMessage:
        """The bot's reply (Telegram reply) to this message."""

        def find() -> SentMessage | None:
            replies = self.replies_to(message)
            return replies[0] if replies else None

        return self.wait_for(find, timeout, what="the bot's reply to a message")

    def wait_consumed(self, update_id: int, *, timeout: float = 5.0) -> None:
        """Until the bot confirmed the update (its handler has at least started)."""
        self.wait_for(lambda: self.is_consumed(update_id), timeout, what=f"update {update_id}")

    def _recent_calls(self, n: int = 8) -> list[str]:
        with self._lock:
            return [
                f"{c.method}:{c.status}{'+' + c.fault.kind if c.fault else ''}"
                for c in self._calls[-n:]
            ]

    # ----------------------------------------------------------------- internals: state

    def _new_message_id(self, chat_id: int) -> int:
        value = self._next_message_id.get(chat_id, 1)
        self._next_message_id[chat_id] = value + 1
        return value

    def _reply_target(
        self, chat: FakeChat, reply_to: JsonDict | SentMessage | None, thread_id: int | None
    ) -> JsonDict | None:
        if isinstance(reply_to, SentMessage):
            return self._messages[(reply_to.chat_id, reply_to.message_id)]
        if reply_to is not None:
            return reply_to
        if thread_id is not None and chat.is_forum:
            return self._messages.get((chat.id, thread_id))
        return None

    def _remember_update_payload(self, update: JsonDict) -> None:
        for key in ("message", "edited_message", "channel_post", "edited_channel_post"):
            msg = update.get(key)
            if isinstance(msg, dict) and "chat" in msg and "message_id" in msg:
                self._messages[(msg["chat"]["id"], msg["message_id"])] = msg
                chat = msg["chat"]
                if chat["id"] not in self._chats:
                    self._chats[chat["id"]] = _chat_from_dict(chat)
                self._next_message_id[chat["id"]] = max(
                    self._next_message_id.get(chat["id"], 1), msg["message_id"] + 1
                )

    def _withheld_by_privacy(self, update: JsonDict) -> bool:
        """Would Telegram keep this group message from a bot in privacy mode?

        In privacy mode a bot gets, in groups, only commands ("/..."), messages that mention
        it by username, replies to its own messages and service messages, unless it is an
        admin there, when it gets everything.
        """
        msg = update.get("message") or update.get("edited_message")
        if not self.privacy_mode or not isinstance(msg, dict):
            return False
        chat = msg.get("chat", {})
        if chat.get("type") not in ("group", "supergroup"):
            return False
        if self._bot_status.get(chat["id"]) in ("administrator", "creator"):
            return False
        text = msg.get("text") if "text" in msg else msg.get("caption")
        if text is None:
            # Service messages always arrive; media without a caption never addresses us.
            return not any(key in msg for key in SERVICE_MESSAGE_KEYS)
        if text.startswith("/"):
            return False
        if re.search(rf"(?<![\w@])@{re.escape(self.bot.username or '')}\b", text, re.I):
            return False
        replied = msg.get("reply_to_message") or {}
        return (replied.get("from") or {}).get("id") != self.bot.id

    def _wake_all(self) -> None:
        loop = self._loop
        if loop is None or not loop.is_running():
            return

        def wake() -> None:
            for waiter in list(self._waiters):
                if not waiter.done():
                    waiter.set_result(None)

        with contextlib.suppress(RuntimeError):  # the loop closed meanwhile
            loop.call_soon_threadsafe(wake)

    async def _wait_event(self, conn: _Conn, deadline: float, poll: _Poll | None = None) -> None:
        """Sleep until something changes, the deadline passes, or the client leaves."""
        loop = asyncio.get_running_loop()
        if conn.gone():
            raise _ClientGone
        waiter: asyncio.Future[None] = loop.create_future()
        self._waiters.add(waiter)
        if poll is not None:
            poll.waiter = waiter
        try:
            # Short slices so a client that hangs up is noticed within 50 ms.
            await asyncio.wait({waiter}, timeout=max(0.0, min(0.05, deadline - loop.time())))
        finally:
            self._waiters.discard(waiter)
        if conn.gone():
            raise _ClientGone

    # ----------------------------------------------------------------- internals: HTTP

    async def _on_connection(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._conn_tasks.add(task)
        conn = _Conn(reader, writer)
        try:
            while not self._stopping:
                try:
                    request = await read_http_request(reader)
                except HttpError as exc:
                    body = json.dumps(
                        {"ok": False, "error_code": exc.status, "description": str(exc)}
                    ).encode()
                    writer.write(encode_response(exc.status, body, keep_alive=False))
                    break
                if request is None:
                    break
                if not await self._serve(request, conn):
                    break
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        except asyncio.CancelledError:
            pass
        finally:
            self._conn_tasks.discard(task)
            with contextlib.suppress(Exception):
                writer.close()

    async def _write(self, conn: _Conn, data: bytes) -> None:
        conn.writer.write(data)
        with contextlib.suppress(ConnectionError):
            await conn.writer.drain()

    async def _serve(self, request: HttpRequest, conn: _Conn) -> bool:
        """Answer one request; False when the connection must be closed afterwards."""
        keep = request.keep_alive
        api = _API_PATH.match(request.path)
        if api is None:
            file_match = _FILE_PATH.match(request.path)
            if file_match is not None:
                await self._serve_file(file_match["token"], file_match["path"], conn, keep)
                return keep
            await self._write(conn, _json_response(404, _not_found(), keep))
            return keep
        token, method = api["token"], api["method"]
        parse_params(request)
        call = self._record_call(request, method, token == self.token)
        if token != self.token:
            # Like Telegram: a token of the right shape but unknown is 401, garbage is 404.
            error = (
                ApiError(401, "Unauthorized")
                if _TOKEN_SHAPE.match(token)
                else ApiError(404, "Not Found")
            )
            await self._finish(call, conn, error.code, error.payload(), keep)
            return keep
        if request.body_error:
            error = bad_request(request.body_error)
            await self._finish(call, conn, 400, error.payload(), keep)
            return keep
        fault = self.faults.decide(call.index, method, call.params)
        if fault is not None:
            with self._lock:
                call.fault = fault  # visible at once, also while an "after" fault waits
        if fault is not None and not fault.after:
            return await self._apply_fault(fault, call, conn, keep)
        handler = self._handlers.get(method.lower(), self._fallback)
        try:
            result = await handler(call, conn)
            status, payload = 200, {"ok": True, "result": result}
        except ApiError as exc:
            status, payload = exc.code, exc.payload()
        except _ClientGone:
            self._complete(call, None, None)
            return False
        if fault is not None:
            return await self._apply_fault(fault, call, conn, keep, payload)
        await self._finish(call, conn, status, payload, keep)
        return keep

    def _record_call(self, request: HttpRequest, method: str, token_valid: bool) -> Call:
        params: dict[str, Any] = {k: _coerce(k, v) for k, v in request.form.items()}
        if isinstance(request.json_body, dict):
            params.update(request.json_body)
        with self._lock:
            call = Call(
                index=len(self._calls),
                method=method,
                params=params,
                files=dict(request.files),
                http_method=request.method,
                content_type=request.content_type,
                token_valid=token_valid,
                started=time.monotonic(),
            )
            self._calls.append(call)
            self._changed.notify_all()
        return call

    def _complete(self, call: Call, status: int | None, payload: Any) -> None:
        with self._lock:
            call.status = status
            call.response = payload
            call.finished = time.monotonic()
            self._changed.notify_all()

    async def _finish(
        self, call: Call, conn: _Conn, status: int, payload: JsonDict, keep: bool
    ) -> None:
        self._complete(call, status, payload)
        await self._write(conn, _json_response(status, payload, keep))

    async def _apply_fault(
        self, fault: Fault, call: Call, conn: _Conn, keep: bool, payload: JsonDict | None = None
    ) -> bool:
        with self._lock:
            call.fault = fault
        kind = fault.kind
        if kind is FaultKind.DROP:
            self._complete(call, None, None)
            conn.writer.close()
            return False
        if kind is FaultKind.HANG:
            loop = asyncio.get_running_loop()
            limit = fault.hang_seconds if fault.hang_seconds is not None else self.hang_limit
            deadline = loop.time() + min(limit, self.hang_limit)
            with contextlib.suppress(_ClientGone):
                while loop.time() < deadline and not self._stopping:
                    await self._wait_event(conn, deadline)
            self._complete(call, None, None)
            conn.writer.close()
            return False
        if kind is FaultKind.MALFORMED:
            # A body cut short, as a broken proxy delivers it: the start of the real answer
            # (or, when the call never ran, of the answer it would have had), personal data
            # included, so a client that logs unreadable bodies shows up in leak scans.
            full = json.dumps(payload or self._echo(call), ensure_ascii=False).encode("utf-8")
            marker = fault.cut_after.encode("utf-8") if fault.cut_after else b""
            at = full.find(marker) if marker else -1
            body = full[: at + len(marker)] if at >= 0 else full[: max(1, len(full) * 2 // 3)]
            # The broken text stands in for the response, so a test can see what was sent.
            self._complete(call, 200, body.decode("utf-8", errors="replace"))
            await self._write(conn, encode_response(200, body, keep_alive=keep))
            return keep
        if kind is FaultKind.BAD_GATEWAY:
            self._complete(call, 502, None)
            await self._write(
                conn,
                encode_response(502, _BAD_GATEWAY_HTML, content_type="text/html", keep_alive=keep),
            )
            return keep
        error = {
            FaultKind.RETRY_AFTER: ApiError(
                429,
                f"Too Many Requests: retry after {fault.retry_after}",
                {"retry_after": fault.retry_after},
            ),
            FaultKind.SERVER_ERROR: ApiError(500, "Internal Server Error"),
            FaultKind.CONFLICT: ApiError(409, _CONFLICT_TAKEOVER),
            FaultKind.FORBIDDEN: ApiError(403, "Forbidden: bot was blocked by the user"),
            FaultKind.MIGRATED: ApiError(
                400,
                "Bad Request: group chat was upgraded to a supergroup chat",
                {"migrate_to_chat_id": fault.migrate_to_chat_id},
            ),
        }[kind]
        await self._finish(call, conn, error.code, error.payload(), keep)
        return keep

    def _echo(self, call: Call) -> JsonDict:
        """What a successful answer to this call looks like, without carrying it out."""
        result: JsonDict = {"message_id": 0, "date": _now()}
        with self._lock:
            chat = self._chats.get(call.params.get("chat_id"))  # type: ignore[arg-type]
        if chat is not None:
            result["chat"] = chat.to_dict()
        result["from"] = self.bot.to_dict()
        result.update({k: v for k, v in call.params.items() if k != "chat_id"})
        return {"ok": True, "result": result}

    async def _serve_file(self, token: str, path: str, conn: _Conn, keep: bool) -> None:
        if token != self.token:
            await self._write(
                conn, _json_response(401, ApiError(401, "Unauthorized").payload(), keep)
            )
            return
        with self._lock:
            found = next((f for f in self._files.values() if _file_path(f) == path), None)
        if found is None:
            await self._write(conn, _json_response(404, _not_found(), keep))
            return
        await self._write(
            conn,
            encode_response(
                200,
                found.data,
                content_type=found.content_type or "application/octet-stream",
                keep_alive=keep,
            ),
        )

    # ----------------------------------------------------------------- internals: validation

    def _chat(self, params: dict[str, Any], name: str = "chat_id") -> FakeChat:
        value = params.get(name)
        if value is None or value == "":
            raise bad_request(f"{name} is empty")
        with self._lock:
            if isinstance(value, str) and value.startswith("@"):
                for candidate in self._chats.values():
                    if candidate.username and f"@{candidate.username}".lower() == value.lower():
                        return candidate
                raise bad_request("chat not found")
            if isinstance(value, bool) or not isinstance(value, int):
                raise bad_request("chat not found")
            known = self._chats.get(value)
            if known is not None:
                return known
            if self.strict_chats:
                raise bad_request("chat not found")
            made = FakeChat(value, "private" if value > 0 else "supergroup", title="Chat")
            self._chats[value] = made
            return made

    def _check_can_send(self, chat: FakeChat) -> None:
        with self._lock:
            if chat.type == "private":
                if chat.id in self._blocked:
                    raise ApiError(403, "Forbidden: bot was blocked by the user")
                if chat.id in self._not_started:
                    raise ApiError(403, "Forbidden: bot can't initiate conversation with a user")
                return
            status = self._bot_status.get(chat.id, "left")
            kind = {"group": "group chat", "supergroup": "supergroup chat"}.get(
                chat.type, "channel chat"
            )
            if status == "kicked":
                raise ApiError(403, f"Forbidden: bot was kicked from the {kind}")
            if status == "left":
                raise ApiError(403, f"Forbidden: bot is not a member of the {kind}")

    def _text(
        self, value: Any, parse_mode: Any, *, limit: int, caption: bool = False
    ) -> tuple[str, str | None]:
        """(text as shown, normalised parse mode), or Telegram's 400."""
        if value is None:
            if caption:
                return "", None
            raise bad_request("message text is empty")
        if not isinstance(value, str):
            value = json.dumps(value)
        mode = parse_mode.lower() if isinstance(parse_mode, str) and parse_mode else None
        if mode == "html":
            try:
                shown = parse_html(value).text
            except EntityParseError as exc:
                raise bad_request(str(exc)) from None
        elif mode in (None, "markdown", "markdownv2"):
            shown = value
        else:
            raise bad_request("unsupported parse_mode")
        shown = shown.strip()
        if not shown and not caption:
            raise bad_request("message text is empty")
        if utf16_len(shown) > limit:
            raise bad_request("message caption is too long" if caption else "message is too long")
        return shown, mode

    def _markup(self, value: Any) -> JsonDict | None:
        """The inline keyboard to echo in the Message (other keyboards are not echoed)."""
        if value is None or value == "":
            return None
        if isinstance(value, str):
            try:
                value = json.loads(value)
            except ValueError:
                raise bad_request("can't parse reply keyboard markup JSON object") from None
        if not isinstance(value, dict):
            raise bad_request("can't parse reply keyboard markup JSON object")
        if "inline_keyboard" not in value:
            return None
        rows = value["inline_keyboard"]
        if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
            raise bad_request(
                'field "inline_keyboard" of the InlineKeyboardMarkup must be an Array'
            )
        for row in rows:
            for button in row:
                _check_inline_button(button)
        return {"inline_keyboard": rows}

    def _reply(self, chat: FakeChat, params: dict[str, Any]) -> tuple[JsonDict | None, int | None]:
        """The message replied to (or None) and the thread the new message goes to."""
        reply_params = params.get("reply_parameters")
        if isinstance(reply_params, str):
            reply_params = json.loads(reply_params)
        if reply_params is None and params.get("reply_to_message_id") is not None:
            reply_params = {
                "message_id": params["reply_to_message_id"],
                "allow_sending_without_reply": params.get("allow_sending_without_reply", False),
            }
        thread_id = params.get("message_thread_id")
        if thread_id is not None and not isinstance(thread_id, int):
            raise bad_request("invalid message_thread_id specified")
        with self._lock:
            known_threads = self._threads.get(chat.id, set())
            if chat.is_forum and thread_id not in (None, 1) and thread_id not in known_threads:
                raise bad_request("message thread not found")
            if not reply_params:
                return None, thread_id
            target_chat = reply_params.get("chat_id", chat.id)
            if target_chat not in (chat.id, chat.username and f"@{chat.username}"):
                raise bad_request("quoted message is in a different chat")  # we don't model that
            replied = self._messages.get((chat.id, int(reply_params.get("message_id") or 0)))
            if replied is None:
                if reply_params.get("allow_sending_without_reply"):
                    return None, thread_id
                raise bad_request("message to be replied not found")
            # A reply lands in the replied message's topic when no thread is given.
            if thread_id is None and chat.is_forum:
                thread_id = replied.get("message_thread_id")
            return replied, thread_id

    def _deliver(
        self,
        call: Call,
        chat: FakeChat,
        *,
        text: str,
        source: str,
        parse_mode: str | None,
        markup: JsonDict | None,
        replied: JsonDict | None,
        thread_id: int | None,
        extra: JsonDict | None = None,
        file: UploadedFile | None = None,
    ) -> JsonDict:
        """Put a bot message into the chat and return its Message object."""
        with self._lock:
            self._check_flood(call, chat)
            message_id = self._new_message_id(chat.id)
            data = build.message(
                message_id=message_id,
                date=_now(),
                chat=chat,
                sender=self.bot,
                text=text if extra is None else None,
                entities=[],
                reply_to=replied,
                thread_id=thread_id,
                extra=extra,
            )
            if markup is not None:
                data["reply_markup"] = markup
            self._messages[(chat.id, message_id)] = data
            self._sent.append(
                SentMessage(
                    chat_id=chat.id,
                    message_id=message_id,
                    method=call.method,
                    delivered_by=call.index,
                    date=data["date"],
                    text=text,
                    source=source,
                    parse_mode=parse_mode,
                    reply_markup=markup,
                    reply_to_message_id=replied["message_id"] if replied else None,
                    message_thread_id=thread_id,
                    file=file,
                )
            )
            self._changed.notify_all()
            return copy.deepcopy(data)

    def _check_flood(self, call: Call, chat: FakeChat) -> None:
        """Refuse a send over a flood limit with 429, as Telegram does; else count it."""
        limits = self.flood_limits
        if limits is None:
            return
        now = time.monotonic()
        per_chat = limits.private if chat.type == "private" else limits.group
        history = self._chat_sends.setdefault(chat.id, [])
        for limit, sends in ((per_chat, history), (limits.overall, self._all_sends)):
            if limit is None:
                continue
            count, window = limit
            while sends and now - sends[0] >= window:
                sends.pop(0)
            if len(sends) >= count:
                self.flood_refusals.append(call)
                wait = max(1, int(sends[0] + window - now + 0.999))
                raise ApiError(429, f"Too Many Requests: retry after {wait}", {"retry_after": wait})
        history.append(now)
        self._all_sends.append(now)

    def _upload(self, call: Call, field_name: str) -> tuple[UploadedFile | None, str]:
        """The uploaded file for a media parameter (direct or attach://), and its file_id."""
        value = call.params.get(field_name)
        upload = call.files.get(field_name)
        if upload is None and isinstance(value, str) and value.startswith("attach://"):
            upload = call.files.get(value[len("attach://") :])
            if upload is None:
                raise bad_request(f"file for {field_name} not found in the request")
        if upload is None and not value:
            raise bad_request(f"there is no {field_name} in the request")
        with self._lock:
            self._file_counter += 1
            file_id = f"BQACAgFakeSent{self._file_counter:06d}"
            if upload is not None:
                self._files[file_id] = upload
        return upload, file_id

    # ----------------------------------------------------------------- Bot API methods

    async def _m_getMe(self, call: Call, conn: _Conn) -> JsonDict:
        data = self.bot.to_dict()
        data.update(
            can_join_groups=True,
            can_read_all_group_messages=self.can_read_all_group_messages,
            supports_inline_queries=self.supports_inline_queries,
            can_connect_to_business=False,
            has_main_web_app=False,
        )
        return data

    async def _m_logOut(self, call: Call, conn: _Conn) -> bool:
        return True

    async def _m_close(self, call: Call, conn: _Conn) -> bool:
        return True

    async def _m_getUpdates(self, call: Call, conn: _Conn) -> list[JsonDict]:
        params = call.params
        offset = _int_param(params, "offset", 0)
        limit = min(max(_int_param(params, "limit", 100), 1), 100)
        timeout = max(_int_param(params, "timeout", 0), 0)
        allowed = params.get("allowed_updates")
        with self._lock:
            if self._webhook["url"]:
                raise ApiError(
                    409,
                    "Conflict: can't use getUpdates method while webhook is active; use "
                    "deleteWebhook to delete the webhook first",
                )
            if isinstance(allowed, list):
                self._allowed_updates = frozenset(allowed) or None
            self._confirm(offset)
            previous, poll = self._current_poll, _Poll()
            self._current_poll = poll
        if previous is not None:
            # Telegram ends the older long poll when a newer one arrives.
            previous.superseded = True
            if previous.waiter is not None and not previous.waiter.done():
                previous.waiter.set_result(None)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        try:
            while True:
                if poll.superseded:
                    raise ApiError(409, _CONFLICT_TAKEOVER)
                with self._lock:
                    batch = self._deliverable(offset, limit)
                    if batch or loop.time() >= deadline or self._stopping:
                        self._delivered.update(u["update_id"] for u in batch)
                        return copy.deepcopy(batch)
                await self._wait_event(conn, deadline, poll)
        finally:
            with self._lock:
                if self._current_poll is poll:
                    self._current_poll = None

    def _confirm(self, offset: int) -> None:
        if offset < 0:
            keep = self._updates[offset:]
            if len(keep) < len(self._updates):
                self._confirmed_below = keep[0]["update_id"] if keep else self._next_update_id
            self._updates = keep
        elif offset > 0:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
            self._confirmed_below = max(self._confirmed_below, offset)
        self._changed.notify_all()

    def _deliverable(self, offset: int, limit: int) -> list[JsonDict]:
        allowed = self._allowed_updates
        kept: list[JsonDict] = []
        for update in self._updates:
            kind = next(k for k in update if k != "update_id")
            wanted = (
                kind in allowed if allowed is not None else kind not in NOT_DELIVERED_BY_DEFAULT
            )
            if wanted:
                kept.append(update)
            else:
                # Telegram never creates updates the bot did not ask for.
                self.filtered_updates.append(update)
        self._updates = kept
        return [u for u in kept if u["update_id"] >= offset][:limit]

    async def _m_getWebhookInfo(self, call: Call, conn: _Conn) -> JsonDict:
        with self._lock:
            info: JsonDict = {
                "url": self._webhook["url"],
                "has_custom_certificate": False,
                "pending_update_count": len(self._updates),
            }
            if self._webhook["url"]:
                info["max_connections"] = self._webhook["max_connections"]
                info["ip_address"] = "127.0.0.1"
                if self._allowed_updates is not None:
                    info["allowed_updates"] = sorted(self._allowed_updates)
                failures = [d for d in self.webhook_deliveries if not d["ok"]]
                if failures:
                    info["last_error_date"] = failures[-1]["date"]
                    info["last_error_message"] = failures[-1]["error"]
            return info

    async def _m_deleteWebhook(self, call: Call, conn: _Conn) -> bool:
        with self._lock:
            self._webhook.update(url="", secret_token=None)
            if call.params.get("drop_pending_updates") is True:
                self._drop_pending()
        if self._webhook_task is not None:
            self._webhook_task.cancel()
            self._webhook_task = None
        return True

    def _drop_pending(self) -> None:
        if self._updates:
            self._confirmed_below = max(self._confirmed_below, self._updates[-1]["update_id"] + 1)
        self._updates = []
        self._changed.notify_all()

    async def _m_setWebhook(self, call: Call, conn: _Conn) -> bool:
        params = call.params
        url = params.get("url") or ""
        secret = params.get("secret_token")
        if url:
            parts = urlsplit(url)
            local = parts.hostname in LOOPBACK_HOSTS or self.webhook_target is not None
            if parts.scheme not in ("http", "https") or not local:
                # The fake only ever talks to loopback (see webhook_target).
                raise bad_request("bad webhook: the fake server delivers to 127.0.0.1 only")
        if secret is not None and not _SECRET_TOKEN.match(str(secret)):
            raise bad_request("secret token contains unallowed characters")
        with self._lock:
            if isinstance(params.get("allowed_updates"), list):
                self._allowed_updates = frozenset(params["allowed_updates"]) or None
            if params.get("drop_pending_updates") is True:
                self._drop_pending()
            self._webhook.update(
                url=url,
                secret_token=secret,
                max_connections=_int_param(params, "max_connections", 40),
            )
        if self._webhook_task is not None:
            self._webhook_task.cancel()
            self._webhook_task = None
        if url:
            self._webhook_task = asyncio.get_running_loop().create_task(self._push_webhook())
        return True

    async def _push_webhook(self) -> None:
        """Deliver queued updates to the webhook in order, retrying with back-off like Telegram."""
        import httpx  # only webhook tests need it

        backoff = 0.1
        async with httpx.AsyncClient(timeout=10.0, trust_env=False) as client:
            while not self._stopping:
                with self._lock:
                    batch = self._deliverable(0, 1)
                    url, secret = self._webhook["url"], self._webhook["secret_token"]
                    if url and self.webhook_target is not None:
                        url = self.webhook_target
                if not batch or not url:
                    waiter = asyncio.get_running_loop().create_future()
                    self._waiters.add(waiter)
                    try:
                        await asyncio.wait({waiter}, timeout=0.2)
                    finally:
                        self._waiters.discard(waiter)
                    continue
                update = batch[0]
                headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret else {}
                record: JsonDict = {"update_id": update["update_id"], "date": _now()}
                try:
                    response = await client.post(url, json=update, headers=headers)
                    record.update(ok=200 <= response.status_code < 300, status=response.status_code)
                    record["error"] = (
                        None
                        if record["ok"]
                        else f"Wrong response from the webhook: {response.status_code}"
                    )
                except httpx.HTTPError as exc:
                    record.update(
                        ok=False, status=None, error=f"Connection failed: {type(exc).__name__}"
                    )
                with self._lock:
                    self.webhook_deliveries.append(record)
                    self._delivered.add(update["update_id"])
                    if record["ok"]:
                        self._updates = [u for u in self._updates if u is not update]
                        self._confirmed_below = max(self._confirmed_below, update["update_id"] + 1)
                    self._changed.notify_all()
                if record["ok"]:
                    backoff = 0.1
                else:
                    await asyncio.sleep(backoff)
                    backoff = min(backoff * 2, 2.0)

    async def _m_setMyCommands(self, call: Call, conn: _Conn) -> bool:
        commands = _json_param(call.params, "commands")
        if not isinstance(commands, list) or len(commands) > 100:
            raise bad_request("commands must be a list of at most 100 BotCommand")
        for command in commands:
            name = command.get("command") if isinstance(command, dict) else None
            description = command.get("description") if isinstance(command, dict) else None
            if not isinstance(name, str) or not _COMMAND_NAME.match(name):
                raise bad_request("BOT_COMMAND_INVALID")
            if not isinstance(description, str) or not 1 <= len(description) <= 256:
                raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        scope = self._scope(call.params)
        with self._lock:
            self._commands[(_scope_key(scope), call.params.get("language_code") or "")] = commands
        return True

    async def _m_deleteMyCommands(self, call: Call, conn: _Conn) -> bool:
        scope = self._scope(call.params)
        with self._lock:
            self._commands.pop((_scope_key(scope), call.params.get("language_code") or ""), None)
        return True

    async def _m_getMyCommands(self, call: Call, conn: _Conn) -> list[JsonDict]:
        scope = self._scope(call.params)
        return self.commands(scope, call.params.get("language_code") or "")

    def _scope(self, params: dict[str, Any]) -> JsonDict | None:
        scope = _json_param(params, "scope")
        if scope is None:
            return None
        kinds = {
            "default",
            "all_private_chats",
            "all_group_chats",
            "all_chat_administrators",
            "chat",
            "chat_administrators",
            "chat_member",
        }
        if not isinstance(scope, dict) or scope.get("type") not in kinds:
            raise bad_request("can't parse BotCommandScope JSON object")
        if scope["type"].startswith("chat"):
            chat = self._chat(scope)  # Telegram refuses scopes for chats the bot cannot see
            if scope["type"] == "chat_member" and not isinstance(scope.get("user_id"), int):
                raise bad_request("invalid user_id specified")
            if scope["type"] != "chat" and chat.type == "private":
                raise bad_request("can't use chat_administrators scope in private chats")
        return scope

    def _set_description(self, call: Call, kind: str, limit: int) -> bool:
        text = call.params.get(kind, "")
        if not isinstance(text, str) or len(text) > limit:
            raise bad_request(f"{kind.upper()}_INVALID")  # Telegram: too long or not a string
        language = call.params.get("language_code") or ""
        if not isinstance(language, str) or (language and not re.fullmatch(r"[a-z]{2}", language)):
            raise bad_request("LANGUAGE_CODE_INVALID")
        with self._lock:
            self._descriptions[(kind, language)] = text
        return True

    async def _m_setMyDescription(self, call: Call, conn: _Conn) -> bool:
        return self._set_description(call, "description", 512)

    async def _m_setMyShortDescription(self, call: Call, conn: _Conn) -> bool:
        return self._set_description(call, "short_description", 120)

    async def _m_getMyDescription(self, call: Call, conn: _Conn) -> JsonDict:
        return {"description": self.description(call.params.get("language_code") or "")}

    async def _m_getMyShortDescription(self, call: Call, conn: _Conn) -> JsonDict:
        language = call.params.get("language_code") or ""
        return {"short_description": self.description(language, short=True)}

    async def _m_sendMessage(self, call: Call, conn: _Conn) -> JsonDict:
        params = call.params
        chat = self._chat(params)
        text, mode = self._text(params.get("text"), params.get("parse_mode"), limit=4096)
        markup = self._markup(params.get("reply_markup"))
        replied, thread_id = self._reply(chat, params)
        self._check_can_send(chat)
        return self._deliver(
            call,
            chat,
            text=text,
            source=str(params.get("text")),
            parse_mode=mode,
            markup=markup,
            replied=replied,
            thread_id=thread_id,
        )

    async def _m_sendPhoto(self, call: Call, conn: _Conn) -> JsonDict:
        return self._send_media(call, "photo")

    async def _m_sendDocument(self, call: Call, conn: _Conn) -> JsonDict:
        return self._send_media(call, "document")

    def _send_media(self, call: Call, kind: str) -> JsonDict:
        params = call.params
        chat = self._chat(params)
        caption, mode = self._text(
            params.get("caption"), params.get("parse_mode"), limit=1024, caption=True
        )
        markup = self._markup(params.get("reply_markup"))
        replied, thread_id = self._reply(chat, params)
        self._check_can_send(chat)
        upload, file_id = self._upload(call, kind)
        unique = file_id[-8:]
        extra: JsonDict
        if kind == "photo":
            extra = {"photo": build.photo_sizes(file_id, unique)}
        else:
            extra = {
                "document": {
                    "file_id": file_id,
                    "file_unique_id": unique,
                    "file_name": (upload.filename if upload else None) or "file",
                    "mime_type": (upload.content_type if upload else None)
                    or "application/octet-stream",
                    "file_size": len(upload.data) if upload else 0,
                }
            }
        if caption:
            extra["caption"] = caption
        return self._deliver(
            call,
            chat,
            text=caption,
            source=str(params.get("caption") or ""),
            parse_mode=mode,
            markup=markup,
            replied=replied,
            thread_id=thread_id,
            extra=extra,
            file=upload,
        )

    async def _m_editMessageText(self, call: Call, conn: _Conn) -> JsonDict | bool:
        params = call.params
        text, mode = self._text(params.get("text"), params.get("parse_mode"), limit=4096)
        markup = self._markup(params.get("reply_markup"))
        return self._edit(call, text=text, source=str(params.get("text")), markup=markup, mode=mode)

    async def _m_editMessageReplyMarkup(self, call: Call, conn: _Conn) -> JsonDict | bool:
        markup = self._markup(call.params.get("reply_markup"))
        return self._edit(call, text=None, source=None, markup=markup, mode=None)

    def _edit(
        self,
        call: Call,
        *,
        text: str | None,
        source: str | None,
        markup: JsonDict | None,
        mode: str | None,
    ) -> JsonDict | bool:
        params = call.params
        if params.get("inline_message_id"):
            return True  # messages sent via inline mode are not in any chat we model
        chat = self._chat(params)
        message_id = params.get("message_id")
        if not isinstance(message_id, int):
            raise bad_request("message identifier is not specified")
        with self._lock:
            sent = next(
                (
                    s
                    for s in self._sent
                    if s.chat_id == chat.id and s.message_id == message_id and not s.deleted
                ),
                None,
            )
            if sent is None:
                if (chat.id, message_id) in self._messages:
                    raise bad_request("message can't be edited")
                raise bad_request("message to edit not found")
            new_text = sent.text if text is None else text
            if new_text == sent.text and markup == sent.reply_markup:
                raise bad_request(
                    "message is not modified: specified new message content and reply markup "
                    "are exactly the same as a current content and reply markup of the message"
                )
            sent.edits.append(sent.source)
            sent.text = new_text
            if source is not None:
                sent.source, sent.parse_mode = source, mode
            sent.reply_markup = markup
            stored = self._messages[(chat.id, message_id)]
            if text is not None:
                stored["text"] = new_text
            if markup is not None:
                stored["reply_markup"] = markup
            else:
                stored.pop("reply_markup", None)
            stored["edit_date"] = _now()
            self._changed.notify_all()
            return copy.deepcopy(stored)

    async def _m_deleteMessage(self, call: Call, conn: _Conn) -> bool:
        chat = self._chat(call.params)
        message_id = call.params.get("message_id")
        with self._lock:
            if (
                not isinstance(message_id, int)
                or self._messages.pop((chat.id, message_id), None) is None
            ):
                raise bad_request("message to delete not found")
            for sent in self._sent:
                if sent.chat_id == chat.id and sent.message_id == message_id:
                    sent.deleted = True
            self._changed.notify_all()
        return True

    async def _m_answerCallbackQuery(self, call: Call, conn: _Conn) -> bool:
        params = call.params
        query_id = str(params.get("callback_query_id") or "")
        text = params.get("text")
        if text is not None and len(str(text)) > 200:
            raise bad_request("MESSAGE_TOO_LONG")
        with self._lock:
            entry = self._callback_queries.get(query_id)
            if entry is None or entry["answered_by"] is not None:
                raise bad_request(
                    "query is too old and response timeout expired or query ID is invalid"
                )
            entry["answered_by"] = call
            self._changed.notify_all()
        return True

    async def _m_answerInlineQuery(self, call: Call, conn: _Conn) -> bool:
        params = call.params
        query_id = str(params.get("inline_query_id") or "")
        results = _json_param(params, "results")
        if not isinstance(results, list):
            raise bad_request("can't parse inline query results JSON object")
        if len(results) > 50:
            raise bad_request("RESULTS_TOO_MUCH")
        seen: set[str] = set()
        for result in results:
            _check_inline_result(result, seen, self)
        with self._lock:
            entry = self._inline_queries.get(query_id)
            if entry is None or entry["answered_by"] is not None:
                raise bad_request(
                    "query is too old and response timeout expired or query ID is invalid"
                )
            entry["answered_by"] = call
            self._changed.notify_all()
        return True

    async def _m_getChatMember(self, call: Call, conn: _Conn) -> JsonDict:
        chat = self._chat(call.params)
        user_id = call.params.get("user_id")
        if not isinstance(user_id, int):
            raise bad_request("invalid user_id specified")
        with self._lock:
            if user_id == self.bot.id:
                status = self._bot_status.get(
                    chat.id, "member" if chat.type == "private" else "left"
                )
                return build.chat_member(self.bot, status)
            user = self._users.get(user_id)
            status = self._members.get((chat.id, user_id), "member")
        if user is None:
            raise bad_request("user not found")
        return build.chat_member(user, status)

    async def _m_getChatAdministrators(self, call: Call, conn: _Conn) -> list[JsonDict]:
        chat = self._chat(call.params)
        with self._lock:
            admins = [
                build.chat_member(self._users[uid], status)
                for (cid, uid), status in self._members.items()
                if cid == chat.id and status in ("creator", "administrator") and uid in self._users
            ]
            if self._bot_status.get(chat.id) in ("creator", "administrator"):
                admins.append(build.chat_member(self.bot, "administrator"))
        return admins

    async def _m_getChatMemberCount(self, call: Call, conn: _Conn) -> int:
        chat = self._chat(call.params)
        with self._lock:
            return 1 + sum(
                1
                for (cid, _), s in self._members.items()
                if cid == chat.id and s not in ("left", "kicked")
            )

    async def _m_getChat(self, call: Call, conn: _Conn) -> JsonDict:
        chat = self._chat(call.params)
        data = chat.to_dict()
        data.update(
            accent_color_id=0,
            max_reaction_count=11,
            accepted_gift_types={
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            },
        )
        return data

    async def _m_sendChatAction(self, call: Call, conn: _Conn) -> bool:
        chat = self._chat(call.params)
        if call.params.get("action") not in CHAT_ACTIONS:
            raise bad_request("wrong parameter action in request")
        self._check_can_send(chat)
        return True

    async def _m_leaveChat(self, call: Call, conn: _Conn) -> bool:
        chat = self._chat(call.params)
        if chat.type == "private":
            raise bad_request("chat member status can't be changed in private chats")
        with self._lock:
            old = self._bot_status.get(chat.id, "left")
            if old in ("left", "kicked"):
                raise ApiError(403, "Forbidden: bot is not a member of the group chat")
            self._bot_status[chat.id] = "left"
            update = build.my_chat_member(
                chat=chat, by=self.bot, bot=self.bot, old_status=old, new_status="left", date=_now()
            )
        if self.emit_membership_updates:
            # Telegram tells the bot about its own departure like about any other change.
            self.push_update({"my_chat_member": update})
        return True

    async def _m_getFile(self, call: Call, conn: _Conn) -> JsonDict:
        file_id = call.params.get("file_id")
        with self._lock:
            upload = self._files.get(str(file_id))
        if upload is None:
            raise bad_request("invalid file_id")
        return {
            "file_id": file_id,
            "file_unique_id": str(file_id)[-8:],
            "file_size": len(upload.data),
            "file_path": _file_path(upload),
        }

    async def _fallback(self, call: Call, conn: _Conn) -> Any:
        """Methods we do not model: recorded, and answered as a harmless success."""
        if call.method.lower().startswith("send"):
            # A send* method must return a Message or the client fails to parse the answer.
            chat = self._chat(call.params)
            self._check_can_send(chat)
            replied, thread_id = self._reply(chat, call.params)
            return self._deliver(
                call,
                chat,
                text=str(call.params.get("caption") or ""),
                source=str(call.params.get("caption") or ""),
                parse_mode=None,
                markup=self._markup(call.params.get("reply_markup")),
                replied=replied,
                thread_id=thread_id,
                extra={},
            )
        return True


# --------------------------------------------------------------------- helpers


def _now() -> int:
    return int(time.time())


def _not_found() -> JsonDict:
    return {"ok": False, "error_code": 404, "description": "Not Found"}


def _json_response(status: int, payload: JsonDict, keep: bool) -> bytes:
    body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    return encode_response(status, body, keep_alive=keep)


def _coerce(name: str, value: str) -> Any:
    """A form value as Telegram reads it: JSON for numbers, booleans, objects and arrays."""
    if name in STRING_PARAMS:
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value


def _int_param(params: dict[str, Any], name: str, default: int) -> int:
    value = params.get(name, default)
    if value is None or value == "":
        return default
    if isinstance(value, bool) or not isinstance(value, int):
        raise bad_request(f"invalid {name} specified")
    return value


def _json_param(params: dict[str, Any], name: str) -> Any:
    value = params.get(name)
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            raise bad_request(f"can't parse {name} JSON object") from None
    return value


def _scope_key(scope: JsonDict | None) -> str:
    return json.dumps(scope or {"type": "default"}, sort_keys=True)


def _chat_from_dict(data: JsonDict) -> FakeChat:
    return FakeChat(
        id=data["id"],
        type=data.get("type", "private"),
        title=data.get("title"),
        username=data.get("username"),
        first_name=data.get("first_name"),
        last_name=data.get("last_name"),
        is_forum=bool(data.get("is_forum")),
    )


def _file_path(upload: UploadedFile) -> str:
    return f"documents/{id(upload):x}_{upload.filename or 'file'}"


def _check_inline_button(button: Any) -> None:
    if not isinstance(button, dict) or not isinstance(button.get("text"), str):
        raise bad_request("can't parse inline keyboard button: Text buttons are unallowed")
    actions = [k for k in button if k in INLINE_BUTTON_ACTIONS]
    if len(actions) != 1:
        raise bad_request("can't parse inline keyboard button: exactly one action field is needed")
    if "callback_data" in button:
        data = button["callback_data"]
        if not isinstance(data, str) or not 1 <= len(data.encode("utf-8")) <= 64:
            raise bad_request("BUTTON_DATA_INVALID")
    if "url" in button:
        url = button["url"]
        if not isinstance(url, str) or not re.match(r"^(https?|tg)://[^\s]+$", url):
            raise bad_request(f"inline keyboard button URL '{url}' is invalid: Wrong HTTP URL")


def _check_inline_result(result: Any, seen: set[str], api: FakeBotApi) -> None:
    if not isinstance(result, dict) or not isinstance(result.get("type"), str):
        raise bad_request("can't parse InlineQueryResult JSON object")
    result_id = result.get("id")
    if not isinstance(result_id, str) or not 1 <= len(result_id.encode("utf-8")) <= 64:
        raise bad_request("RESULT_ID_INVALID")
    if result_id in seen:
        raise bad_request("RESULT_ID_DUPLICATE")
    seen.add(result_id)
    if result["type"] == "article" and not result.get("title"):
        raise bad_request("RESULT_TITLE_EMPTY")
    content = result.get("input_message_content")
    if isinstance(content, dict) and "message_text" in content:
        api._text(content["message_text"], content.get("parse_mode"), limit=4096)
    if "reply_markup" in result:
        api._markup(result["reply_markup"])
