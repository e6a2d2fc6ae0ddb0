"""The "check the warning signs" buttons: the check's questions in one message that is edited
step by step, and for a yes the answer with its prompt as a new message.

In a group only the asker's taps count (the buttons carry a keyed hash of the asker, never
the id). The check's state is the step number in the button, so nothing is stored per chat.
It must never end a check with a yes without sending the prompt, and never record more than
how a check ended.
"""

from __future__ import annotations

import hmac
import logging

from telegram import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message
from telegram.error import BadRequest
from telegram.ext import ContextTypes

from tgbot.channels.telegram.delivery import (
    answer_question,
    check_owner,
    is_group,
    send_html,
    thread_of,
)
from tgbot.channels.telegram.outbox import Lane
from tgbot.channels.telegram.render import (
    ANYONE,
    CheckPress,
    check_data,
    markup_blocks,
    split_html,
)
from tgbot.channels.telegram.state import Services
from tgbot.core.checkflow import CheckEnd, CheckQuestion, check_question, check_reply
from tgbot.core.content import ContentPack
from tgbot.stats.events import AskPath, Channel

__all__ = ["Check"]

log = logging.getLogger("tgbot.check")


def _keyboard(question: CheckQuestion, owner: str) -> InlineKeyboardMarkup | None:
    yes = check_data(question.step, "y", owner)
    no = check_data(question.step, "n", owner)
    if yes is None or no is None:
        return None
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(question.yes_label, callback_data=yes),
                InlineKeyboardButton(question.no_label, callback_data=no),
            ]
        ]
    )


class Check:
    """Presses of the check's buttons (Buttons hands them over)."""

    def __init__(self, services: Services) -> None:
        self.services = services

    def owner(self, user_id: int | None) -> str:
        return check_owner(self.services.settings.token or "", user_id)

    async def press(
        self,
        query: CallbackQuery,
        press: CheckPress,
        pack: ContentPack,
        context: ContextTypes.DEFAULT_TYPE,
    ) -> None:
        message = query.message
        if not isinstance(message, Message):
            await _acknowledge(query, pack.text("open_in_private"))
            return
        if press.owner != ANYONE and not hmac.compare_digest(
            press.owner, self.owner(query.from_user.id)
        ):
            await _acknowledge(query, pack.text("check_not_yours"))
            return
        await _acknowledge(query)
        if press.choice == "s":
            self._start(message, press.owner, pack, context)
            return
        try:
            step = check_reply(press.step, press.choice == "y", pack)
        except ValueError:
            log.info("event=check_stale")
            return
        if isinstance(step, CheckQuestion):
            await _edit(query, step.text, _keyboard(step, press.owner))
            return
        await self._end(query, message, step, pack, context)

    def _start(
        self,
        message: Message,
        owner: str,
        pack: ContentPack,
        context: ContextTypes.DEFAULT_TYPE,
    ) -> None:
        first = check_question(0, pack)
        group = is_group(message.chat)
        log.info("event=check_started")
        send_html(
            self.services,
            context,
            message.chat.id,
            split_html(markup_blocks(first.text)),
            keyboard=_keyboard(first, owner),
            reply_to=message.message_id if group else None,
            thread_id=thread_of(message) if group else None,
            lane=Lane.SAFETY,
        )

    async def _end(
        self,
        query: CallbackQuery,
        message: Message,
        end: CheckEnd,
        pack: ContentPack,
        context: ContextTypes.DEFAULT_TYPE,
    ) -> None:
        group = is_group(message.chat)
        channel = Channel.GROUP if group else Channel.PRIVATE
        level = end.answer.level if end.answer else None
        log.info("event=check_ended at=%s level=%s", end.ended_at, level or "-")
        try:
            self.services.stats.record_check(channel=channel, ended_at=end.ended_at, level=level)
        except Exception as exc:  # statistics must never cost the parent the prompt
            log.warning("event=stats_error op=record_check error=%s", type(exc).__name__)
        if end.answer is None:
            await _edit(query, end.text, None)
            return
        # The question stays readable with its answer; the prompt follows as its own message
        # through the safety lane, so no other chat's traffic can hold it up.
        await _edit(query, f"{end.text}\n→ {pack.text('check_yes')}", None)
        answer_question(
            self.services,
            context,
            chat=message.chat,
            answer=end.answer,
            pack=pack,
            path=AskPath.CHECK,
            user_id=query.from_user.id,
            reply_to=message.message_id,
            thread_id=thread_of(message) if group else None,
            quote_in_private=True,
            record=False,
        )


async def _edit(query: CallbackQuery, text: str, keyboard: InlineKeyboardMarkup | None) -> None:
    html = split_html(markup_blocks(text))[0]
    try:
        await query.edit_message_text(html, parse_mode="HTML", reply_markup=keyboard)
    except BadRequest as exc:
        # Two quick taps: the second finds the message already changed. Harmless.
        log.debug("event=check_edit_skipped error=%s", type(exc).__name__)


async def _acknowledge(query: CallbackQuery, text: str | None = None) -> None:
    try:
        await query.answer(text)
    except Exception as exc:  # the spinner stops by itself; the check must go on
        log.debug("event=check_ack_failed error=%s", type(exc).__name__)
