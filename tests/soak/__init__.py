"""The fault-injection soak: the real bot process (`python bot.py`) against the fake Bot API
server while the server fails calls at random and the statistics database is made full,
read-only and locked.

Quick in CI (tests/soak/test_soak.py); long on demand:

    SOAK_MESSAGES=10000 SOAK_USERS=200 .venv/bin/python tests/soak
    SOAK_MESSAGES=10000 SOAK_USERS=200 .venv/bin/pytest -s tests/soak

The last line printed is the verdict:
"soak: messages=N users=U faults=F crashes=0 unanswered=0 duplicates=0 lost_events=0
identifiers_in_logs=0".
"""
