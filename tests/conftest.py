"""Shared fixtures for the Telegram layer's tests: a small content pack, an offline Bot API,
and the real Application (handlers, rate limiter, error handler) driven update by update.

The content pack copies the real texts, red flags and interface texts and adds five small
topics of its own, so handler tests do not move when the curated topics are edited.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from telegram import Update
from telegram.ext import ContextTypes
from tgfakes import TOKEN, RecordingRequest, RecordingStats

from tgbot.channels.telegram.app import build_application, build_services
from tgbot.channels.telegram.handlers import TgApplication
from tgbot.channels.telegram.state import Services
from tgbot.config import Settings
from tgbot.core.answers import answer_for
from tgbot.core.content import DEFAULT_CONTENT_DIR, ContentLibrary, ContentPack, load_content
from tgbot.core.model import Level
from tgbot.core.redflags import RedFlagRules, compile_rules
from tgbot.core.yamlsrc import LineMap, load_yaml

# As the launcher does at start: PTB's opt-in to timedelta durations, so a flood wait does not
# raise a deprecation warning (an error under filterwarnings=error).
os.environ.setdefault("PTB_TIMEDELTA", "1")

FIXTURE_TOPICS: dict[str, dict[str, Any]] = {
    "sleep-twitching": {
        "title": "Why babies twitch in their sleep",
        "summary": "Twitches in active sleep are normal.",
        "questions": [
            "Why does my baby twitch in her sleep?",
            "Is it normal for a baby to jerk while sleeping?",
            "My son's arms twitch when he is asleep",
            "Baby twitching during sleep",
            "Why do sleeping babies jerk their legs?",
            "Sleep twitches in infants",
        ],
        "keywords": ["sleep twitching", "twitch asleep"],
        "related": ["newborn-jitters", "when-to-see-doctor"],
        "red_flag": "false",
        "body": (
            "Short twitches during **active sleep** are normal & common: they last < 1 second.\n\n"
            "What is typical:\n"
            "- small jerks of arms, legs or face\n"
            "- they stop when your baby wakes up\n\n"
            'Scientists think they help the brain learn about the body (see "<sleep> studies").'
        ),
    },
    "newborn-jitters": {
        "title": "Jittery movements in newborns",
        "questions": [
            "Is it normal for my newborn to be jittery?",
            "Why does my newborn tremble?",
            "Newborn chin quivering",
            "My newborn shakes when crying",
            "Jittery newborn baby",
            "Do newborn jitters go away?",
        ],
        "keywords": ["jitters", "jittery", "trembling"],
        "related": ["sleep-twitching"],
        "red_flag": "false",
        "body": "Jitters are common in the first weeks and fade on their own.",
    },
    "infantile-spasms": {
        "title": "What infantile spasms look like",
        "questions": [
            "What do infantile spasms look like?",
            "What is West syndrome?",
            "Baby bends forward suddenly in clusters",
            "Are clusters of jerks infantile spasms?",
            "How can I tell if my baby has spasms?",
            "At what age do infantile spasms start?",
        ],
        "keywords": ["infantile spasms", "west syndrome"],
        "related": ["when-to-see-doctor"],
        "red_flag": "true",
        "body": "Infantile spasms are a rare kind of seizure. **See a doctor urgently.**",
    },
    "when-to-see-doctor": {
        "title": "When to see a doctor about jerks",
        "questions": [
            "When should I take my baby to a doctor about jerks?",
            "Which jerks are a warning sign?",
            "Should I worry about my baby's jerks?",
            "When are baby twitches not normal?",
            "Red flags for jerky movements in babies",
            "When to call a doctor for baby twitching",
        ],
        "keywords": ["doctor", "warning signs"],
        "related": ["seizure-first-aid"],
        "red_flag": "false",
        "body": "See a doctor soon if jerks come in clusters, with fever, or on one side only.",
    },
    "seizure-first-aid": {
        "title": "What to do during a seizure",
        "questions": [
            "What do I do if my baby is having a seizure?",
            "Seizure first aid for babies",
            "How do I help my baby during a fit?",
            "What to do when a baby has a convulsion",
            "First aid baby seizure",
            "My baby is having a fit, what should I do?",
        ],
        "keywords": ["first aid", "seizure help"],
        "related": ["when-to-see-doctor"],
        "red_flag": "false",
        "body": "Stay calm, lay your baby on their side and note the time.",
    },
}

SOURCE = (
    '  - title: "Fixture source"\n    url: https://example.org/source?a=1&b=2\n'
    '  - title: "NHS fixture page"\n    url: https://www.nhs.uk/conditions/fixture/\n'
)


def write_fixture_content(root: Path) -> Path:
    """A valid pack under root: the real shared texts plus the fixture topics."""
    (root / "topics").mkdir(parents=True, exist_ok=True)
    for name in ("texts.yaml", "red_flags.yaml", "ui.yaml", "synonyms.yaml"):
        if (DEFAULT_CONTENT_DIR / name).is_file():
            shutil.copy(DEFAULT_CONTENT_DIR / name, root / name)

    (root / "content.yaml").write_text(
        "language: en\nname: English\nred_flag_topic: when-to-see-doctor\n"
        'emergency_number: "112"\n',
        encoding="utf-8",
    )
    for topic_id, t in FIXTURE_TOPICS.items():
        lines = ["---", f"id: {topic_id}", f"title: {t['title']}"]
        if "summary" in t:
            lines.append(f"summary: {t['summary']}")
        lines.append("questions:")
        lines += [f'  - "{q}"' for q in t["questions"]]
        lines.append("keywords:")
        lines += [f"  - {k}" for k in t["keywords"]]
        lines.append("related: [" + ", ".join(t["related"]) + "]")
        lines.append(f"red_flag: {t['red_flag']}")
        lines.append("sources:")
        lines.append(SOURCE.rstrip("\n"))
        lines.append("reviewed: 2025-01-01")
        lines.append("reviewed_by: A test editor")
        lines.append("next_review: 2026-06-01")
        lines.append("---")
        lines.append(t["body"])
        (root / "topics" / f"{topic_id}.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return root


@pytest.fixture(scope="session")
def english_rules() -> RedFlagRules:
    """content/red_flags.yaml compiled alone (no language files, no topics), for the tests of
    the English rules."""
    path = DEFAULT_CONTENT_DIR / "red_flags.yaml"
    data = load_yaml(path.read_text(encoding="utf-8"))
    assert isinstance(data, LineMap)
    compiled, problems = compile_rules(data, path)
    assert not problems, "\n".join(str(p) for p in problems)
    assert compiled is not None
    return compiled


@pytest.fixture(scope="session")
def content_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_fixture_content(tmp_path_factory.mktemp("content"))


@pytest.fixture(scope="session")
def content_library(content_dir: Path) -> ContentLibrary:
    return load_content(content_dir)


@pytest.fixture
def pack(content_library: ContentLibrary) -> ContentPack:
    return content_library.default


# Messages whose red-flag level the tests rely on; checked against the real red-flag rules so
# a change of the rules fails here, clearly, rather than somewhere in a handler test.
EMERGENCY_TEXT = "Help, my baby stopped breathing and is jerking"
URGENT_TEXT = "Could these be infantile spasms?"


@pytest.fixture
def emergency_text(pack: ContentPack) -> str:
    assert answer_for(EMERGENCY_TEXT, pack).level is Level.EMERGENCY
    return EMERGENCY_TEXT


@pytest.fixture
def urgent_text(pack: ContentPack) -> str:
    assert answer_for(URGENT_TEXT, pack).level is Level.URGENT
    return URGENT_TEXT


@dataclass
class Harness:
    """The application under test, its offline Bot API, statistics and any handler errors."""

    app: TgApplication
    api: RecordingRequest
    stats: RecordingStats
    services: Services
    errors: list[BaseException] = field(default_factory=list)

    async def send(self, data: dict[str, Any]) -> None:
        """Deliver one update (Bot API JSON) to the bot and wait until it is handled and the
        replies it queued were sent (or given up)."""
        await self.app.process_update(Update.de_json(data, self.app.bot))
        assert await self.services.outbox.drain(within=60.0), "the outbox did not drain"


def make_settings(tmp_path: Path, content_dir: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "token": TOKEN,
        "content_dir": content_dir,
        "stats_db_path": tmp_path / "stats.sqlite3",
        "group_settings_path": tmp_path / "groups.json",
        "operator_ids": frozenset({4242}),
    }
    values.update(overrides)
    return Settings(**values)


@pytest.fixture
def settings(tmp_path: Path, content_dir: Path) -> Settings:
    return make_settings(tmp_path, content_dir)


@pytest.fixture
def api() -> RecordingRequest:
    return RecordingRequest()


@pytest.fixture
async def harness(
    settings: Settings, content_library: ContentLibrary, api: RecordingRequest
) -> AsyncIterator[Harness]:
    """The real application with an offline Bot API; a handler exception fails the test."""
    stats = RecordingStats()
    services = build_services(settings, content_library, stats=stats)
    app = build_application(settings, services, request=api, with_updater=False)
    h = Harness(app=app, api=api, stats=stats, services=services)

    async def record_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        if context.error is not None:
            h.errors.append(context.error)

    app.add_error_handler(record_error)
    async with app:
        api.clear()  # getMe from initialize is not part of any test's conversation
        yield h
        await services.outbox.close(5.0)  # as post_stop does: no worker outlives the test
    assert not h.errors, f"a handler raised: {h.errors!r}"


@pytest.fixture(scope="session")
def shipped_library() -> ContentLibrary:
    """The content the bot ships (every language pack), loaded once."""
    return load_content(DEFAULT_CONTENT_DIR)


@pytest.fixture
async def real_harness(tmp_path: Path, shipped_library: ContentLibrary) -> AsyncIterator[Harness]:
    """The real application over the shipped content (all packs) and an offline Bot API."""
    settings = make_settings(tmp_path, DEFAULT_CONTENT_DIR)
    api = RecordingRequest()
    stats = RecordingStats()
    services = build_services(settings, shipped_library, stats=stats)
    app = build_application(settings, services, request=api, with_updater=False)
    async with app:
        api.clear()
        yield Harness(app=app, api=api, stats=stats, services=services)
        await services.outbox.close(5.0)
