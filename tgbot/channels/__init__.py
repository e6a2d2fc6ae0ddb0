"""Channel adapters: turn input into a call of the core and an Answer into output.

    console.py    the local console (no token needed)
    ask.py        python -m tgbot ask: one question, or a stream of JSON lines
    telegram/     the Telegram bot (python-telegram-bot)

No answering logic lives here: every channel asks `tgbot.core.answers.answer_for`.
"""
