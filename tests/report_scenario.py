"""A known, scripted set of questions and feedback for the report tests, and its figures.

Written through the statistics' public API (StatsRecorder with a fixed clock), so the report
is checked against what the bot would really store. EXPECTED_* are worked out by hand from
SCRIPT below, not computed by the code under test.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from tgbot.core.answers import Outcome
from tgbot.core.model import Level
from tgbot.stats.events import AskPath, Channel
from tgbot.stats.recorder import StatsRecorder
from tgbot.stats.testing import FakeClock, make_answer

# The report is made at NOW for the last DAYS days: 4 to 10 March 2025 (UTC).
NOW = datetime(2025, 3, 10, 18, 0, tzinfo=UTC)
DAYS = 7
FIRST_DAY = date(2025, 3, 4)
CONTENT_VERSION = "en:abc123def456"

PRAM = "What is the best pram?"
# A parent typing markup: the page must show it as text, never run or load it. (A <script>
# tag cannot survive the scrubber, "script" is no common word: <b> can.)
SCRIPT_TEXT = "<b>is it normal</b> for my baby to twitch at night?"
TWITCHY = "twitchy baby arms?"


@dataclass(frozen=True, slots=True)
class Asked:
    """One scripted question: when, who (a Telegram user id), what the bot made of it."""

    at: datetime
    user: int
    question: str
    topic: str | None = None
    outcome: Outcome | None = None
    level: Level | None = None
    concepts: tuple[str, ...] = ()
    suggestions: tuple[str, ...] = ()
    helpful: bool | None = None  # the 👍/👎 given on the answer, if any


def _at(day: int, hour: int) -> datetime:
    return datetime(2025, 3, day, hour, 0, tzinfo=UTC)


SCRIPT: tuple[Asked, ...] = (
    # Before the period: must not count anywhere.
    Asked(_at(2, 10), 1, "why does she twitch", "sleep-twitching"),
    # 5 March: 4 questions, 3 askers.
    Asked(_at(5, 9), 1, "why does my baby twitch asleep", "sleep-twitching", helpful=True),
    Asked(_at(5, 10), 2, "twitching in sleep", "sleep-twitching", helpful=True),
    Asked(_at(5, 11), 3, PRAM),
    Asked(_at(5, 12), 1, "newborn shaking chin", "newborn-jitters"),
    # 6 March: 3 questions (one emergency, one with suggestions), 2 askers.
    Asked(
        _at(6, 8),
        1,
        "jerks in clusters on waking",
        "infantile-spasms",
        level=Level.EMERGENCY,
        concepts=("spasm-clusters",),
        helpful=False,
    ),
    Asked(_at(6, 9), 4, TWITCHY, suggestions=("sleep-twitching", "newborn-jitters")),
    Asked(_at(6, 10), 4, "is jitteriness normal", "newborn-jitters", helpful=True),
    # 8 March: 4 questions (one urgent), 3 askers.
    Asked(_at(8, 7), 5, PRAM),
    Asked(_at(8, 8), 6, SCRIPT_TEXT),
    Asked(
        _at(8, 9),
        7,
        "twitching with a fever",
        "sleep-twitching",
        level=Level.URGENT,
        concepts=("fever",),
    ),
    Asked(_at(8, 10), 7, "twitches again tonight", "sleep-twitching", helpful=False),
    # 10 March: 5 questions (one emergency, one urgent, one unreadable), 5 askers.
    Asked(_at(10, 8), 8, "sleep jerks", "sleep-twitching"),
    Asked(_at(10, 9), 9, PRAM),
    Asked(_at(10, 10), 2, "???", outcome=Outcome.EMPTY),
    Asked(
        _at(10, 11),
        10,
        "stiffening in clusters",
        "infantile-spasms",
        level=Level.EMERGENCY,
        concepts=("spasm-clusters",),
    ),
    Asked(
        _at(10, 12),
        11,
        "when to call the doctor, she has a fever",
        "when-to-see-doctor",
        level=Level.URGENT,
        concepts=("fever",),
    ),
)

# (day, questions, answered, suggested, unanswered, emergency, urgent, askers)
EXPECTED_DAYS: tuple[tuple[str, int, int, int, int, int, int, int], ...] = (
    ("2025-03-04", 0, 0, 0, 0, 0, 0, 0),
    ("2025-03-05", 4, 3, 0, 1, 0, 0, 3),
    ("2025-03-06", 3, 2, 1, 0, 1, 0, 2),
    ("2025-03-07", 0, 0, 0, 0, 0, 0, 0),
    ("2025-03-08", 4, 2, 0, 2, 0, 1, 3),
    ("2025-03-09", 0, 0, 0, 0, 0, 0, 0),
    ("2025-03-10", 5, 3, 0, 2, 1, 1, 5),
)
EXPECTED_QUESTIONS = 16
EXPECTED_ANSWERED = 10
EXPECTED_UNANSWERED = 5
EXPECTED_EMERGENCY = 2
EXPECTED_URGENT = 2
EXPECTED_TOP_TOPICS = (
    ("sleep-twitching", 5),
    ("infantile-spasms", 2),  # ties are listed by topic id
    ("newborn-jitters", 2),
    ("when-to-see-doctor", 1),
)
# (topic, 👍, 👎, share shown)
EXPECTED_FEEDBACK = (
    ("sleep-twitching", 2, 1, "67\u202f%"),
    ("infantile-spasms", 0, 1, "0\u202f%"),
    ("newborn-jitters", 1, 0, "100\u202f%"),
)
# Texts are kept for the fallback and for suggestions, not for unreadable messages.
EXPECTED_UNANSWERED_TEXTS = ((PRAM, 3), (SCRIPT_TEXT, 1), (TWITCHY, 1))


async def write_scenario(db_path: Path) -> None:
    """Record SCRIPT into a new database at db_path through StatsRecorder, then close it."""
    clock = FakeClock(SCRIPT[0].at)
    recorder = StatsRecorder(db_path, clock=clock, flush_interval=0.01)
    await recorder.start()
    try:
        for asked in SCRIPT:
            clock.set(asked.at)
            answer = make_answer(
                asked.question,
                topic=asked.topic,
                outcome=asked.outcome,
                level=asked.level,
                concepts=asked.concepts,
                suggestions=asked.suggestions,
            )
            event_id = recorder.record_answer(
                answer, channel=Channel.PRIVATE, path=AskPath.FREE_TEXT, user_id=asked.user
            )
            if asked.helpful is not None:
                recorder.record_feedback(event_id, asked.helpful, voter_id=asked.user)
    finally:
        await recorder.stop()


async def write_one_day(db_path: Path, day: date) -> None:
    """Three questions on one day: two answered (one urgent) and one fallback, two askers."""
    clock = FakeClock(datetime(day.year, day.month, day.day, 9, tzinfo=UTC))
    recorder = StatsRecorder(db_path, clock=clock, flush_interval=0.01)
    await recorder.start()
    try:
        for user, question, topic, level in (
            (1, "why does my baby twitch", "sleep-twitching", None),
            (1, "twitching and a fever", "sleep-twitching", Level.URGENT),
            (2, PRAM, None, None),
        ):
            answer = make_answer(
                question, topic=topic, level=level, concepts=("fever",) if level else ()
            )
            recorder.record_answer(
                answer, channel=Channel.GROUP, path=AskPath.ASK_COMMAND, user_id=user
            )
    finally:
        await recorder.stop()
