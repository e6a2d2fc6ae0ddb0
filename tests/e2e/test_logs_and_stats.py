"""After a scripted run with parents who have names, usernames, phone numbers and e-mails in
their profiles and messages: the log holds no token, name, username or id; the statistics
CLI gives the exact expected counts; and the database file holds none of those values.

The run has its own bot process, stopped with SIGTERM before the checks, so the statistics
queue is flushed and the log is complete.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from fakebotapi import FakeChat, FakeUser

from e2e.harness import (
    BOT_USERNAME,
    REPO,
    TOKEN,
    Conversation,
    content_pack,
    leaks,
    running_bot,
)
from tgbot.core.answers import Answer, Outcome, answer_for
from tgbot.core.content import ContentPack
from tgbot.core.model import Level

pytestmark = pytest.mark.e2e

STATS_CLI = REPO / "tgbot" / "stats" / "cli.py"
needs_stats_cli = pytest.mark.skipif(
    not STATS_CLI.exists(), reason="tgbot/stats/cli.py (the stats helper's CLI) does not exist yet"
)

# Personal data typed into messages; none of it may reach a log or the database.
PHONE = "+44 7700 900123"
EMAIL = "bart.xylander@example.com"
CHILD_NAME = "Florentyna"


@dataclass
class ScriptedRun:
    """What the scripted run did and what it should have left behind."""

    log: str
    exit_code: int | None
    db_path: Path
    identifiers: list[str] = field(default_factory=list)
    chat_ids: list[str] = field(default_factory=list)
    recorded: list[tuple[Answer, int | None]] = field(default_factory=list)
    votes: list[tuple[str | None, bool]] = field(default_factory=list)


def _identifiers(users: list[FakeUser], chats: list[FakeChat]) -> tuple[list[str], list[str]]:
    values: list[str] = []
    for user in users:
        values.extend(user.identifiers)
    chat_ids: list[str] = []
    for chat in chats:
        chat_ids.append(str(chat.id))
        bare = abs(chat.id)
        chat_ids.append(str(bare - 1_000_000_000_000 if bare > 1_000_000_000_000 else bare))
    return values, chat_ids


def _script(conv: Conversation, pack: ContentPack, run: ScriptedRun) -> None:
    """The conversation; every question the bot should record goes into run.recorded."""
    api = conv.api
    anna = api.user("Marguerite", "Quillfeather", username="mquill_e2e")
    bart = api.user("Bartholomew", "Xylander", username="bxylander_e2e")
    cleo = api.user("Cleodora", "Vantongeren", username="cleo_vtg_e2e")
    dmitri = api.user("Dmitrij", "Okonkwo-Lind", username="dokonkwo_e2e")
    zeb = api.user("Zebedee", "Quornbury", username="zquorn_e2e")
    group = api.group("Quillfeather family group")
    seeing = api.group("Xylander street parents")
    api.set_member_status(seeing, api.bot, "administrator")

    def record(text: str, user: FakeUser, topic_id: str | None = None) -> Answer:
        answer = answer_for(text, pack, topic_id=topic_id)
        run.recorded.append((answer, user.id))
        return answer

    # Private questions, one with the parent's own name in it.
    first_text = f"Hi, I'm {anna.first_name}: why does my baby twitch in her sleep?"
    first = conv.ask(anna, first_text)
    first_answer = record(first_text, anna)
    record_q = "what do infantile spasms look like?"
    conv.ask(anna, f"/ask {record_q}")
    record(record_q, anna)
    emergency = "my baby stopped breathing during the jerks, what do I do?"
    conv.ask(anna, emergency)
    record(emergency, anna)
    # A vote on the first answer.
    query = api.press_button(anna, first, text=pack.text("feedback_yes"))
    api.wait_for(lambda: api.callback_answer(query), timeout=10, what="the vote's answer")
    run.votes.append((first_answer.topic_id, True))

    # Personal data in an unanswerable message: with the default settings no text is kept
    # (test_stored_texts.py opts texts in).
    pii = (
        f"Call me on {PHONE} or mail {EMAIL}, my daughter {CHILD_NAME} "
        f"(@{bart.username}) does a strange thing with her toes"
    )
    conv.ask(bart, pii)
    record(pii, bart)
    # A deep link, voted down.
    deep = conv.ask(bart, "/start infantile-spasms")
    deep_answer = record("", bart, topic_id="infantile-spasms")
    query = api.press_button(bart, deep, text=pack.text("feedback_no"))
    api.wait_for(lambda: api.callback_answer(query), timeout=10, what="the vote's answer")
    run.votes.append((deep_answer.topic_id, False))

    # A group: one addressed question, and chatter privacy mode keeps from the bot.
    group_q = "why does my baby twitch asleep?"
    asked = api.send_text(cleo, f"/ask@{BOT_USERNAME} {group_q}", chat=group)
    conv.reply_to(asked)
    record(group_q, cleo)
    api.send_text(cleo, f"my number is {PHONE}, call me", chat=group)
    # A group where the bot sees everything: chatter it must ignore, and not record.
    mark = api.mark()
    api.send_text(zeb, f"I'm {zeb.first_name} {zeb.last_name}, anyone free tomorrow?", chat=seeing)
    conv.assert_silent_since(zeb, seeing, mark)

    # Inline: a query, then the result the user chose (only that is recorded).
    query_id = api.inline_query(dmitri, "infantile spasms")
    api.wait_for(lambda: api.inline_answer(query_id), timeout=10, what="the inline answer")
    mark = api.mark()
    api.push_update(
        {
            "chosen_inline_result": {
                "result_id": "a:infantile-spasms",
                "from": dmitri.to_dict(),
                "query": "infantile spasms",
                "inline_message_id": "AgAAAFakeInlineMsg1",
            }
        }
    )
    api.wait_for_call("editMessageReplyMarkup", since=mark, timeout=10)
    record("infantile spasms", dmitri, topic_id="infantile-spasms")

    # The operator reads the figures (not a question: not recorded).
    conv.ask(conv.operator, "/stats")

    run.identifiers, run.chat_ids = _identifiers(
        [anna, bart, cleo, dmitri, zeb, conv.operator],
        [group, seeing, *(api.private_chat(u) for u in (anna, bart, cleo, dmitri, zeb))],
    )
    run.identifiers += [PHONE, PHONE.replace(" ", ""), EMAIL, CHILD_NAME]


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> ScriptedRun:
    workdir = tmp_path_factory.mktemp("e2e-privacy")
    pack = content_pack()
    with running_bot(workdir) as conv:
        result = ScriptedRun(log="", exit_code=None, db_path=conv.bot.db_path)
        _script(conv, pack, result)
        result.exit_code = conv.bot.stop()
        result.log = conv.bot.log_text()
    return result


# --------------------------------------------------------------------- the log


def test_the_log_never_shows_the_token_or_its_secret(run: ScriptedRun) -> None:
    secret = TOKEN.split(":", 1)[1]
    assert run.log
    assert TOKEN not in run.log
    assert secret not in run.log


def test_the_log_never_shows_a_name_username_or_user_id(run: ScriptedRun) -> None:
    assert leaks(run.log, run.identifiers) == []


def test_the_log_never_shows_a_chat_id(run: ScriptedRun) -> None:
    assert leaks(run.log, run.chat_ids) == []


def test_the_log_has_no_unexpected_errors(run: ScriptedRun) -> None:
    assert "event=error" not in run.log
    assert "Traceback" not in run.log


def test_the_bot_stops_cleanly_on_sigterm(run: ScriptedRun) -> None:
    assert run.exit_code == 0
    assert "event=stopped" in run.log


# --------------------------------------------------------------------- the statistics


@pytest.fixture(scope="module")
def report(run: ScriptedRun) -> dict[str, Any]:
    if not STATS_CLI.exists():
        pytest.skip("tgbot/stats/cli.py (the stats helper's CLI) does not exist yet")
    completed = subprocess.run(
        [sys.executable, "-m", "tgbot", "stats", "--format", "json", "--db", str(run.db_path)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    data: dict[str, Any] = json.loads(completed.stdout)
    return data


@pytest.fixture(scope="module")
def last_week(report: dict[str, Any]) -> dict[str, Any]:
    week: dict[str, Any] = next(w for w in report["windows"] if w["days"] == 7)
    return week


@needs_stats_cli
def test_stats_count_every_recorded_question_and_nothing_else(
    run: ScriptedRun, last_week: dict[str, Any]
) -> None:
    assert last_week["questions"] == len(run.recorded)


@needs_stats_cli
def test_stats_split_questions_by_outcome(run: ScriptedRun, last_week: dict[str, Any]) -> None:
    outcomes = Counter(a.outcome for a, _ in run.recorded)
    assert last_week["answered"] == outcomes[Outcome.ANSWERED]
    assert last_week["suggested"] == outcomes[Outcome.SUGGESTED]
    assert last_week["unanswered"] == outcomes[Outcome.FALLBACK] + outcomes[Outcome.EMPTY]


@needs_stats_cli
def test_stats_count_red_flags_by_level(run: ScriptedRun, last_week: dict[str, Any]) -> None:
    levels = Counter(a.level for a, _ in run.recorded)
    assert last_week["emergency"] == levels[Level.EMERGENCY]
    assert last_week["urgent"] == levels[Level.URGENT]


@needs_stats_cli
def test_stats_count_distinct_askers_today(run: ScriptedRun, last_week: dict[str, Any]) -> None:
    askers = {user_id for _, user_id in run.recorded if user_id is not None}
    # The whole run happens within seconds, so on one UTC day (barring midnight).
    assert max(d["askers"] for d in last_week["daily"]) == len(askers)


@needs_stats_cli
def test_stats_count_top_topics(run: ScriptedRun, last_week: dict[str, Any]) -> None:
    topics = Counter(a.topic_id for a, _ in run.recorded if a.topic_id)
    assert {t["topic"]: t["questions"] for t in last_week["top_topics"]} == dict(topics)


@needs_stats_cli
def test_stats_count_votes_per_topic(run: ScriptedRun, last_week: dict[str, Any]) -> None:
    expected: dict[str | None, list[int]] = {}
    for topic, helpful in run.votes:
        counts = expected.setdefault(topic, [0, 0])
        counts[0 if helpful else 1] += 1
    got = {f["topic"]: [f["helpful"], f["unhelpful"]] for f in last_week["feedback"]}
    assert got == expected


@needs_stats_cli
def test_stats_dropped_no_events(report: dict[str, Any]) -> None:
    assert report["dropped_events"] == 0


@needs_stats_cli
def test_the_database_files_hold_no_identifier(run: ScriptedRun) -> None:
    files = sorted(run.db_path.parent.glob(run.db_path.name + "*"))
    assert run.db_path in files
    found_by_file: dict[str, list[str]] = {}
    for path in files:
        content = path.read_bytes().decode("utf-8", errors="replace")
        found = leaks(content, [*run.identifiers, *run.chat_ids, TOKEN])
        if found:
            found_by_file[path.name] = found
    assert found_by_file == {}


def test_other_files_the_bot_wrote_hold_no_personal_data(run: ScriptedRun) -> None:
    # Group settings may key on a chat id (and nothing more); everything else holds none.
    others = [
        p
        for p in run.db_path.parent.iterdir()
        if p.is_file() and not p.name.startswith(run.db_path.name)
    ]
    found_by_file = {
        p.name: found
        for p in others
        if (found := leaks(p.read_text(errors="replace"), [*run.identifiers, TOKEN]))
    }
    assert found_by_file == {}
