"""Wiring of every Telegram handler, the gate in front of them, and the one error path.

The gate drops what the bot never answers (channel posts and their edits, business and
other update kinds, our own inline results posted back); edited messages pass to edits.py,
which answers only an edit that adds a red flag. Errors Telegram can cause
(blocked by the user, message not modified, chat migrated, flood waits, timeouts, network
trouble) are handled quietly; anything else is logged by type and handler name only, never
with the update, its text, names or ids, and the bot keeps going.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable, Coroutine
from datetime import timedelta
from pathlib import Path
from typing import Any

from telegram import Update
from telegram.constants import ChatType, UpdateType
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Conflict,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
)
from telegram.ext import (
    Application,
    ApplicationHandlerStop,
    CallbackQueryHandler,
    ChatMemberHandler,
    ChosenInlineResultHandler,
    CommandHandler,
    ContextTypes,
    ExtBot,
    InlineQueryHandler,
    JobQueue,
    MessageHandler,
    TypeHandler,
    filters,
)

from tgbot.channels.telegram.buttons import Buttons
from tgbot.channels.telegram.edits import Edits
from tgbot.channels.telegram.group import GroupChat
from tgbot.channels.telegram.inline import Inline
from tgbot.channels.telegram.operator import Operators
from tgbot.channels.telegram.private import PrivateChat
from tgbot.channels.telegram.state import Services

__all__ = [
    "GATE_GROUP",
    "Callback",
    "TgApplication",
    "handle_telegram_error",
    "make_error_handler",
    "register_handlers",
]

log = logging.getLogger("tgbot.errors")

Callback = Callable[[Update, ContextTypes.DEFAULT_TYPE], Coroutine[Any, Any, None]]
ErrorCallback = Callable[[object, ContextTypes.DEFAULT_TYPE], Coroutine[Any, Any, None]]
# The application our builder makes: default context and data types; the bot's type says
# it has a rate limiter (AIORateLimiter takes int rate-limit arguments).
TgApplication = Application[
    ExtBot[int],
    ContextTypes.DEFAULT_TYPE,
    dict[Any, Any],
    dict[Any, Any],
    dict[Any, Any],
    JobQueue[ContextTypes.DEFAULT_TYPE],
]

GATE_GROUP = -1
HANDLER_NOTE = "handler="

# BadRequest carries no code beyond 400, only Telegram's description; these few are the
# expected, harmless ones (a double press, a late answer to a button, a deleted message).
_HARMLESS_BAD_REQUESTS = (
    "message is not modified",
    "query is too old",
    "query id is invalid",
    "message to edit not found",
    "message can't be edited",
)


def make_gate(services: Services) -> Callback:
    """The gate in front of every handler (see gate)."""

    async def gated(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await gate(update, context)
        message = update.message
        if message is None or message.from_user is None or message.sender_chat is not None:
            return
        user_id = message.from_user.id
        if user_id not in services.settings.operator_ids and services.flood.quiet(user_id):
            # Flooding, and already given the emergency prompt and its reminder: nothing it
            # sends now could get a reply, so it costs no matching and no outbox work.
            raise ApplicationHandlerStop

    return gated


# The update kinds the gate lets through: the bot subscribes to these alone (allowed_updates
# of getUpdates and setWebhook), so Telegram never sends what the gate would throw away.
# A kind the gate starts passing must be added here too.
ALLOWED_UPDATES = (
    UpdateType.MESSAGE,
    UpdateType.EDITED_MESSAGE,
    UpdateType.CALLBACK_QUERY,
    UpdateType.INLINE_QUERY,
    UpdateType.CHOSEN_INLINE_RESULT,
    UpdateType.MY_CHAT_MEMBER,
)


async def gate(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Let through only the update kinds the bot answers; stop everything else here."""
    message = update.message or update.edited_message
    if message is not None:
        via = message.via_bot
        if via is not None and via.id == context.bot.id:
            raise ApplicationHandlerStop  # our own inline result, posted by a user
        if message.chat.type == ChatType.CHANNEL:
            raise ApplicationHandlerStop
        return
    if (
        update.callback_query is not None
        or update.inline_query is not None
        or update.chosen_inline_result is not None
        or update.my_chat_member is not None
    ):
        return
    raise ApplicationHandlerStop  # channel posts, their edits and all other kinds


def handle_telegram_error(exc: TelegramError, handler: str) -> bool:
    """Deal with an error Telegram can cause; False when it is not one we expect."""
    if isinstance(exc, Forbidden):
        # Blocked by the user or removed from the chat: nothing to send, nothing to fix.
        log.info("event=forbidden handler=%s", handler)
        return True
    if isinstance(exc, ChatMigrated):
        log.info("event=chat_migrated handler=%s", handler)
        return True
    if isinstance(exc, RetryAfter):
        # A direct call (a button's answer, an inline answer) hit a flood wait: it is not
        # waited out inside a handler. Replies go through the outbox, which retries them.
        wait = exc.retry_after
        seconds = wait.total_seconds() if isinstance(wait, timedelta) else wait
        log.warning("event=retry_after handler=%s seconds=%s", handler, seconds)
        return True
    if isinstance(exc, BadRequest):
        text = exc.message.lower()
        if any(h in text for h in _HARMLESS_BAD_REQUESTS):
            log.debug("event=bad_request_harmless handler=%s", handler)
            return True
        return False
    if isinstance(exc, NetworkError):  # TimedOut is a NetworkError too
        log.warning("event=network_error handler=%s error=%s", handler, type(exc).__name__)
        return True
    return False


