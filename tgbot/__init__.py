"""Answer bot for parents' questions about babies' jerks, twitches, myoclonus and infantile spasms.

The pure core (content, text, matching, redflags, answers) never imports telegram or aiosqlite;
the Telegram adapter and the statistics store live beside it and only call `answers.answer_for`.
"""

__version__ = "0.1.0"
