"""Edited messages: a parent who edits a message to add a red flag gets the answer with its
prompt, as a reply to the edited message. Every other edit is ignored, as before.

An edit is read like the message it replaces: a red flag in its words, or a question about a
red-flag topic such as infantile spasms, gets its answer; in a group only where the bot would
have answered it (addressed to the bot, auto-answer on, or an emergency). It must never answer an
edit that adds nothing alarming, never repeat a prompt the message already got, and never
let edits bypass the flood guard.
"""

from __future__ import annotations

from telegram import Message, Update
from telegram.ext import ContextTypes

from tgbot.channels.telegram.delivery import (
    answer_question,
    asker_id,
    is_group,
    pack_for,
    thread_of,
)
from tgbot.channels.telegram.group import looks_like_question, mentions_bot, replies_to_bot
from tgbot.channels.telegram.private import question_after_command
from tgbot.channels.telegram.state import Services
from tgbot.core.answers import answer_for
from tgbot.core.content import ContentPack
from tgbot.core.model import Level
from tgbot.stats.events import AskPath

__all__ = ["Edits"]


class Edits:
    """The edited-message callback."""

    def __init__(self, services: Services) -> None:
        self.services = services

    async def edited(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.edited_message
        if message is None:
            return
        author = message.from_user
        if author is not None and author.is_bot and message.sender_chat is None:
            return
        user_id = asker_id(message)
        if (
            user_id is not None
            and user_id not in self.services.settings.operator_ids
            and self.services.flood.quiet(user_id)
        ):
            return  # flooding and already prompted: an edit earns nothing a message would not
        text = _question(message)
        if not text:
            return
        pack = pack_for(self.services, author if message.sender_chat is None else None, text)
        answer = answer_for(text, pack)
        level = answer.level  # the words' red flag, or a red-flag topic's own (spasms)
        if level is None:
            return  # other edits are ignored: the first answer stands
        if is_group(message.chat) and not self._would_answer(message, context, level, text, pack):
            return
        if not self.services.prompted.raise_to(message.chat.id, message.message_id, level):
            return  # this message already got a prompt at this level (or a higher one)
        answer_question(
            self.services,
            context,
            chat=message.chat,
            answer=answer,
            pack=pack,
            path=AskPath.EDITED,
            user_id=user_id,
            reply_to=message.message_id,
            thread_id=thread_of(message),
            quote_in_private=True,
        )

    def _would_answer(
        self,
        message: Message,
        context: ContextTypes.DEFAULT_TYPE,
        level: Level,
        text: str,
        pack: ContentPack,
    ) -> bool:
        """In a group: whether a new message with this text would have got a reply."""
        if level is Level.EMERGENCY:
            return True
        if mentions_bot(message, context.bot) or replies_to_bot(message, context.bot):
            return True
        return self.services.groups.autoanswer(message.chat.id) and looks_like_question(text, pack)


def _question(message: Message) -> str:
    """The edited text, without a leading /command (an edited '/ask ...' is read as its
    question), or the caption."""
    if message.text:
        return question_after_command(message) if message.text.startswith("/") else message.text
    return message.caption or ""
