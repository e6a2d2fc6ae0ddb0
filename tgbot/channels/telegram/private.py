"""Commands (/start, /help, /topics, /ask, /about, /privacy, /emergency, unknown ones) and
private-chat messages: any text there is a question for the core.

In groups the same commands reply to the asking message in its forum topic; group chatter
itself is group.py's job.
"""

from __future__ import annotations

import re

from telegram import Message, Update
from telegram.ext import ContextTypes

from tgbot.channels.telegram.delivery import (
    answer_message,
    asker_id,
    command_allowed,
    is_group,
    pack_for,
    reminder_blocks,
    reply_html,
    reply_text,
)
from tgbot.channels.telegram.outbox import Lane
from tgbot.channels.telegram.render import (
    MAX_START_PAYLOAD,
    markup_blocks,
    split_html,
    topics_keyboard,
)
from tgbot.channels.telegram.state import Services, Verdict
from tgbot.core.answers import answer_for
from tgbot.core.content import TOPIC_ID, ContentPack
from tgbot.core.model import Level
from tgbot.stats.events import AskPath

__all__ = ["PrivateChat", "command_addressed_to_us", "question_after_command"]

_COMMAND_HEAD = re.compile(r"^/([A-Za-z0-9_]+)(?:@([A-Za-z0-9_]+))?")


def question_after_command(message: Message) -> str:
    """The text after '/cmd' or '/cmd@Bot' (line breaks kept), or '' when there is none."""
    text = message.text or ""
    head = _COMMAND_HEAD.match(text)
    return text[head.end() :].strip() if head else text.strip()


def command_addressed_to_us(message: Message, bot_username: str) -> bool:
    """True for '/cmd@ThisBot'; plain '/cmd' in a group may be meant for any bot there."""
    head = _COMMAND_HEAD.match(message.text or "")
    return bool(head and head.group(2) and head.group(2).lower() == bot_username.lower())


class PrivateChat:
    """Command and private-message callbacks, sharing the bot's services."""

    def __init__(self, services: Services) -> None:
        self.services = services

    def _pack(self, update: Update) -> ContentPack:
        return pack_for(self.services, update.effective_user)

    async def start(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/start: welcome, disclaimer and topic menu; /start <topic-id> opens that topic."""
        message = update.message
        if message is None:
            return
        pack = self._pack(update)
        if is_group(message.chat):
            if not command_allowed(self.services, context, message, pack):
                return
            text = pack.text("group_intro", bot_username=context.bot.username)
            reply_text(self.services, context, message, text)
            return
        payload = context.args[0] if context.args and len(context.args) == 1 else ""
        # Deep-link payloads come from anyone's link: only an exact, existing topic id opens
        # a topic; anything else gets the normal welcome.
        if (
            payload
            and len(payload) <= MAX_START_PAYLOAD
            and TOPIC_ID.fullmatch(payload)
            and pack.topic(payload) is not None
        ):
            answer = answer_for("", pack, topic_id=payload)
            answer_message(
                self.services, context, message, answer, pack, AskPath.DEEP_LINK, quote=False
            )
            return
        if not command_allowed(self.services, context, message, pack):
            return
        blocks = markup_blocks(pack.text("welcome")) + markup_blocks(
            pack.text("disclaimer"), italic=True
        )
        reply_html(self.services, context, message, split_html(blocks), topics_keyboard(pack))

    def _allowed(
        self, update: Update, context: ContextTypes.DEFAULT_TYPE
    ) -> tuple[Message, ContentPack] | None:
        """The message and its pack when the flood guard lets a command's reply out."""
        message = update.message
        if message is None:
            return None
        pack = self._pack(update)
        if not command_allowed(self.services, context, message, pack):
            return None
        return message, pack

    async def help(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if (allowed := self._allowed(update, context)) is None:
            return
        message, pack = allowed
        text = pack.text("help", bot_username=context.bot.username)
        reply_text(self.services, context, message, text)

    async def topics(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if (allowed := self._allowed(update, context)) is None:
            return
        message, pack = allowed
        reply_text(
            self.services, context, message, pack.text("topics_intro"), topics_keyboard(pack)
        )

    async def about(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if (allowed := self._allowed(update, context)) is None:
            return
        message, pack = allowed
        reply_text(self.services, context, message, pack.text("about"))

    async def privacy(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/privacy: what is stored, filled from the live settings so it is always true."""
        if (allowed := self._allowed(update, context)) is None:
            return
        message, pack = allowed
        settings = self.services.settings
        if settings.stats_enabled:
            question_text = pack.text(
                "privacy_question_text_none"
                if settings.stats_store_text == "none"
                else "privacy_question_text_unanswered"
            )
            stats_part = pack.text(
                "privacy_stats_on",
                retention_days=str(settings.stats_retention_days),
                question_text=question_text,
            )
        else:
            stats_part = pack.text("privacy_stats_off")
        reply_text(self.services, context, message, pack.text("privacy", stats_part=stats_part))

    async def emergency(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/emergency: the emergency prompt first, then what to do right now. Guarded as a red
        flag: a repeat within the window gets the prompt alone, once, then silence."""
        message = update.message
        if message is None:
            return
        pack = self._pack(update)
        user_id = asker_id(message)
        if user_id is not None and user_id not in self.services.settings.operator_ids:
            verdict = self.services.flood.check_red_flag(user_id, Level.EMERGENCY)
            if verdict is Verdict.REMIND:
                reply_html(
                    self.services,
                    context,
                    message,
                    reminder_blocks(Level.EMERGENCY, pack),
                    lane=Lane.SAFETY,
                )
            if verdict is not Verdict.OK:
                return
        blocks = (
            markup_blocks(pack.text("emergency_prompt"), bold=True)
            + markup_blocks(pack.text("emergency_steps"))
            + markup_blocks(pack.text("disclaimer"), italic=True)
        )
        reply_html(self.services, context, message, split_html(blocks), lane=Lane.SAFETY)

    async def ask(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/ask <question>: the core's answer; no question gets a short how-to."""
        message = update.message
        if message is None:
            return
        question = question_after_command(message)
        pack = pack_for(self.services, update.effective_user, question)
        if not question:
            if not command_allowed(self.services, context, message, pack):
                return
            reply_text(self.services, context, message, pack.text("ask_howto"))
            return
        answer_message(
            self.services,
            context,
            message,
            answer_for(question, pack),
            pack,
            AskPath.ASK_COMMAND,
            quote=True,
        )

    async def unknown_command(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A command we do not know (or may not run): a hint in private chats; in groups only
        when it names this bot, since '/cmd' there may be meant for another bot."""
        message = update.message
        if message is None:
            return
        if is_group(message.chat) and not command_addressed_to_us(message, context.bot.username):
            return
        pack = self._pack(update)
        if not command_allowed(self.services, context, message, pack):
            return
        reply_text(self.services, context, message, pack.text("unknown_command"))

    async def text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Any text (or a caption) in a private chat is a question."""
        message = update.message
        if message is None:
            return
        question = message.text or message.caption or ""
        pack = pack_for(self.services, update.effective_user, question)
        answer_message(
            self.services,
            context,
            message,
            answer_for(question, pack),
            pack,
            AskPath.FREE_TEXT,
            quote=False,
        )

    async def other(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Stickers, voice, photos without a caption, contacts...: a calm request for text."""
        if (allowed := self._allowed(update, context)) is None:
            return
        message, pack = allowed
        reply_text(self.services, context, message, pack.text("text_only"))
