"""Sending replies in Telegram: an Answer with its buttons, interface texts, and the one
question flow every path shares (flood guard, statistics, one grep-able log line).

Answering itself is tgbot.core.answers.answer_for; nothing here decides what to answer. Logs
carry content ids and outcomes only: never a user or chat id, a name, or message text.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import timedelta

from telegram import (
    Chat,
    InlineKeyboardMarkup,
    LinkPreviewOptions,
    Message,
    ReplyParameters,
    User,
)
from telegram.constants import ChatType, ParseMode
from telegram.error import BadRequest, NetworkError, RetryAfter, TelegramError
from telegram.ext import ContextTypes

from tgbot.channels.telegram.render import (
    Where,
    answer_keyboard,
    continue_private_keyboard,
    markup_blocks,
    render_answer,
    split_html,
)
from tgbot.channels.telegram.state import Services, Verdict
from tgbot.core.answers import Answer
from tgbot.core.content import ContentPack
from tgbot.stats.events import AskPath, Channel

__all__ = [
    "NO_PREVIEW",
    "answer_question",
    "asker_id",
    "flood_allows",
    "is_group",
    "pack_for",
    "record_answer",
    "reply_html",
    "reply_text",
    "send_html",
    "send_with_retry",
    "thread_of",
]

log = logging.getLogger("tgbot.delivery")

NO_PREVIEW = LinkPreviewOptions(is_disabled=True)
GROUP_TYPES = (ChatType.GROUP, ChatType.SUPERGROUP)

# A send that failed in transit (5xx, a dropped connection, a timeout, a garbled answer, a flood
# wait the rate limiter gave up on) is tried again, a bounded number of times: a parent who
# asked must get the answer, above all a red-flag prompt. With the real Telegram a response
# lost after delivery can make a retry show a message twice; a parent who reads an answer
# twice is better off than one who never gets the prompt. Errors that say the message itself
# cannot be sent (blocked, bad request, chat migrated) are never retried.
SEND_ATTEMPTS = 5
RETRY_DELAYS = (0.5, 1.0, 2.0, 4.0)  # seconds before the 2nd, 3rd, ... attempt
MAX_RETRY_AFTER = 60.0  # a longer flood wait is not sat out inside a handler


def is_group(chat: Chat) -> bool:
    return chat.type in GROUP_TYPES


def pack_for(services: Services, user: User | None) -> ContentPack:
    """The content pack in the user's language (the default pack when there is none)."""
    return services.content.library.pack(user.language_code if user else None)


def thread_of(message: Message) -> int | None:
    """The forum topic to answer in; None outside forum topics (a reply chain is no topic)."""
    return message.message_thread_id if message.is_topic_message else None


def asker_id(message: Message) -> int | None:
    """Whose question it is, for anonymous statistics; None for anonymous admins/channels."""
    if message.sender_chat is not None or message.from_user is None:
        return None
    return message.from_user.id


def _retry_delay(exc: TelegramError, attempt: int) -> float | None:
    """Seconds to wait before trying a failed send again, or None when it must not be."""
    if isinstance(exc, RetryAfter):
        wait = exc.retry_after
        seconds = wait.total_seconds() if isinstance(wait, timedelta) else float(wait)
        return seconds + 0.1 if seconds <= MAX_RETRY_AFTER else None
    if isinstance(exc, NetworkError) and not isinstance(exc, BadRequest):
        return RETRY_DELAYS[min(attempt, len(RETRY_DELAYS) - 1)]  # TimedOut is one too
    if type(exc) is TelegramError and isinstance(exc.__cause__, ValueError):
        # PTB's "Invalid server response": the answer was not JSON (cut short by a proxy).
        return RETRY_DELAYS[min(attempt, len(RETRY_DELAYS) - 1)]
    return None


async def send_with_retry(send: Callable[[], Awaitable[Message]]) -> Message:
    """Run one Bot API send, trying again after transient failures (see SEND_ATTEMPTS)."""
    for attempt in range(SEND_ATTEMPTS):
        try:
            return await send()
        except TelegramError as exc:
            delay = _retry_delay(exc, attempt)
            if delay is None or attempt == SEND_ATTEMPTS - 1:
                raise
            # The error's type only: its message may quote a server answer.
            log.info(
                "event=send_retry attempt=%d error=%s wait_s=%.1f",
                attempt + 1,
                type(exc).__name__,
                delay,
            )
            await asyncio.sleep(delay)
    raise AssertionError("unreachable: the last attempt returns or raises")


async def send_html(
    context: ContextTypes.DEFAULT_TYPE,
    chat_id: int,
    chunks: Sequence[str],
    *,
    keyboard: InlineKeyboardMarkup | None = None,
    reply_to: int | None = None,
    thread_id: int | None = None,
) -> list[Message]:
    """Send HTML messages in order; the first replies to reply_to, the last carries buttons."""
    sent: list[Message] = []
    for i, chunk in enumerate(chunks):
        reply = (
            ReplyParameters(message_id=reply_to, allow_sending_without_reply=True)
            if reply_to is not None and i == 0
            else None
        )
        send = functools.partial(
            context.bot.send_message,
            chat_id=chat_id,
            text=chunk,
            parse_mode=ParseMode.HTML,
            link_preview_options=NO_PREVIEW,
            message_thread_id=thread_id,
            reply_parameters=reply,
            reply_markup=keyboard if i == len(chunks) - 1 else None,
        )
        sent.append(await send_with_retry(send))
    return sent


