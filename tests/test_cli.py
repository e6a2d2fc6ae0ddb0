"""The command line contracts: `ask --jsonl` (used by other tools), check-content, the console."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
KEYS = {"question", "topic", "confidence", "red_flag", "suggestions", "reply"}


def env_without_token() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "TELEGRAM_BOT_TOKEN"}
    env["PYTHONIOENCODING"] = "utf-8"
    return env


def test_ask_jsonl_answers_each_line_as_soon_as_it_is_read() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "tgbot", "ask", "--jsonl"],
        cwd=REPO,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        encoding="utf-8",
        env=env_without_token(),
    )
    assert proc.stdin is not None
    assert proc.stdout is not None
    try:
        for question in ("what is myoclonus", "she is not breathing", "thanks!!"):
            proc.stdin.write(question + "\n")
            proc.stdin.flush()
            # Lockstep: the answer must arrive before the next question is sent.
            record = json.loads(proc.stdout.readline())
            assert set(record) >= KEYS
            assert record["question"] == question
    finally:
        proc.stdin.close()
        code = proc.wait(timeout=30)
        proc.stdout.close()
    assert code == 0


def test_ask_jsonl_red_flag_level_and_prompt() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "tgbot", "ask", "--jsonl"],
        cwd=REPO,
        input="my baby is not breathing\n",
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env_without_token(),
        check=True,
    ).stdout
    record = json.loads(out)
    assert record["red_flag"] == "emergency"
    assert "emergency" in record["reply"].lower()


def test_ask_json_prints_one_object() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "tgbot", "ask", "--json", "what is myoclonus"],
        cwd=REPO,
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env_without_token(),
        check=True,
    ).stdout
    assert set(json.loads(out)) >= KEYS


def test_check_content_fails_with_a_report_on_bad_content(tmp_path: Path) -> None:
    (tmp_path / "content.yaml").write_text("language: en\nflavour: mint\n")
    result = subprocess.run(
        [sys.executable, "-m", "tgbot", "check-content", str(tmp_path)],
        cwd=REPO,
        capture_output=True,
        text=True,
        env=env_without_token(),
    )
    assert result.returncode != 0
    assert "content.yaml:2: unknown field 'flavour'" in result.stdout
    assert "texts.yaml" in result.stdout


def test_check_content_passes_on_the_real_content() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "tgbot", "check-content"],
        cwd=REPO,
        capture_output=True,
        text=True,
        env=env_without_token(),
    )
    assert result.returncode == 0, result.stdout


def test_bot_without_token_starts_the_console_and_answers() -> None:
    result = subprocess.run(
        [sys.executable, "bot.py"],
        cwd=REPO,
        input="what is myoclonus\n/quit\n",
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env_without_token(),
        timeout=60,
    )
    assert result.returncode == 0
    assert "TELEGRAM_BOT_TOKEN" in result.stdout
    assert "not a diagnosis" in result.stdout


def test_bot_refuses_to_start_on_invalid_content(tmp_path: Path) -> None:
    (tmp_path / "content.yaml").write_text("language: en\n")
    env = env_without_token() | {"CONTENT_DIR": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "bot.py", "--console"],
        cwd=REPO,
        input="",
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert result.returncode != 0
    assert "texts.yaml" in result.stderr


@pytest.mark.parametrize("payload", ["", "\x00\x01\x02", "🙂" * 2000, "<b>hi</b> & {0} %s"])
def test_ask_jsonl_survives_hostile_lines(payload: str) -> None:
    out = subprocess.run(
        [sys.executable, "-m", "tgbot", "ask", "--jsonl"],
        cwd=REPO,
        input=payload + "\n",
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env_without_token(),
        check=True,
    ).stdout
    record = json.loads(out)
    assert record["reply"]
