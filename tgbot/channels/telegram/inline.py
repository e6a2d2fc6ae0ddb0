"""Inline mode (@BotName <question> in any chat): up to five matching answers as articles,
each carrying the prompts its question calls for; a red-flag question gets the prompt first.

A question is counted in the statistics when a result is actually sent (chosen inline
result, if inline feedback is enabled in @BotFather), not on every keystroke.
"""

from __future__ import annotations

import logging
import re

from telegram import (
    InlineQueryResultArticle,
    InlineQueryResultsButton,
    InputTextMessageContent,
    Update,
)
from telegram.constants import InlineQueryResultLimit, ParseMode
from telegram.error import BadRequest
from telegram.ext import ContextTypes

from tgbot.channels.telegram.delivery import NO_PREVIEW, pack_for, record_answer
from tgbot.channels.telegram.render import (
    answer_blocks,
    answer_keyboard,
    continue_private_keyboard,
    fit_html,
    prompt_blocks,
)
from tgbot.channels.telegram.state import Services
from tgbot.core.answers import Answer, Outcome, answer_for, inline_answers
from tgbot.core.content import TOPIC_ID, ContentPack
from tgbot.core.markup import to_plain
from tgbot.core.model import Level
from tgbot.stats.events import AskPath, Channel

__all__ = ["Inline", "result_id"]

log = logging.getLogger("tgbot.inline")

MAX_RESULTS = 5
CACHE_SECONDS = 10
DESCRIPTION_CHARS = 120
MAX_ID_CHARS = InlineQueryResultLimit.MAX_ID_LENGTH - 2  # "a:" + topic id in a result id
_RESULT_ID = re.compile(r"(a|p|x):([a-z0-9-]{1,62})")


def result_id(kind: str, value: str) -> str:
    """Result ids say what was sent: a:<topic-id>, p:<level> (prompt), x:fallback."""
    return f"{kind}:{value}"


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= DESCRIPTION_CHARS else text[: DESCRIPTION_CHARS - 1] + "…"


class Inline:
    """Inline query and chosen-result callbacks."""

    def __init__(self, services: Services) -> None:
        self.services = services

    async def query(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        inline = update.inline_query
        if inline is None:
            return
        text = inline.query.strip()
        pack = pack_for(self.services, inline.from_user, text)
        button = InlineQueryResultsButton(text=pack.text("inline_button"), start_parameter="inline")
        if not text:
            await inline.answer([], cache_time=CACHE_SECONDS, is_personal=True, button=button)
            return
        answers = inline_answers(text, pack, limit=MAX_RESULTS)
        level = answers[0].text_flags.level if answers else answer_for(text, pack).text_flags.level
        username = context.bot.username
        results: list[InlineQueryResultArticle] = []
        if level is not None:
            results.append(self._prompt_article(level, pack, username))
        for answer in answers:
            if (article := self._answer_article(answer, pack, username)) is not None:
                results.append(article)
        log.info("event=inline_query results=%d level=%s", len(results), level or "-")
        await inline.answer(results, cache_time=CACHE_SECONDS, is_personal=True, button=button)

    def _prompt_article(
        self, level: Level, pack: ContentPack, username: str
    ) -> InlineQueryResultArticle:
        title = "inline_emergency_title" if level is Level.EMERGENCY else "inline_urgent_title"
        prompt = pack.text("emergency_prompt" if level is Level.EMERGENCY else "doctor_prompt")
        return InlineQueryResultArticle(
            id=result_id("p", level.value),
            title=pack.text(title),
            description=_short(prompt),
            input_message_content=InputTextMessageContent(
                fit_html(prompt_blocks(level, pack)),
                parse_mode=ParseMode.HTML,
                link_preview_options=NO_PREVIEW,
            ),
            reply_markup=continue_private_keyboard(pack, username, None),
        )

    def _answer_article(
        self, answer: Answer, pack: ContentPack, username: str
    ) -> InlineQueryResultArticle | None:
        topic = answer.topic
        if topic is not None:
            if len(topic.id) > MAX_ID_CHARS:
                return None  # a result id is at most 64 bytes; such a topic is left out
            rid = result_id("a", topic.id)
            title = topic.title
            description = topic.summary or to_plain(topic.body)
        else:
            rid = result_id("x", "fallback")
            title = pack.text("inline_no_match_title")
            description = answer.reply.message or pack.text("fallback")
        return InlineQueryResultArticle(
            id=rid,
            title=title,
            description=_short(description),
            input_message_content=InputTextMessageContent(
                fit_html(answer_blocks(answer, related_as_text=True)),
                parse_mode=ParseMode.HTML,
                link_preview_options=NO_PREVIEW,
            ),
            reply_markup=continue_private_keyboard(pack, username, answer.topic_id),
        )

    async def chosen(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A result was sent: count the question once, and add 👍/👎 to the sent message."""
        chosen = update.chosen_inline_result
        if chosen is None:
            return
        pack = pack_for(self.services, chosen.from_user, chosen.query)
        m = _RESULT_ID.fullmatch(chosen.result_id)
        if m is None:
            return
        topic_id = m.group(2) if m.group(1) == "a" else None
        if topic_id is not None and (not TOPIC_ID.fullmatch(topic_id) or not pack.topic(topic_id)):
            return  # content reloaded meanwhile, or a forged id
        answer = answer_for(chosen.query, pack, topic_id=topic_id)
        event_id = record_answer(
            self.services,
            answer,
            channel=Channel.INLINE,
            path=AskPath.INLINE,
            user_id=chosen.from_user.id,
        )
        if chosen.inline_message_id is None or answer.outcome is not Outcome.ANSWERED:
            return
        keyboard = answer_keyboard(
            answer, pack, where="inline", bot_username=context.bot.username, event_id=event_id
        )
        try:
            await context.bot.edit_message_reply_markup(
                inline_message_id=chosen.inline_message_id, reply_markup=keyboard
            )
        except BadRequest as exc:
            log.debug("event=inline_edit_skipped error=%s", type(exc).__name__)
