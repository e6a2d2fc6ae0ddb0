"""Starting the bot as a user would (`python bot.py`): bad settings or content are refused
with a clear report that never shows the token; without a token the console runs."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from conftest import write_fixture_content

BOT = Path(__file__).resolve().parent.parent / "bot.py"
TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw0"


def run_bot(cwd: Path, env: dict[str, str], stdin: str = "") -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "WEBHOOK_"))}
    clean.update(env)
    return subprocess.run(
        [sys.executable, str(BOT)],
        cwd=cwd,
        env=clean,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_malformed_token_is_refused_without_printing_it(tmp_path: Path, content_dir: Path) -> None:
    bad = TOKEN + " oops"
    result = run_bot(tmp_path, {"TELEGRAM_BOT_TOKEN": bad, "CONTENT_DIR": str(content_dir)})
    assert result.returncode == 2
    assert "TELEGRAM_BOT_TOKEN is malformed" in result.stderr
    assert TOKEN not in result.stderr + result.stdout


def test_invalid_content_is_refused_with_its_report(tmp_path: Path) -> None:
    broken = write_fixture_content(tmp_path / "content")
    (broken / "topics" / "sleep-twitching.md").write_text("oops\n", encoding="utf-8")
    result = run_bot(tmp_path, {"CONTENT_DIR": str(broken), "TELEGRAM_BOT_TOKEN": TOKEN})
    assert result.returncode == 2
    assert "content is invalid" in result.stderr
    assert "sleep-twitching.md:1" in result.stderr


def test_content_without_the_interface_texts_is_refused(tmp_path: Path) -> None:
    content = write_fixture_content(tmp_path / "content")
    (content / "ui.yaml").unlink()
    result = run_bot(tmp_path, {"CONTENT_DIR": str(content)})
    assert result.returncode == 2
    assert "missing text 'welcome'" in result.stderr


def test_without_a_token_the_console_runs(tmp_path: Path, content_dir: Path) -> None:
    result = run_bot(tmp_path, {"CONTENT_DIR": str(content_dir)}, stdin="/quit\n")
    assert result.returncode == 0
    assert "Console mode" in result.stdout


def test_settings_come_from_a_dotenv_file_in_the_working_folder(
    tmp_path: Path, content_dir: Path
) -> None:
    (tmp_path / ".env").write_text(f"CONTENT_DIR={content_dir}\nLOG_LEVEL=LOUD\n", encoding="utf-8")
    result = run_bot(tmp_path, {})
    assert result.returncode == 2
    assert "LOG_LEVEL" in result.stderr


def test_unreachable_api_fails_cleanly_without_leaking_the_token(
    tmp_path: Path, content_dir: Path
) -> None:
    result = run_bot(
        tmp_path,
        {
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_API_BASE_URL": "http://127.0.0.1:9/bot",
            "TELEGRAM_API_BASE_FILE_URL": "http://127.0.0.1:9/file/bot",
            "CONTENT_DIR": str(content_dir),
            "STATS_ENABLED": "off",
            "LOG_LEVEL": "DEBUG",
        },
    )
    assert result.returncode == 1
    assert "event=fatal" in result.stderr
    assert TOKEN not in result.stderr + result.stdout
    assert TOKEN.split(":")[1] not in result.stderr + result.stdout