def guarded(name: str, callback: Callback, services: Services) -> Callback:
    """Run a handler; expected Telegram errors end here, others go to the error handler
    carrying the handler's name (the error handler has no other way to know it)."""

    async def run(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        try:
            await callback(update, context)
        except ApplicationHandlerStop:
            raise
        except ChatMigrated as exc:
            chat = update.effective_chat
            if chat is not None:
                services.groups.migrate(chat.id, exc.new_chat_id)
                services.recent.migrate(chat.id, exc.new_chat_id)
            handle_telegram_error(exc, name)
        except TelegramError as exc:
            if not handle_telegram_error(exc, name):
                exc.add_note(HANDLER_NOTE + name)
                raise
        except Exception as exc:
            exc.add_note(HANDLER_NOTE + name)
            raise

    run.__name__ = name
    return run


def handler_name(exc: BaseException, update: object) -> str:
    for note in getattr(exc, "__notes__", ()):
        if isinstance(note, str) and note.startswith(HANDLER_NOTE):
            return note[len(HANDLER_NOTE) :]
    return "polling" if update is None else "unknown"


def _where(exc: BaseException) -> str:
    """File and line where the error was raised: enough to find it, holds no values."""
    frames = traceback.extract_tb(exc.__traceback__)
    if not frames:
        return "-"
    last = frames[-1]
    return f"{Path(last.filename).name}:{last.lineno}"


def make_error_handler(services: Services | None = None) -> ErrorCallback:
    async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        exc = context.error
        if exc is None:
            return
        if isinstance(exc, Conflict) and services is not None:
            _conflict(services, context)
            return
        name = handler_name(exc, update)
        if isinstance(exc, TelegramError) and handle_telegram_error(exc, name):
            return
        # Type, handler and code location only: the update holds a parent's words and ids.
        log.error("event=error type=%s handler=%s at=%s", type(exc).__name__, name, _where(exc))

    return on_error


def _conflict(services: Services, context: ContextTypes.DEFAULT_TYPE) -> None:
    watch = services.conflict
    verdict = watch.seen()
    if verdict == watch.FIRST:
        log.warning(
            "event=conflict cause=%r action=%r",
            "Telegram refused getUpdates (409 Conflict): another process is polling with this "
            "bot token, or a webhook is set for it",
            f"stop the other instance (or deleteWebhook); this one stops polling and exits "
            f"with code {CONFLICT_EXIT_CODE} if the conflict lasts {watch.stop_after:.0f} s",
        )
    elif verdict == watch.STOP:
        log.error(
            "event=conflict_stop after_s=%.0f exit_code=%d",
            watch.stop_after,
            CONFLICT_EXIT_CODE,
        )
        context.application.stop_running()


# A supervisor tells "two bots on one token" (exit 3) from a crash (1) or bad settings (2).
CONFLICT_EXIT_CODE = 3


def register_handlers(app: TgApplication, services: Services) -> None:
    """Add the gate, every handler and the error handler to the application."""
    private = PrivateChat(services)
    group = GroupChat(services)
    inline = Inline(services)
    buttons = Buttons(services)
    operators = Operators(services, private)
    edits = Edits(services)

    def g(name: str, callback: Callback) -> Callback:
        return guarded(name, callback, services)

    app.add_handler(TypeHandler(Update, make_gate(services)), group=GATE_GROUP)

    new_messages = filters.UpdateType.MESSAGE
    commands: list[tuple[str, Callback]] = [
        ("start", private.start),
        ("help", private.help),
        ("topics", private.topics),
        ("ask", private.ask),
        ("about", private.about),
        ("privacy", private.privacy),
        ("emergency", private.emergency),
        ("autoanswer", group.autoanswer),
        ("stats", operators.stats),
        ("reload", operators.reload),
        ("report", operators.report),
    ]
    for command, callback in commands:
        app.add_handler(CommandHandler(command, g(command, callback), filters=new_messages))
    app.add_handler(MessageHandler(filters.StatusUpdate.MIGRATE, g("migrate", group.migrated)))
    app.add_handler(
        MessageHandler(
            new_messages & filters.COMMAND, g("unknown_command", private.unknown_command)
        )
    )
    text_or_caption = filters.TEXT | filters.CAPTION
    app.add_handler(
        MessageHandler(
            new_messages & filters.ChatType.PRIVATE & text_or_caption,
            g("private_text", private.text),
        )
    )
    app.add_handler(
        MessageHandler(
            new_messages & filters.ChatType.PRIVATE & ~filters.StatusUpdate.ALL,
            g("private_other", private.other),
        )
    )
    app.add_handler(
        MessageHandler(
            new_messages & filters.ChatType.GROUPS & text_or_caption,
            g("group_message", group.message),
        )
    )
    app.add_handler(
        MessageHandler(
            filters.UpdateType.EDITED_MESSAGE & text_or_caption, g("edited", edits.edited)
        )
    )
    app.add_handler(CallbackQueryHandler(g("button", buttons.press)))
    app.add_handler(InlineQueryHandler(g("inline_query", inline.query)))
    app.add_handler(ChosenInlineResultHandler(g("inline_chosen", inline.chosen)))
    app.add_handler(
        ChatMemberHandler(
            g("my_chat_member", group.my_chat_member), ChatMemberHandler.MY_CHAT_MEMBER
        )
    )
    app.add_error_handler(make_error_handler(services))
