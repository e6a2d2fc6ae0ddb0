"""Operator commands in private chats: /stats (figures and a chart), /report (the HTML page)
and /reload (content).

Only user ids in OPERATOR_IDS may run them, in a private chat, with a message they typed
(not forwarded, not sent through an inline bot). Anyone else gets exactly the reply an
unknown command gets, so the commands' existence is not revealed.
"""

from __future__ import annotations

import functools
import logging

from telegram import Message, Update
from telegram.constants import ChatType
from telegram.ext import ContextTypes

from tgbot.channels.telegram.delivery import pack_for, reply_html, reply_text
from tgbot.channels.telegram.private import PrivateChat
from tgbot.channels.telegram.render import Segment, markup_blocks, split_html
from tgbot.channels.telegram.state import Services
from tgbot.core.content import ContentError
from tgbot.extras import MissingExtra
from tgbot.report import build_report_html, build_stats_chart_png

__all__ = ["Operators", "is_operator_message"]

log = logging.getLogger("tgbot.operator")

# The chart and the report cover the longer of /stats' two periods.
CHART_DAYS = 30


def is_operator_message(message: Message | None, operator_ids: frozenset[int]) -> bool:
    """A command an operator typed themselves in their private chat with the bot."""
    return bool(
        message is not None
        and message.chat.type == ChatType.PRIVATE
        and message.from_user is not None
        and message.from_user.id in operator_ids
        and message.sender_chat is None
        and message.forward_origin is None
        and message.via_bot is None
    )


class Operators:
    """/stats and /reload; everything else falls back to the unknown-command reply."""

    def __init__(self, services: Services, commands: PrivateChat) -> None:
        self.services = services
        self.commands = commands

    async def stats(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.message
        if message is None or not is_operator_message(message, self.services.settings.operator_ids):
            await self.commands.unknown_command(update, context)
            return
        try:
            summary = await self.services.stats.operator_summary()
        except Exception as exc:  # the store may be broken; the operator still gets a reply
            log.warning("event=stats_error op=operator_summary error=%s", type(exc).__name__)
            summary = f"Statistics are unavailable right now ({type(exc).__name__})."
        log.info("event=operator_command command=stats")
        reply_html(self.services, context, message, split_html([(Segment(summary),)]))
        settings = self.services.settings
        if not settings.stats_enabled:
            return
        try:
            png = await build_stats_chart_png(settings.stats_db_path, CHART_DAYS)
        except MissingExtra as exc:
            # A base install: the figures were sent; say (to the operator only) what to install.
            log.info("event=stats_chart_skipped reason=missing_extra extra=%s", exc.extra)
            reply_text(self.services, context, message, str(exc))
            return
        except Exception as exc:  # the figures above were sent; a chart failure is not fatal
            log.warning("event=stats_error op=chart error=%s", type(exc).__name__)
            return
        chat_id = message.chat.id
        self.services.outbox.post(
            chat_id,
            [
                functools.partial(
                    context.bot.send_photo, chat_id, photo=png, filename="questions.png"
                )
            ],
        )

    async def report(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.message
        if message is None or not is_operator_message(message, self.services.settings.operator_ids):
            await self.commands.unknown_command(update, context)
            return
        settings = self.services.settings
        pack = pack_for(self.services, update.effective_user)
        if not settings.stats_enabled:
            reply_text(self.services, context, message, pack.text("report_unavailable"))
            return
        try:
            page = await build_report_html(
                settings.stats_db_path,
                CHART_DAYS,
                content_version=self.services.content.library.version,
            )
        except MissingExtra as exc:
            log.info("event=report_skipped reason=missing_extra extra=%s", exc.extra)
            reply_text(self.services, context, message, str(exc))
            return
        except Exception as exc:
            log.warning("event=stats_error op=report error=%s", type(exc).__name__)
            reply_text(self.services, context, message, pack.text("report_unavailable"))
            return
        log.info("event=operator_command command=report")
        chat_id = message.chat.id
        send = functools.partial(
            context.bot.send_document,
            chat_id,
            document=page.encode("utf-8"),
            filename=f"report-{CHART_DAYS}d.html",
        )
        self.services.outbox.post(chat_id, [send])

    async def reload(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.message
        if message is None or not is_operator_message(message, self.services.settings.operator_ids):
            await self.commands.unknown_command(update, context)
            return
        try:
            library = await self.services.content.reload()
        except ContentError as exc:
            log.warning("event=reload result=failed problems=%d", len(exc.problems))
            pack = pack_for(self.services, update.effective_user)
            blocks = markup_blocks(pack.text("reload_failed"))
            blocks.append(
                tuple(Segment(("\n" if i else "") + str(p)) for i, p in enumerate(exc.problems))
            )
            reply_html(self.services, context, message, split_html(blocks))
            return
        log.info("event=reload result=ok version=%s", library.version)
        pack = pack_for(self.services, update.effective_user)
        text = pack.text(
            "reload_ok", topics=str(len(library.default.topics)), version=library.version
        )
        reply_text(self.services, context, message, text)
