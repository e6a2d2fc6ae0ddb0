"""Replies in Telegram: an Answer with its buttons, interface texts, and the one question
flow every path shares (flood guard, statistics, one grep-able log line).

Nothing here waits for Telegram: replies are queued in the chat's outbox (outbox.py), which
sends, paces and retries them, so a handler never holds an update slot during a rate-limit
wait. Emergency and urgent prompts go in the outbox's safety lane.

Answering itself is tgbot.core.answers.answer_for; nothing here decides what to answer. Logs
carry content ids and outcomes only: never a user or chat id, a name, or message text.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import logging
from collections.abc import Callable, Hashable, Sequence

from telegram import (
    Chat,
    InlineKeyboardMarkup,
    LinkPreviewOptions,
    Message,
    ReplyParameters,
    User,
)
from telegram.constants import ChatType, ParseMode
from telegram.ext import ContextTypes

from tgbot.channels.telegram.outbox import Lane, Send
from tgbot.channels.telegram.render import (
    ANYONE,
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
from tgbot.core.model import Level
from tgbot.stats.events import AskPath, Channel

__all__ = [
    "NO_PREVIEW",
    "answer_message",
    "answer_question",
    "asker_id",
    "command_allowed",
    "flood_allows",
    "is_group",
    "pack_for",
    "record_answer",
    "reminder_blocks",
    "reply_html",
    "reply_text",
    "send_html",
    "thread_of",
]

log = logging.getLogger("tgbot.channels.telegram.delivery")

NO_PREVIEW = LinkPreviewOptions(is_disabled=True)
GROUP_TYPES = (ChatType.GROUP, ChatType.SUPERGROUP)


def is_group(chat: Chat) -> bool:
    return chat.type in GROUP_TYPES


def pack_for(services: Services, user: User | None, text: str | None = None) -> ContentPack:
    """The content pack for a reply: the language `text` is clearly written in, else the
    user's Telegram language, else the default pack."""
    return services.content.library.pack_for_message(text, user.language_code if user else None)


def check_owner(secret: str, user_id: int | None) -> str:
    """Who may answer a warning-signs check: 10 hex chars of an HMAC of the asker's id under
    a key made from the bot's secret (the button reveals no id, and nobody can make one that
    passes for another user), or ANYONE when the asker is anonymous."""
    if user_id is None:
        return ANYONE
    key = hashlib.sha256(b"tgbot check owner\0" + secret.encode()).digest()
    return hmac.new(key, str(user_id).encode(), hashlib.sha256).hexdigest()[:10]


def thread_of(message: Message) -> int | None:
    """The forum topic to answer in; None outside forum topics (a reply chain is no topic)."""
    return message.message_thread_id if message.is_topic_message else None


def asker_id(message: Message) -> int | None:
    """Whose question it is, for anonymous statistics; None for anonymous admins/channels."""
    if message.sender_chat is not None or message.from_user is None:
        return None
    return message.from_user.id


def send_html(
    services: Services,
    context: ContextTypes.DEFAULT_TYPE,
    chat_id: int,
    chunks: Sequence[str],
    *,
    keyboard: InlineKeyboardMarkup | None = None,
    reply_to: int | None = None,
    thread_id: int | None = None,
    lane: Lane = Lane.NORMAL,
    on_sent: Callable[[list[Message]], None] | None = None,
    coalesce: Hashable | None = None,
) -> bool:
    """Queue HTML messages for the chat, in order; the first replies to reply_to, the last
    carries buttons. Returns at once: the chat's outbox sends them (see outbox.py)."""
    sends: list[Send] = []
    for i, chunk in enumerate(chunks):
        reply = (
            ReplyParameters(message_id=reply_to, allow_sending_without_reply=True)
            if reply_to is not None and i == 0
            else None
        )
        sends.append(
            functools.partial(
                context.bot.send_message,
                chat_id=chat_id,
                text=chunk,
                parse_mode=ParseMode.HTML,
                link_preview_options=NO_PREVIEW,
                message_thread_id=thread_id,
                reply_parameters=reply,
                reply_markup=keyboard if i == len(chunks) - 1 else None,
            )
        )
    return services.outbox.post(chat_id, sends, lane=lane, on_sent=on_sent, coalesce=coalesce)


def reply_html(
    services: Services,
    context: ContextTypes.DEFAULT_TYPE,
    message: Message,
    chunks: Sequence[str],
    keyboard: InlineKeyboardMarkup | None = None,
    *,
    lane: Lane = Lane.NORMAL,
) -> bool:
    """Answer a message in its chat: in groups as a reply in the same forum topic."""
    group = is_group(message.chat)
    return send_html(
        services,
        context,
        message.chat.id,
        chunks,
        keyboard=keyboard,
        reply_to=message.message_id if group else None,
        thread_id=thread_of(message),
        lane=lane,
    )


def reply_text(
    services: Services,
    context: ContextTypes.DEFAULT_TYPE,
    message: Message,
    text: str,
    keyboard: InlineKeyboardMarkup | None = None,
) -> bool:
    """Reply with an interface text (light Markdown, escaped)."""
    return reply_html(services, context, message, split_html(markup_blocks(text)), keyboard)


def _slow_down(
    services: Services,
    context: ContextTypes.DEFAULT_TYPE,
    chat: Chat,
    pack: ContentPack,
    *,
    reply_to: int | None,
    thread_id: int | None,
) -> None:
    send_html(
        services,
        context,
        chat.id,
        split_html(markup_blocks(pack.text("slow_down"))),
        reply_to=reply_to if is_group(chat) else None,
        thread_id=thread_id,
        coalesce=("slow_down", thread_id),
    )


