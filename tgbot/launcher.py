"""Start-up: load content (refusing invalid content with its report), then run the Telegram
bot when a token is set, or the local console when it is not (or with --console)."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

from tgbot.content import DEFAULT_CONTENT_DIR, ContentError, load_content


def main(argv: Sequence[str] = ()) -> int:
    force_console = "--console" in argv
    try:
        library = load_content(os.environ.get("CONTENT_DIR") or DEFAULT_CONTENT_DIR)
    except ContentError as exc:
        sys.stderr.write("Refusing to start: the content is invalid.\n" + exc.report() + "\n")
        return 2
    if force_console or not os.environ.get("TELEGRAM_BOT_TOKEN"):
        from tgbot.console import run_console

        run_console(library)
        return 0
    sys.stderr.write("The Telegram bot is not wired yet.\n")
    return 1
