"""Offline stand-ins for the Telegram handler tests: a Bot API request layer that records
every call and answers with valid Bot API JSON, a statistics recorder that remembers what
it was given, and builders of updates as Telegram sends them.

Modelled on python-telegram-bot's own tests (tests/ext/test_ratelimiter.py): only the public
BaseRequest interface is used, so error answers become PTB's real exceptions.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any

from telegram import (
    ChatMemberAdministrator,
    ChatMemberMember,
    ChatMemberOwner,
    User,
)
from telegram.request import BaseRequest, RequestData

from tgbot.core.answers import Answer
from tgbot.core.model import Level
from tgbot.stats.events import AskPath, Channel
from tgbot.stats.service import new_event_id

TOKEN = "123456789:AAFakeTokenForTests_onlyOffline-0123"
BOT_ID = 123456789
BOT_USERNAME = "ParentsHelperBot"
OTHER_BOT = "SomeOtherBot"

JsonDict = dict[str, Any]


@dataclass(frozen=True)
class ApiCall:
    """One Bot API method call as the bot made it."""

    method: str
    params: JsonDict
    files: tuple[bytes, ...] = ()

    @property
    def text(self) -> str:
        return str(self.params.get("text", ""))

    @property
    def markup(self) -> JsonDict:
        raw = self.params.get("reply_markup") or {}
        return json.loads(raw) if isinstance(raw, str) else dict(raw)

    def buttons(self) -> list[JsonDict]:
        return [b for row in self.markup.get("inline_keyboard", []) for b in row]


@dataclass
class Failure:
    """A scripted error answer: Bot API JSON with this status, description and parameters."""

    status: int
    description: str
    parameters: JsonDict | None = None


def _uploaded_files(request_data: RequestData | None) -> tuple[bytes, ...]:
    """The bytes of each file a call uploads (multipart parts are (name, content, type))."""
    if request_data is None:
        return ()
    out: list[bytes] = []
    for part in request_data.multipart_data.values():
        content = part[1]
        out.append(content if isinstance(content, bytes) else content.read())
    return tuple(out)


class RecordingRequest(BaseRequest):
    """Answers every Bot API call offline, like Telegram would, and records it."""

    def __init__(self, *, can_read_all_group_messages: bool = False) -> None:
        self.calls: list[ApiCall] = []
        self.failures: dict[str, list[Failure]] = {}
        self.member_status: dict[tuple[int, int], str] = {}
        self._message_ids = itertools.count(1000)
        self.bot_user = User(
            id=BOT_ID,
            first_name="Parents Helper",
            is_bot=True,
            username=BOT_USERNAME,
            can_join_groups=True,
            can_read_all_group_messages=can_read_all_group_messages,
            supports_inline_queries=True,
        )

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    @property
    def read_timeout(self) -> float:
        return 1.0

    def fail_next(self, method: str, failure: Failure) -> None:
        """Make the next call of method fail with this error answer."""
        self.failures.setdefault(method, []).append(failure)

    def called(self, method: str) -> list[ApiCall]:
        return [c for c in self.calls if c.method == method]

    @property
    def sent(self) -> list[ApiCall]:
        """Every sendMessage call, oldest first."""
        return self.called("sendMessage")

    def uploads(self, method: str) -> list[bytes]:
        """The file bytes uploaded by each call of method (sendPhoto, sendDocument), in order."""
        return [c.files[0] for c in self.called(method) if c.files]

    def sent_text(self) -> str:
        return "\n\n".join(c.text for c in self.sent)

    def clear(self) -> None:
        self.calls.clear()

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
        params = request_data.parameters if request_data is not None else {}
        files = _uploaded_files(request_data)
        self.calls.append(ApiCall(name, dict(params), files))
        queued = self.failures.get(name)
        if queued:
            failure = queued.pop(0)
            body: JsonDict = {
                "ok": False,
                "error_code": failure.status,
                "description": failure.description,
            }
            if failure.parameters:
                body["parameters"] = failure.parameters
            return failure.status, json.dumps(body).encode()
        return HTTPStatus.OK, json.dumps(
            {"ok": True, "result": self._result(name, params)}
        ).encode()

    def _result(self, name: str, params: JsonDict) -> Any:
        if name == "getMe":
            return self.bot_user.to_dict()
        if name in ("sendMessage", "editMessageText"):
            return self._message(params)
        if name == "getChatMember":
            return self._member(int(params["chat_id"]), int(params["user_id"]))
        return True

    def _message(self, params: JsonDict) -> JsonDict:
        chat_id = int(params.get("chat_id", 1))
        message: JsonDict = {
            "message_id": next(self._message_ids),
            "date": int(dt.datetime.now(dt.UTC).timestamp()),
            "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "supergroup"},
            "from": self.bot_user.to_dict(),
            "text": str(params.get("text", "")),
        }
        if "reply_markup" in params:
            raw = params["reply_markup"]
            message["reply_markup"] = json.loads(raw) if isinstance(raw, str) else raw
        return message

    def _member(self, chat_id: int, user_id: int) -> JsonDict:
        user = User(id=user_id, first_name="Member", is_bot=False)
        status = self.member_status.get((chat_id, user_id), "member")
        if status == "creator":
            return ChatMemberOwner(user=user, is_anonymous=False).to_dict()
        if status == "administrator":
            return ChatMemberAdministrator(
                user=user,
                can_be_edited=False,
                is_anonymous=False,
                can_manage_chat=True,
                can_delete_messages=True,
                can_manage_video_chats=True,
                can_restrict_members=True,
                can_promote_members=False,
                can_change_info=True,
                can_invite_users=True,
                can_post_stories=False,
                can_edit_stories=False,
                can_delete_stories=False,
            ).to_dict()
        return ChatMemberMember(user=user).to_dict()


@dataclass
class RecordedAnswer:
    answer: Answer
    channel: Channel
    path: AskPath
    user_id: int | None
    event_id: str


@dataclass
class RecordingStats:
    """A StatsService that remembers every call (in memory, for assertions)."""

    answers: list[RecordedAnswer] = field(default_factory=list)
    votes: list[tuple[str, bool]] = field(default_factory=list)
    voters: list[int | None] = field(default_factory=list)
    checks: list[tuple[Channel, str, Level | None]] = field(default_factory=list)
    started: bool = False
    stopped: bool = False
    summary: str = "Questions (7 days): 12\nAnswered: 75%"

    def record_answer(
        self, answer: Answer, *, channel: Channel, path: AskPath, user_id: int | None
    ) -> str:
        event_id = new_event_id()
        self.answers.append(RecordedAnswer(answer, channel, path, user_id, event_id))
        return event_id

    def record_feedback(self, event_id: str, helpful: bool, *, voter_id: int | None = None) -> bool:
        if event_id not in {a.event_id for a in self.answers}:
            return False
        self.votes.append((event_id, helpful))
        self.voters.append(voter_id)
        return True

    def record_check(self, *, channel: Channel, ended_at: str, level: Level | None) -> None:
        self.checks.append((channel, ended_at, level))

    async def start(self) -> None:
        self.started = True

    async def stop(self) -> None:
        self.stopped = True

    async def operator_summary(self) -> str:
        return self.summary


# --- Updates as Telegram sends them ---------------------------------------------------------

PRIVATE_USER = {"id": 5550001, "is_bot": False, "first_name": "Maria", "language_code": "en"}
GROUP_ID = -1001234567890
_update_ids = itertools.count(1)
_message_ids = itertools.count(1)


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _entities(text: str) -> list[JsonDict]:
    """bot_command and mention entities the way Telegram marks them (UTF-16 offsets)."""
    out: list[JsonDict] = []
    if text.startswith("/"):
        head = text.split(maxsplit=1)[0] if text.split() else text
        out.append({"type": "bot_command", "offset": 0, "length": utf16_len(head)})
    pos = 0
    for word in text.split(" "):
        stripped = word.rstrip(",.!?:;")
        if stripped.startswith("@") and len(stripped) > 1:
            out.append(
                {"type": "mention", "offset": utf16_len(text[:pos]), "length": utf16_len(stripped)}
            )
        pos += len(word) + 1
    return out


def private_chat(user: JsonDict) -> JsonDict:
    return {"id": user["id"], "type": "private", "first_name": user["first_name"]}


def group_chat(chat_id: int = GROUP_ID, *, forum: bool = False) -> JsonDict:
    chat: JsonDict = {"id": chat_id, "type": "supergroup", "title": "Parents of March babies"}
    if forum:
        chat["is_forum"] = True
    return chat


def message_update(
    text: str | None = None,
    *,
    user: JsonDict | None = PRIVATE_USER,
    chat: JsonDict | None = None,
    kind: str = "message",
    entities: bool = True,
    **extra: Any,
) -> JsonDict:
    """An update carrying a message (or edited_message, channel_post, ...)."""
    message: JsonDict = {
        "message_id": next(_message_ids),
        "date": int(dt.datetime.now(dt.UTC).timestamp()),
        "chat": chat if chat is not None else private_chat(user or PRIVATE_USER),
    }
    if user is not None:
        message["from"] = user
    if text is not None:
        message["text"] = text
        if entities and (ents := _entities(text)):
            message["entities"] = ents
    message.update(extra)
    return {"update_id": next(_update_ids), kind: message}


def callback_update(
    data: str, *, message: JsonDict | None = None, user: JsonDict = PRIVATE_USER
) -> JsonDict:
    query: JsonDict = {
        "id": str(next(_update_ids)),
        "from": user,
        "chat_instance": "42",
        "data": data,
    }
    if message is not None:
        query["message"] = message
    else:
        query["inline_message_id"] = "inline-1"
    return {"update_id": next(_update_ids), "callback_query": query}


def bot_message(
    chat: JsonDict, *, text: str = "An earlier answer", markup: JsonDict | None = None
) -> JsonDict:
    """A message the bot sent earlier (what a button press or a reply refers to)."""
    message: JsonDict = {
        "message_id": next(_message_ids),
        "date": int(dt.datetime.now(dt.UTC).timestamp()),
        "chat": chat,
        "from": {
            "id": BOT_ID,
            "is_bot": True,
            "first_name": "Parents Helper",
            "username": BOT_USERNAME,
        },
        "text": text,
    }
    if markup is not None:
        message["reply_markup"] = markup
    return message


def inline_update(query: str, *, user: JsonDict = PRIVATE_USER) -> JsonDict:
    return {
        "update_id": next(_update_ids),
        "inline_query": {"id": str(next(_update_ids)), "from": user, "query": query, "offset": ""},
    }


def chosen_update(
    result_id: str,
    query: str,
    *,
    user: JsonDict = PRIVATE_USER,
    inline_message_id: str | None = "im-1",
) -> JsonDict:
    chosen: JsonDict = {"result_id": result_id, "from": user, "query": query}
    if inline_message_id is not None:
        chosen["inline_message_id"] = inline_message_id
    return {"update_id": next(_update_ids), "chosen_inline_result": chosen}


def my_chat_member_update(
    old_status: str, new_status: str, *, chat: JsonDict | None = None, user: JsonDict = PRIVATE_USER
) -> JsonDict:
    bot_user = {
        "id": BOT_ID,
        "is_bot": True,
        "first_name": "Parents Helper",
        "username": BOT_USERNAME,
    }

    def member(status: str) -> JsonDict:
        if status == "administrator":
            return ChatMemberAdministrator(
                user=User(**{k: v for k, v in bot_user.items() if k != "is_bot"}, is_bot=True),
                can_be_edited=False,
                is_anonymous=False,
                can_manage_chat=True,
                can_delete_messages=False,
                can_manage_video_chats=False,
                can_restrict_members=False,
                can_promote_members=False,
                can_change_info=False,
                can_invite_users=False,
                can_post_stories=False,
                can_edit_stories=False,
                can_delete_stories=False,
            ).to_dict()
        data: JsonDict = {"status": status, "user": bot_user}
        if status == "kicked":
            data["until_date"] = 0
        return data

    return {
        "update_id": next(_update_ids),
        "my_chat_member": {
            "chat": chat if chat is not None else group_chat(),
            "from": user,
            "date": int(dt.datetime.now(dt.UTC).timestamp()),
            "old_chat_member": member(old_status),
            "new_chat_member": member(new_status),
        },
    }
