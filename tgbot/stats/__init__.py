"""Anonymous question statistics: the event model, the recorder queue, the SQLite store, reports.

Handlers only see `StatsService` (service.py); nothing here may ever hold a Telegram user id,
chat id, name, username or raw message text.

    events.py      what one question records (Channel, AskPath, QuestionEvent, FeedbackEvent)
    service.py     the StatsService protocol handlers call, NullStats, new_event_id
    anonymize.py   daily-rotating asker tokens; the salt lives in memory only
    scrub.py       keeps a question's text only when it can be kept safely (an allow-list)
    vocabulary/    the scrubber's generated word lists (scripts/build_vocabulary.py)
    privacy_eval.py  what the scrubber keeps of a personal-data corpus (eval-privacy)
    recorder.py    StatsRecorder: bounded queue, background batch writer, retries, retention
    store.py       the SQLite file: schema, migrations, batch writes, roll-up
    queries.py     typed report queries (summaries, daily series, top lists)
    formatting.py  summaries as plain text (/stats), JSON and CSV
    cli.py         python -m tgbot stats [export]
    testing.py     a settable clock and ready-made Answers for tests
"""
