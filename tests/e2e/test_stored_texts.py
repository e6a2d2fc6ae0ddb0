"""The real bot with question texts opted in (STATS_STORE_TEXT=unanswered): identifiers planted
in unanswered questions never reach the database file, its WAL, the /report page or the log,
while a question free of them is kept word for word (so the checks can fail).
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

import pytest

from e2e.harness import Conversation, content_pack, leaks, running_bot
from tgbot.core.answers import Outcome, answer_for

pytestmark = pytest.mark.e2e

CLEAN = "which pram is best for long walks?"
# Made-up identifiers, each planted in an unanswered question of its own.
PLANTED = {
    "my daughter Quillabeth has a pram that is too small, which is best for long walks? "
    "call 07700 900461": ["Quillabeth", "07700", "900461"],
    "which pram is best for long walks, asks mrs xylandria": ["xylandria"],
    "which pram is best for long walks? email zorbla dot quennet at gmail dot com": [
        "zorbla",
        "quennet",
    ],
    "which pram is best for long walks? we live at 14 vandermeer close": ["vandermeer"],
}


@dataclass
class Run:
    files_while_running: str
    files_after_stop: str
    report: str
    log: str
    kept_texts: list[str]


def _kept_texts(db_path: Path) -> list[str]:
    with closing(sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)) as conn:
        return [row[0] for row in conn.execute("SELECT text FROM questions_text")]


def _database_files(db_path: Path) -> str:
    files = sorted(db_path.parent.glob(db_path.name + "*"))
    return "\n".join(p.read_bytes().decode("utf-8", errors="replace") for p in files)


def _wait_until_written(db_path: Path, timeout: float = 20.0) -> list[str]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if db_path.exists():
            try:
                texts = _kept_texts(db_path)
            except sqlite3.OperationalError:  # the schema is still being created
                texts = []
            if CLEAN in texts:
                return texts
        time.sleep(0.1)
    raise AssertionError("the unanswered question was not written within the flush interval")


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Run]:
    pack = content_pack()
    for text in [CLEAN, *PLANTED]:
        assert answer_for(text, pack).outcome in (Outcome.SUGGESTED, Outcome.FALLBACK), text
    workdir = tmp_path_factory.mktemp("e2e-stored-texts")
    with running_bot(workdir, extra_env={"STATS_STORE_TEXT": "unanswered"}) as conv:
        parent = conv.api.user("Ysolde", "Brannagh", username="ysolde_e2e")
        for text in [*PLANTED, CLEAN]:
            conv.ask(parent, text)
        db_path = conv.bot.db_path
        kept = _wait_until_written(db_path)
        while_running = _database_files(db_path)
        report = _report(conv)
        conv.bot.stop()
        yield Run(while_running, _database_files(db_path), report, conv.bot.log_text(), kept)


def _report(conv: Conversation) -> str:
    api = conv.api
    mark = api.mark()
    api.send_text(conv.operator, "/report")
    document = api.wait_for_call("sendDocument", since=mark, timeout=30)
    (upload,) = document.files.values()
    return upload.data.decode("utf-8")


PLANTED_VALUES = sorted({value for values in PLANTED.values() for value in values})


def test_a_question_free_of_identifiers_is_kept_word_for_word(run: Run) -> None:
    assert CLEAN in run.kept_texts
    assert CLEAN in run.report


def test_a_planted_identifier_never_reaches_the_database_or_its_wal(run: Run) -> None:
    assert leaks(run.files_while_running, PLANTED_VALUES) == []
    assert leaks(run.files_after_stop, PLANTED_VALUES) == []
    assert leaks("\n".join(run.kept_texts), PLANTED_VALUES) == []


def test_a_planted_identifier_never_reaches_the_report(run: Run) -> None:
    assert leaks(run.report, PLANTED_VALUES) == []


def test_a_planted_identifier_never_reaches_the_log(run: Run) -> None:
    assert run.log
    assert leaks(run.log, PLANTED_VALUES) == []


def test_the_masked_name_leaves_the_rest_of_its_question(run: Run) -> None:
    assert "which pram is best for long walks, asks […]" in run.kept_texts
