"""Group chats: answer when addressed (mention, reply to the bot), auto-answer when a group's
admins switched it on, speak up on an emergency red flag, and join/leave/migrate events.

Everything else said in a group is ignored: no reply and no statistics.
"""

from __future__ import annotations

import logging
import re

from telegram import ChatMember, ChatMemberUpdated, Message, MessageEntity, Update
from telegram.ext import ContextTypes, ExtBot

from tgbot.channels.telegram.delivery import (
    answer_message,
    command_allowed,
    is_group,
    pack_for,
    reply_text,
    send_html,
)
from tgbot.channels.telegram.render import markup_blocks, split_html
from tgbot.channels.telegram.state import Services
from tgbot.core.answers import Answer, Outcome, answer_for, red_flag_level
from tgbot.core.content import ContentPack
from tgbot.core.model import Level
from tgbot.core.text import strip_addressing
from tgbot.stats.events import AskPath

__all__ = ["GroupChat", "looks_like_question", "mentions_bot", "replies_to_bot"]

log = logging.getLogger("tgbot.group")

_QUESTION_MARKS = ("?", "？", "⁇", "؟")
_FIRST_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")
_IN_GROUP = (ChatMember.MEMBER, ChatMember.ADMINISTRATOR, ChatMember.OWNER)


def mentions_bot(message: Message, bot: ExtBot[None]) -> bool:
    """The message (or caption) mentions @ThisBot, or names the bot through a text mention."""
    username = (bot.username or "").lower()
    types: list[str | None] = [MessageEntity.MENTION, MessageEntity.TEXT_MENTION]
    entities = (
        message.parse_entities(types) if message.text else message.parse_caption_entities(types)
    )
    for entity, text in entities.items():
        if entity.type == MessageEntity.MENTION and text.lower() == f"@{username}":
            return True
        if entity.type == MessageEntity.TEXT_MENTION and entity.user and entity.user.id == bot.id:
            return True
    if entities or not username:
        return False
    # Telegram always sends mention entities; a test server may not, so fall back to the text.
    text = message.text or message.caption or ""
    return re.search(rf"(?<![\w@])@{re.escape(username)}\b", text, re.IGNORECASE) is not None


def replies_to_bot(message: Message, bot: ExtBot[None]) -> bool:
    """A reply to one of the bot's own messages (not the forum topic's opening message)."""
    replied = message.reply_to_message
    if replied is None or replied.from_user is None:
        return False
    if message.is_topic_message and replied.message_id == message.message_thread_id:
        return False
    return replied.from_user.id == bot.id


def looks_like_question(text: str, pack: ContentPack) -> bool:
    """Ends with a question mark, or starts with a question word from the content."""
    plain = strip_addressing(text).strip()
    if plain.endswith(_QUESTION_MARKS):
        return True
    first = _FIRST_WORD.search(plain)
    if first is None:
        return False
    words = set(pack.text("question_words").casefold().split())
    return first.group(0).casefold() in words


def _is_member(member: ChatMember) -> bool:
    if member.status in _IN_GROUP:
        return True
    # A restricted member is still in the group unless is_member says otherwise.
    return member.status == ChatMember.RESTRICTED and bool(getattr(member, "is_member", False))


