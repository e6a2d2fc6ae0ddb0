"""Entry point: `python bot.py` runs the Telegram bot, or the local console with no token."""

import sys

from tgbot.launcher import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
