"""The blind personal-data corpus (tests/pii_corpus): what the stored-text scrubber keeps.

The sealed part is read only by this code and only aggregate figures come out of it: no test
here prints, logs or asserts on a sealed text (a failing assertion shows counts only).
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

import tgbot.stats.recorder as recorder_module
from tgbot.config import parse_settings
from tgbot.privacy_check import main as eval_privacy
from tgbot.privacy_check import stored_leaks
from tgbot.stats.privacy_eval import CorpusMessage, evaluate, load_corpus

CORPUS = Path(__file__).resolve().parent / "pii_corpus"
TOKEN = "123456:ABC-fake_test_token_XYZ"
# The opt-in scrubber's measured figure on the sealed part (SECURITY.md): it kept 1 of 198
# identifiers, which is why texts are off by default. A regression guard, never a target:
# lower it when the scrubber improves, never raise it.
SEALED_KEPT_BY_THE_OPT_IN_SCRUBBER = 1


@pytest.fixture(scope="module")
def tune() -> list[CorpusMessage]:
    return load_corpus(CORPUS / "tune.jsonl")


@pytest.fixture(scope="module")
def sealed() -> list[CorpusMessage]:
    return load_corpus(CORPUS / "sealed.jsonl")


def test_the_corpus_is_the_size_the_issue_asks_for(
    tune: list[CorpusMessage], sealed: list[CorpusMessage]
) -> None:
    messages = tune + sealed
    assert sum(len(m.identifiers) for m in messages) >= 400
    assert len({m.lang for m in messages}) >= 8


def test_the_scrubber_keeps_no_identifier_of_the_tune_part(tune: list[CorpusMessage]) -> None:
    figures = evaluate(tune)
    assert figures.identifiers == 440
    assert figures.leaks == []
    assert figures.texts_kept > 0  # it keeps texts at all: the figure above is not vacuous


def test_the_opt_in_scrubber_keeps_no_more_sealed_identifiers_than_measured(
    sealed: list[CorpusMessage],
) -> None:
    figures = evaluate(sealed)
    kept = figures.identifiers_kept  # a count only: never the texts
    assert kept <= SEALED_KEPT_BY_THE_OPT_IN_SCRUBBER, f"{kept} sealed identifiers kept"


def test_with_the_default_settings_no_sealed_identifier_reaches_disk_report_or_log(
    sealed: list[CorpusMessage], tmp_path: Path
) -> None:
    store_text = parse_settings({"TELEGRAM_BOT_TOKEN": TOKEN}).stats_store_text
    found = asyncio.run(stored_leaks(sealed, tmp_path, store_text=store_text))
    assert found.identifiers == 198
    assert (found.in_database, found.in_report, found.in_logs) == (0, 0, 0)


def test_opted_in_no_tune_identifier_reaches_disk_report_or_log(
    tune: list[CorpusMessage], tmp_path: Path
) -> None:
    found = asyncio.run(stored_leaks(tune, tmp_path, store_text="unanswered"))
    assert (found.in_database, found.in_report, found.in_logs) == (0, 0, 0)


def test_the_stored_check_finds_identifiers_a_careless_scrubber_keeps(
    tune: list[CorpusMessage], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The control: with texts kept raw, the same check must find nearly every identifier.
    monkeypatch.setattr(recorder_module, "scrub", lambda text: text)
    found = asyncio.run(stored_leaks(tune, tmp_path, store_text="unanswered"))
    assert found.in_database > 0.9 * found.identifiers
    assert found.in_report > 0
    assert found.in_logs == 0  # the recorder never logs a text, kept or not


def test_eval_privacy_prints_figures_only(capsys: pytest.CaptureFixture[str]) -> None:
    code = eval_privacy(["--parts", "tune", "sealed", "--no-store", "--show-leaks"])
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("tune    messages=227 identifiers=440 identifiers_kept=0 ")
    assert lines[1].startswith("sealed  messages=113 identifiers=198 identifiers_kept=")
    assert len(lines) == 2  # no leak listing for sealed, and nothing else
    assert code == (0 if " identifiers_kept=0 " in lines[1] else 1)
