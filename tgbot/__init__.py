"""Answer bot for parents' questions about babies' jerks, twitches, myoclonus and infantile spasms.

Rooms: core/ (pure: content, text, matching, red flags, answers; never imports telegram,
aiosqlite, matplotlib, starlette or uvicorn), channels/ (the console, `ask` and telegram/, which
only call `core.answers.answer_for`), stats/ (the anonymous statistics side road) and report/
(the operator report). The import-linter contracts in pyproject.toml keep these boundaries.
"""

__version__ = "0.1.0"