async def reply_html(
    context: ContextTypes.DEFAULT_TYPE,
    message: Message,
    chunks: Sequence[str],
    keyboard: InlineKeyboardMarkup | None = None,
) -> list[Message]:
    """Answer a message in its chat: in groups as a reply in the same forum topic."""
    group = is_group(message.chat)
    return await send_html(
        context,
        message.chat.id,
        chunks,
        keyboard=keyboard,
        reply_to=message.message_id if group else None,
        thread_id=thread_of(message),
    )


async def reply_text(
    context: ContextTypes.DEFAULT_TYPE,
    message: Message,
    text: str,
    keyboard: InlineKeyboardMarkup | None = None,
) -> list[Message]:
    """Reply with an interface text (light Markdown, escaped)."""
    return await reply_html(context, message, split_html(markup_blocks(text)), keyboard)


def record_answer(
    services: Services, answer: Answer, *, channel: Channel, path: AskPath, user_id: int | None
) -> str | None:
    """Hand the answer to statistics and log it; returns the event id for 👍/👎 buttons.

    The recorder promises never to raise, but a bug there must not cost a parent the reply
    (least of all a red-flag prompt), so any error is logged by type and swallowed.
    """
    event_id: str | None
    try:
        event_id = services.stats.record_answer(answer, channel=channel, path=path, user_id=user_id)
    except Exception as exc:
        log.warning("event=stats_error op=record_answer error=%s", type(exc).__name__)
        event_id = None
    log.info(
        "event=answer channel=%s path=%s outcome=%s topic=%s level=%s concepts=%s",
        channel.value,
        path.value,
        answer.outcome.value,
        answer.topic_id or "-",
        answer.level.value if answer.level else "-",
        ",".join(answer.concepts) or "-",
    )
    return event_id


def flood_allows(services: Services, answer: Answer, user_id: int | None) -> Verdict:
    """The flood guard's verdict. A red-flag message is always answered: a frightened parent
    typing fast must still get the prompt (the rate limiter bounds the cost)."""
    if user_id is None:
        return Verdict.OK
    verdict = services.flood.check(user_id)
    return Verdict.OK if answer.level is not None else verdict


async def answer_question(
    services: Services,
    context: ContextTypes.DEFAULT_TYPE,
    *,
    chat: Chat,
    answer: Answer,
    pack: ContentPack,
    path: AskPath,
    user_id: int | None,
    reply_to: int | None,
    thread_id: int | None,
) -> list[Message]:
    """Deliver one answered question in a private chat or a group, with everything around it:
    flood guard, statistics, the group's "answered a moment ago" pointer, buttons."""
    verdict = flood_allows(services, answer, user_id)
    if verdict is not Verdict.OK:
        log.info("event=flood_guard verdict=%s", verdict.value)
        if verdict is Verdict.WARN:
            text = pack.text("slow_down")
            return await send_html(
                context,
                chat.id,
                split_html(markup_blocks(text)),
                reply_to=reply_to if is_group(chat) else None,
                thread_id=thread_id,
            )
        return []
    group = is_group(chat)
    channel = Channel.GROUP if group else Channel.PRIVATE
    username = context.bot.username
    if group and answer.topic_id and answer.level is None:
        # A red-flag answer is never shortened to a pointer: the prompt is always repeated.
        earlier = services.recent.earlier(chat.id, thread_id, answer.topic_id)
        if earlier is not None:
            record_answer(services, answer, channel=channel, path=path, user_id=user_id)
            log.info("event=group_pointer topic=%s", answer.topic_id)
            return await send_html(
                context,
                chat.id,
                split_html(markup_blocks(pack.text("group_recent_pointer"))),
                keyboard=continue_private_keyboard(pack, username, answer.topic_id),
                reply_to=reply_to,
                thread_id=thread_id,
            )
    event_id = record_answer(services, answer, channel=channel, path=path, user_id=user_id)
    where: Where = "group" if group else "private"
    sent = await send_html(
        context,
        chat.id,
        render_answer(answer, related_as_text=group),
        keyboard=answer_keyboard(
            answer, pack, where=where, bot_username=username, event_id=event_id
        ),
        reply_to=reply_to if group else None,
        thread_id=thread_id,
    )
    if group and answer.topic_id and sent:
        services.recent.remember(chat.id, thread_id, answer.topic_id, sent[0].message_id)
    return sent


async def answer_message(
    services: Services,
    context: ContextTypes.DEFAULT_TYPE,
    message: Message,
    answer: Answer,
    pack: ContentPack,
    path: AskPath,
    *,
    quote: bool,
) -> list[Message]:
    """answer_question for a message: in its chat and forum thread, quoting it when asked."""
    return await answer_question(
        services,
        context,
        chat=message.chat,
        answer=answer,
        pack=pack,
        path=path,
        user_id=asker_id(message),
        reply_to=message.message_id if quote else None,
        thread_id=thread_of(message),
    )