def command_allowed(
    services: Services, context: ContextTypes.DEFAULT_TYPE, message: Message, pack: ContentPack
) -> bool:
    """The flood guard for a command's reply: commands share the user's question budget, so
    a flood of /help costs the flooder only. Operators are never held back."""
    user_id = asker_id(message)
    if user_id is None or user_id in services.settings.operator_ids:
        return True
    verdict = services.flood.check(user_id)
    if verdict is Verdict.OK:
        return True
    # One line when the guard speaks; the silence after it is DEBUG, or a flood fills the log.
    log.log(_flood_log_level(verdict), "event=flood_guard verdict=%s kind=command", verdict.value)
    if verdict is Verdict.WARN:
        _slow_down(
            services,
            context,
            message.chat,
            pack,
            reply_to=message.message_id,
            thread_id=thread_of(message),
        )
    return False


def _flood_log_level(verdict: Verdict) -> int:
    return logging.DEBUG if verdict is Verdict.SILENT else logging.INFO


def reminder_blocks(level: Level, pack: ContentPack) -> list[str]:
    """The one short reminder a repeated red flag gets: its prompt alone."""
    if level is Level.EMERGENCY:
        return split_html(markup_blocks(pack.text("emergency_prompt"), bold=True))
    return split_html(markup_blocks(pack.text("doctor_prompt"), bold=True))


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
    """The flood guard's verdict. A red flag has its own budget: the first in a window (or a
    more severe one) gets the full answer, a repeat one short reminder, then silence, so a
    frightened parent typing fast still gets the prompt and a flooder cannot slow others."""
    if user_id is None:
        return Verdict.OK
    level = answer.text_flags.level  # what the parent wrote, not a red-flag topic's own level
    if level is not None:
        services.flood.note(user_id)
        return services.flood.check_red_flag(user_id, level)
    return services.flood.check(user_id)


def answer_question(
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
    quote_in_private: bool = False,
    record: bool = True,
) -> None:
    """Deliver one answered question in a private chat or a group, with everything around it:
    flood guard, statistics, the group's "answered a moment ago" pointer, buttons. Queues the
    reply in the chat's outbox and returns at once."""
    group = is_group(chat)
    if not (group or quote_in_private):
        reply_to = None  # a private chat reads in order; only an edit's prompt quotes there
    verdict = flood_allows(services, answer, user_id)
    if verdict is not Verdict.OK:
        log.log(_flood_log_level(verdict), "event=flood_guard verdict=%s", verdict.value)
        if verdict is Verdict.WARN:
            _slow_down(services, context, chat, pack, reply_to=reply_to, thread_id=thread_id)
        elif verdict is Verdict.REMIND and answer.text_flags.level is not None:
            level = answer.text_flags.level
            send_html(
                services,
                context,
                chat.id,
                reminder_blocks(level, pack),
                reply_to=reply_to,
                thread_id=thread_id,
                lane=Lane.SAFETY,
                coalesce=("reminder", thread_id, level) if group else None,
            )
        return
    channel = Channel.GROUP if group else Channel.PRIVATE
    username = context.bot.username
    if group and answer.topic_id and answer.level is None:
        # A red-flag answer is never shortened to a pointer: the prompt is always repeated.
        earlier = services.recent.earlier(chat.id, thread_id, answer.topic_id)
        if earlier is not None:
            record_answer(services, answer, channel=channel, path=path, user_id=user_id)
            log.info("event=group_pointer topic=%s", answer.topic_id)
            send_html(
                services,
                context,
                chat.id,
                split_html(markup_blocks(pack.text("group_recent_pointer"))),
                keyboard=continue_private_keyboard(pack, username, answer.topic_id),
                reply_to=reply_to,
                thread_id=thread_id,
            )
            return
    # A check's answer is no new question: the check counts its own ending.
    event_id = (
        record_answer(services, answer, channel=channel, path=path, user_id=user_id)
        if record
        else None
    )
    where: Where = "group" if group else "private"
    on_sent: Callable[[list[Message]], None] | None = None
    topic_id = answer.topic_id
    if group and topic_id:

        def on_sent(sent: list[Message]) -> None:
            if sent:
                services.recent.remember(chat.id, thread_id, topic_id, sent[0].message_id)

    safety = answer.level is not None
    send_html(
        services,
        context,
        chat.id,
        render_answer(answer, related_as_text=group),
        keyboard=answer_keyboard(
            answer,
            pack,
            where=where,
            bot_username=username,
            event_id=event_id,
            check_owner=check_owner(services.settings.token or "", user_id),
        ),
        reply_to=reply_to,
        thread_id=thread_id,
        lane=Lane.SAFETY if safety else Lane.NORMAL,
        on_sent=on_sent,
        # Many people posting one red flag in a group: the group gets the prompt, not one
        # queued copy each (the newest message gets it).
        coalesce=("prompt", thread_id, answer.level) if safety and group else None,
    )


def answer_message(
    services: Services,
    context: ContextTypes.DEFAULT_TYPE,
    message: Message,
    answer: Answer,
    pack: ContentPack,
    path: AskPath,
    *,
    quote: bool,
) -> None:
    """answer_question for a message: in its chat and forum thread, quoting it when asked.
    A red flag is remembered for the message, so editing it later does not repeat the prompt."""
    if answer.level is not None:
        services.prompted.note(message.chat.id, message.message_id, answer.level)
    answer_question(
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