class GroupChat:
    """Group message, membership, migration and /autoanswer callbacks."""

    def __init__(self, services: Services) -> None:
        self.services = services

    async def message(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A group message: answer if addressed; else auto-answer or an emergency prompt."""
        message = update.message
        if message is None or not is_group(message.chat):
            return
        author = message.from_user
        if author is not None and author.is_bot and message.sender_chat is None:
            return  # other bots (and ourselves) are never answered
        text = message.text or message.caption
        if not text:
            return
        pack = pack_for(self.services, author if message.sender_chat is None else None, text)
        addressed = mentions_bot(message, context.bot) or replies_to_bot(message, context.bot)
        if (
            not addressed
            and not self.services.groups.autoanswer(message.chat.id)
            and red_flag_level(text, pack) is not Level.EMERGENCY
        ):
            return  # chatter the bot only watches for emergencies: no reply, no statistics
        answer = answer_for(text, pack)
        path = self._path_for(addressed, message, answer, text, pack)
        if path is None:
            return  # chatter: no reply, no statistics
        answer_message(self.services, context, message, answer, pack, path, quote=True)

    def _path_for(
        self, addressed: bool, message: Message, answer: Answer, text: str, pack: ContentPack
    ) -> AskPath | None:
        if addressed:
            return AskPath.FREE_TEXT
        if (
            self.services.groups.autoanswer(message.chat.id)
            and answer.outcome is Outcome.ANSWERED
            and looks_like_question(text, pack)
        ):
            return AskPath.AUTO_ANSWER
        if answer.level is Level.EMERGENCY:
            # Whatever the settings, a possible emergency the bot can see gets the prompt.
            return AskPath.AUTO_ANSWER
        return None

    async def autoanswer(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/autoanswer on|off: group admins only (anonymous admins post as the group)."""
        message = update.message
        if message is None:
            return
        pack = pack_for(self.services, update.effective_user)
        if not command_allowed(self.services, context, message, pack):
            return
        if not is_group(message.chat):
            reply_text(self.services, context, message, pack.text("autoanswer_groups_only"))
            return
        chat_id = message.chat.id
        choice = context.args[0].lower() if context.args else ""
        username = context.bot.username
        if choice not in ("on", "off"):
            state = (
                "autoanswer_on" if self.services.groups.autoanswer(chat_id) else "autoanswer_off"
            )
            text = pack.text(state, bot_username=username) + "\n\n" + pack.text("autoanswer_usage")
            reply_text(self.services, context, message, text)
            return
        if not await self._is_admin(message, context):
            reply_text(self.services, context, message, pack.text("autoanswer_admins_only"))
            return
        self.services.groups.set_autoanswer(chat_id, choice == "on")
        log.info("event=autoanswer state=%s", choice)
        if choice == "on":
            text = pack.text("autoanswer_on")
            if not context.bot.can_read_all_group_messages:
                text += "\n\n" + pack.text("privacy_mode_note")
        else:
            text = pack.text("autoanswer_off", bot_username=username)
        reply_text(self.services, context, message, text)

    async def _is_admin(self, message: Message, context: ContextTypes.DEFAULT_TYPE) -> bool:
        if message.sender_chat is not None:
            # An anonymous admin writes as the group itself; any other chat (a linked
            # channel) is not an admin of this group.
            return message.sender_chat.id == message.chat.id
        if message.from_user is None:
            return False
        member = await context.bot.get_chat_member(message.chat.id, message.from_user.id)
        return member.status in (ChatMember.ADMINISTRATOR, ChatMember.OWNER)

    async def my_chat_member(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Added to a group: one short introduction. Removed: forget the group."""
        change: ChatMemberUpdated | None = update.my_chat_member
        if change is None or not is_group(change.chat):
            return
        was_in = _is_member(change.old_chat_member)
        is_in = _is_member(change.new_chat_member)
        chat_id = change.chat.id
        if is_in and not was_in:
            log.info("event=group_joined")
            pack = self.services.content.library.default
            text = pack.text("group_intro", bot_username=context.bot.username)
            send_html(self.services, context, chat_id, split_html(markup_blocks(text)))
        elif was_in and not is_in:
            log.info("event=group_left")
            self.services.groups.forget(chat_id)
            self.services.recent.forget_chat(chat_id)

    async def migrated(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A group became a supergroup: its settings move to the new chat id."""
        message = update.message
        if message is None:
            return
        if message.migrate_to_chat_id:
            old, new = message.chat.id, message.migrate_to_chat_id
        elif message.migrate_from_chat_id:
            old, new = message.migrate_from_chat_id, message.chat.id
        else:
            return
        self.services.groups.migrate(old, new)
        self.services.recent.migrate(old, new)
        log.info("event=group_migrated")
