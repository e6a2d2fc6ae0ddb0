"""Inline-keyboard presses: "t:<topic-id>" shows a topic, "f:<event-id>:<1|0>" is a vote.

Every press is answered with answer_callback_query (or the client spins forever); forged,
stale or unknown data gets a polite notice, never an exception.
"""

from __future__ import annotations

import logging

from telegram import CallbackQuery, Message, Update
from telegram.error import BadRequest, TelegramError
from telegram.ext import ContextTypes

from tgbot.channels.telegram.check import Check
from tgbot.channels.telegram.delivery import answer_question, is_group, pack_for, thread_of
from tgbot.channels.telegram.render import (
    CheckPress,
    FeedbackPress,
    TopicPress,
    parse_callback,
    without_feedback,
)
from tgbot.channels.telegram.state import Services
from tgbot.core.answers import answer_for
from tgbot.core.content import ContentPack
from tgbot.stats.events import AskPath

__all__ = ["Buttons"]

log = logging.getLogger("tgbot.buttons")


class Buttons:
    """The callback-query handler."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self.check = Check(services)

    async def press(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        if query is None:
            return
        # The language of the message the button sits under: a Spanish answer's buttons
        # open Spanish topics, whatever the presser's phone is set to.
        under = query.message.text if isinstance(query.message, Message) else None
        pack = pack_for(self.services, query.from_user, under)
        press = parse_callback(query.data)
        if isinstance(press, FeedbackPress):
            await self._vote(query, press, pack)
        elif isinstance(press, CheckPress):
            await self.check.press(query, press, pack, context)
        elif isinstance(press, TopicPress) and pack.topic(press.topic_id) is not None:
            await self._topic(query, press, pack, context)
        else:
            log.info("event=button_unknown")
            await _acknowledge(query, pack.text("unknown_callback"))

    async def _vote(self, query: CallbackQuery, press: FeedbackPress, pack: ContentPack) -> None:
        try:
            # The voter's id goes to the recorder only to be compared, as a token, with the
            # asker's: in a group anyone can press 👎 under someone else's answer.
            counted = self.services.stats.record_feedback(
                press.event_id, press.helpful, voter_id=query.from_user.id
            )
        except Exception as exc:  # statistics must never break a button
            log.warning("event=stats_error op=record_feedback error=%s", type(exc).__name__)
            counted = False
        log.info("event=feedback helpful=%d counted=%d", press.helpful, counted)
        await _acknowledge(query, pack.text("feedback_thanks" if counted else "feedback_unknown"))
        message = query.message
        if counted and isinstance(message, Message):
            # One vote per answer: the 👍/👎 row goes, the other buttons stay.
            try:
                await query.edit_message_reply_markup(without_feedback(message.reply_markup))
            except BadRequest as exc:
                # Two quick presses: the second edit finds nothing to change. Harmless.
                log.debug("event=feedback_edit_skipped error=%s", type(exc).__name__)

    async def _topic(
        self,
        query: CallbackQuery,
        press: TopicPress,
        pack: ContentPack,
        context: ContextTypes.DEFAULT_TYPE,
    ) -> None:
        message = query.message
        if message is None:
            # A button on an inline-mode message has no chat to answer in.
            await _acknowledge(query, pack.text("open_in_private"))
            return
        await _acknowledge(query)
        chat = message.chat
        group = is_group(chat)
        answer_question(
            self.services,
            context,
            chat=chat,
            answer=answer_for("", pack, topic_id=press.topic_id),
            pack=pack,
            path=AskPath.BUTTON,
            user_id=query.from_user.id,
            reply_to=None,
            thread_id=thread_of(message) if group and isinstance(message, Message) else None,
        )


async def _acknowledge(query: CallbackQuery, text: str | None = None) -> None:
    """Answer the press (stops the button's spinner). A failure here must not cost the parent
    the topic the button opens: the spinner stops by itself, a missing answer does not."""
    try:
        await query.answer(text)
    except TelegramError as exc:
        log.info("event=button_ack_failed error=%s", type(exc).__name__)
