"""Anonymous question statistics: the event model, the recorder queue, the SQLite store, reports.

Handlers only see `StatsService` (service.py); nothing here may ever hold a Telegram user id,
chat id, name, username or raw message text.
"""
