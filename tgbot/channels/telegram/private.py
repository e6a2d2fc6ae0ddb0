"""Commands (/start, /help, /topics, /ask, /about, /privacy, /emergency, unknown ones) and
private-chat messages: any text there is a question for the core.

In groups the same commands reply to the asking message in its forum topic; group chatter
itself is handlers_group's job.
"""

from __future__ import annotations

import re

from telegram import Message, Update
from telegram.ext import ContextTypes

from tgbot.channels.telegram.delivery import (
    answer_message,
    is_group,
    pack_for,
    reply_html,
    reply_text,
)
from tgbot.channels.telegram.render import (
    MAX_START_PAYLOAD,
    markup_blocks,
    split_html,
    topics_keyboard,
)
from tgbot.channels.telegram.state import Services
from tgbot.core.answers import answer_for
from tgbot.core.content import TOPIC_ID, ContentPack
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
            text = pack.text("group_intro", bot_username=context.bot.username)
            await reply_text(context, message, text)
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
            await answer_message(
                self.services, context, message, answer, pack, AskPath.DEEP_LINK, quote=False
            )
            return
        blocks = markup_blocks(pack.text("welcome")) + markup_blocks(
            pack.text("disclaimer"), italic=True
        )
        await reply_html(context, message, split_html(blocks), topics_keyboard(pack))

    async def help(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if update.message is None:
            return
        text = self._pack(update).text("help", bot_username=context.bot.username)
        await reply_text(context, update.message, text)

    async def topics(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if update.message is None:
            return
        pack = self._pack(update)
        await reply_text(context, update.message, pack.text("topics_intro"), topics_keyboard(pack))

    async def about(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if update.message is None:
            return
        await reply_text(context, update.message, self._pack(update).text("about"))

    async def privacy(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/privacy: what is stored, filled from the live settings so it is always true."""
        if update.message is None:
            return
        pack = self._pack(update)
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
        await reply_text(context, update.message, pack.text("privacy", stats_part=stats_part))

    async def emergency(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/emergency: the emergency prompt first, then what to do right now."""
        if update.message is None:
            return
        pack = self._pack(update)
        blocks = (
            markup_blocks(pack.text("emergency_prompt"), bold=True)
            + markup_blocks(pack.text("emergency_steps"))
            + markup_blocks(pack.text("disclaimer"), italic=True)
        )
        await reply_html(context, update.message, split_html(blocks))

    async def ask(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/ask <question>: the core's answer; no question gets a short how-to."""
        message = update.message
        if message is None:
            return
        pack = self._pack(update)
        question = question_after_command(message)
        if not question:
            await reply_text(context, message, pack.text("ask_howto"))
            return
        await answer_message(
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
        await reply_text(context, message, self._pack(update).text("unknown_command"))

    async def text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Any text (or a caption) in a private chat is a question."""
        message = update.message
        if message is None:
            return
        question = message.text or message.caption or ""
        pack = self._pack(update)
        await answer_message(
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
        if update.message is None:
            return
        await reply_text(context, update.message, self._pack(update).text("text_only"))
