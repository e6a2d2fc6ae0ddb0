"""Realistic Bot API objects for tests: users, chats, and the update dicts Telegram would send.

The builders are pure: they take the message id and date they should carry and return plain
dicts shaped as in the official Bot API (entities with UTF-16 offsets, forum topic messages
replying to the topic's creation message, anonymous admins sending as the group, and so on).
FakeBotApi allocates the ids and pushes the results. Never opens a connection.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from .tghtml import utf16_len

JsonDict = dict[str, Any]

# Telegram's fixed service accounts, as they appear in real updates.
GROUP_ANONYMOUS_BOT: JsonDict = {
    "id": 1087968824,
    "is_bot": True,
    "first_name": "Group",
    "username": "GroupAnonymousBot",
}
TELEGRAM_SERVICE_USER: JsonDict = {"id": 777000, "is_bot": False, "first_name": "Telegram"}

CHAT_MEMBER_STATUSES = ("creator", "administrator", "member", "restricted", "left", "kicked")


@dataclass(frozen=True, slots=True)
class FakeUser:
    """A Telegram user (or bot) as it appears in `from` fields."""

    id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = "en"
    is_bot: bool = False

    def to_dict(self) -> JsonDict:
        data: JsonDict = {"id": self.id, "is_bot": self.is_bot, "first_name": self.first_name}
        if self.last_name:
            data["last_name"] = self.last_name
        if self.username:
            data["username"] = self.username
        if self.language_code and not self.is_bot:
            data["language_code"] = self.language_code
        return data

    @property
    def identifiers(self) -> tuple[str, ...]:
        """Every value that identifies this user, for leak scans of logs and databases."""
        values = [str(self.id), self.first_name]
        values += [v for v in (self.last_name, self.username) if v]
        return tuple(values)


@dataclass(frozen=True, slots=True)
class FakeChat:
    """A chat: private (id = the user's id), group, supergroup (forum or not) or channel."""

    id: int
    type: str
    title: str | None = None
    username: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    is_forum: bool = False

    @classmethod
    def private(cls, user: FakeUser) -> FakeChat:
        return cls(
            id=user.id,
            type="private",
            username=user.username,
            first_name=user.first_name,
            last_name=user.last_name,
        )

    @property
    def is_group(self) -> bool:
        return self.type in ("group", "supergroup")

    def to_dict(self) -> JsonDict:
        data: JsonDict = {"id": self.id, "type": self.type}
        for key in ("title", "username", "first_name", "last_name"):
            value = getattr(self, key)
            if value:
                data[key] = value
        if self.is_forum:
            data["is_forum"] = True
        return data


_COMMAND = re.compile(r"(?<![\w/])/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?")
_MENTION = re.compile(r"(?<![\w@])@[A-Za-z0-9_]{5,32}\b")
_URL = re.compile(r"https?://[^\s]+")


def text_entities(text: str) -> list[JsonDict]:
    """The entities Telegram's clients attach: bot_command, mention and url, UTF-16 offsets."""
    found: list[tuple[int, int, str]] = []
    for pattern, kind in ((_COMMAND, "bot_command"), (_MENTION, "mention"), (_URL, "url")):
        for match in pattern.finditer(text):
            found.append((match.start(), match.end(), kind))
    found.sort()
    entities: list[JsonDict] = []
    last_end = -1
    for start, end, kind in found:
        if start < last_end:  # a mention inside /cmd@Bot is part of the command
            continue
        entities.append(
            {
                "type": kind,
                "offset": utf16_len(text[:start]),
                "length": utf16_len(text[start:end]),
            }
        )
        last_end = end
    return entities


def message(
    *,
    message_id: int,
    date: int,
    chat: FakeChat,
    sender: FakeUser | JsonDict | None,
    text: str | None = None,
    entities: list[JsonDict] | None = None,
    reply_to: JsonDict | None = None,
    thread_id: int | None = None,
    sender_chat: FakeChat | None = None,
    extra: JsonDict | None = None,
) -> JsonDict:
    """A Message dict. With text, entities default to what a Telegram client would attach."""
    data: JsonDict = {"message_id": message_id, "date": date, "chat": chat.to_dict()}
    if sender is not None:
        data["from"] = sender.to_dict() if isinstance(sender, FakeUser) else dict(sender)
    if sender_chat is not None:
        data["sender_chat"] = sender_chat.to_dict()
    if thread_id is not None:
        data["message_thread_id"] = thread_id
        if chat.is_forum:
            data["is_topic_message"] = True
    if reply_to is not None:
        # Telegram nests one level only: the replied-to message carries no reply of its own.
        data["reply_to_message"] = {k: v for k, v in reply_to.items() if k != "reply_to_message"}
    if text is not None:
        data["text"] = text
        ents = text_entities(text) if entities is None else entities
        if ents:
            data["entities"] = ents
    if extra:
        data.update(extra)
    return data


def photo_sizes(file_id: str, unique_id: str) -> list[JsonDict]:
    """The sizes Telegram lists for one photo, smallest first."""
    return [
        {
            "file_id": f"{file_id}-{w}",
            "file_unique_id": f"{unique_id}{w}",
            "width": w,
            "height": h,
            "file_size": w * h // 10,
        }
        for w, h in ((90, 67), (320, 240), (1280, 960))
    ]


def sticker(file_id: str, unique_id: str, emoji: str = "😀") -> JsonDict:
    return {
        "file_id": file_id,
        "file_unique_id": unique_id,
        "type": "regular",
        "width": 512,
        "height": 512,
        "is_animated": False,
        "is_video": False,
        "emoji": emoji,
        "set_name": "FakeStickers",
    }


def voice(file_id: str, unique_id: str, duration: int = 3) -> JsonDict:
    return {
        "file_id": file_id,
        "file_unique_id": unique_id,
        "duration": duration,
        "mime_type": "audio/ogg",
        "file_size": 4096,
    }


def document(file_id: str, unique_id: str, file_name: str = "notes.pdf") -> JsonDict:
    return {
        "file_id": file_id,
        "file_unique_id": unique_id,
        "file_name": file_name,
        "mime_type": "application/pdf",
        "file_size": 2048,
    }


def chat_member(user: FakeUser | JsonDict, status: str, *, until_date: int = 0) -> JsonDict:
    """A ChatMember dict with every field the Bot API marks required for its status."""
    if status not in CHAT_MEMBER_STATUSES:
        raise ValueError(f"unknown chat member status {status!r}")
    user_dict = user.to_dict() if isinstance(user, FakeUser) else dict(user)
    data: JsonDict = {"status": status, "user": user_dict}
    if status == "creator":
        data["is_anonymous"] = False
    elif status == "administrator":
        data.update(
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
            can_pin_messages=True,
            can_manage_topics=True,
        )
    elif status == "restricted":
        data.update(
            is_member=True,
            can_change_info=False,
            can_invite_users=False,
            can_pin_messages=False,
            can_send_messages=False,
            can_send_polls=False,
            can_send_other_messages=False,
            can_add_web_page_previews=False,
            can_manage_topics=False,
            until_date=until_date,
            can_send_audios=False,
            can_send_documents=False,
            can_send_photos=False,
            can_send_videos=False,
            can_send_video_notes=False,
            can_send_voice_notes=False,
            can_edit_tag=False,
            can_react_to_messages=False,
        )
    elif status == "kicked":
        data["until_date"] = until_date
    return data


def my_chat_member(
    *,
    chat: FakeChat,
    by: FakeUser | JsonDict,
    bot: FakeUser,
    old_status: str,
    new_status: str,
    date: int,
) -> JsonDict:
    """A ChatMemberUpdated about the bot itself (the `my_chat_member` update's payload)."""
    return {
        "chat": chat.to_dict(),
        "from": by.to_dict() if isinstance(by, FakeUser) else dict(by),
        "date": date,
        "old_chat_member": chat_member(bot, old_status),
        "new_chat_member": chat_member(bot, new_status),
    }
