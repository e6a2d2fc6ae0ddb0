"""Start-up: read the settings, set up logging that never shows the token, load content
(refusing invalid content with its report), then run the Telegram bot when a token is set,
or the local console when it is not (or with --console)."""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Sequence

from tgbot.config import SettingsError, load_settings
from tgbot.core.content import ContentError, load_content
from tgbot.core.ui_texts import UI_TEXTS
from tgbot.logsafety import configure_logging

log = logging.getLogger("tgbot.launcher")


def main(argv: Sequence[str] = ()) -> int:
    force_console = "--console" in argv
    # PTB's documented opt-in to timedelta durations (RetryAfter.retry_after and others);
    # without it every flood wait also logs a deprecation warning.
    os.environ.setdefault("PTB_TIMEDELTA", "1")
    try:
        settings = load_settings()
    except SettingsError as exc:
        sys.stderr.write("Refusing to start: the settings are invalid.\n" + exc.report() + "\n")
        return 2
    configure_logging(settings.log_level, settings.secrets)
    try:
        library = load_content(
            settings.content_dir,
            emergency_number=settings.emergency_number,
            required_texts=UI_TEXTS,  # the channel's interface texts are validated too
        )
    except ContentError as exc:
        sys.stderr.write("Refusing to start: the content is invalid.\n" + exc.report() + "\n")
        return 2
    if force_console or settings.token is None:
        from tgbot.channels.console import run_console

        run_console(library)
        return 0
    from tgbot.channels.telegram.app import run_bot, startup_failure
    from tgbot.extras import MissingExtra

    log.info("event=starting mode=%s content=%s", settings.mode, library.version)
    try:
        return run_bot(settings, library)
    except MissingExtra as exc:
        sys.stderr.write(f"Refusing to start: {exc}\n")
        return 2
    except Exception as exc:
        known = startup_failure(exc, settings)
        # Logged, not left to the default hook: the traceback passes the token filter. A
        # known cause is one line; its traceback only helps at LOG_LEVEL=DEBUG.
        debug = settings.log_level == "DEBUG"
        if known is None:
            log.critical("event=fatal error=%s", type(exc).__name__, exc_info=exc)
        else:
            cause, fix = known
            log.critical(
                'event=fatal error=%s cause="%s" hint="%s"',
                type(exc).__name__,
                cause,
                fix,
                exc_info=exc if debug else None,
            )
    return 1
