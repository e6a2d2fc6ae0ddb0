"""Starting the bot as a user would (`python bot.py`): bad settings or content are refused
with a clear report that never shows the token; without a token the console runs."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from conftest import write_fixture_content

REPO = Path(__file__).resolve().parent.parent
BOT = REPO / "bot.py"
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


# ---- start-up failures are one line naming the cause and the fix ----------------------------
# Against the fake Bot API on 127.0.0.1 (or a closed port there), at the default LOG_LEVEL.


def problem_lines(result: subprocess.CompletedProcess[str]) -> list[str]:
    """Every line of output that is not a routine INFO log line."""
    return [
        line
        for line in (result.stdout + result.stderr).splitlines()
        if line.strip() and " INFO " not in line and " DEBUG " not in line
    ]


def assert_one_clean_line(result: subprocess.CompletedProcess[str], *expected: str) -> str:
    assert result.returncode == 1
    output = result.stdout + result.stderr
    assert "Traceback" not in output
    [line] = problem_lines(result)
    assert "event=fatal" in line
    for part in expected:
        assert part in line
    return line


def test_a_token_telegram_rejects_is_one_line_with_the_fix(
    tmp_path: Path, content_dir: Path
) -> None:
    from fakebotapi import FakeBotApi

    with FakeBotApi("123456:ABC-fake_test_token_XYZ") as api:
        env = api.bot_env() | {"CONTENT_DIR": str(content_dir), "STATS_ENABLED": "off"}
        env["TELEGRAM_BOT_TOKEN"] = TOKEN  # well-formed, but not the bot the server knows
        result = run_bot(tmp_path, env)
    line = assert_one_clean_line(result, "401 Unauthorized", "@BotFather")
    assert TOKEN.split(":")[1] not in result.stdout + result.stderr
    assert "TELEGRAM_BOT_TOKEN" in line


def test_a_base_url_that_is_no_bot_api_is_one_line_naming_the_setting(
    tmp_path: Path, content_dir: Path
) -> None:
    from fakebotapi import FakeBotApi

    with FakeBotApi("123456:ABC-fake_test_token_XYZ") as api:
        env = api.bot_env() | {"CONTENT_DIR": str(content_dir), "STATS_ENABLED": "off"}
        env["TELEGRAM_API_BASE_URL"] = api.base_url.replace("/bot", "/api/bot")
        result = run_bot(tmp_path, env)
    assert_one_clean_line(result, "404 Not Found", "TELEGRAM_API_BASE_URL", "ending in /bot")


def test_an_unreachable_api_is_retried_then_one_line_with_the_fix(
    tmp_path: Path, content_dir: Path
) -> None:
    result = run_bot(
        tmp_path,
        {
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_API_BASE_URL": "http://127.0.0.1:9/bot",  # the discard port: closed
            "TELEGRAM_API_BASE_FILE_URL": "http://127.0.0.1:9/file/bot",
            "CONTENT_DIR": str(content_dir),
            "STATS_ENABLED": "off",
        },
    )
    assert_one_clean_line(
        result, "cannot reach the Bot API at http://127.0.0.1:9", "4 tries", "proxy"
    )


def test_at_debug_level_the_traceback_is_there_for_whoever_asked(
    tmp_path: Path, content_dir: Path
) -> None:
    from fakebotapi import FakeBotApi

    with FakeBotApi("123456:ABC-fake_test_token_XYZ") as api:
        env = api.bot_env() | {"CONTENT_DIR": str(content_dir), "STATS_ENABLED": "off"}
        env |= {"TELEGRAM_BOT_TOKEN": TOKEN, "LOG_LEVEL": "DEBUG"}
        result = run_bot(tmp_path, env)
    assert result.returncode == 1
    assert "Traceback" in result.stderr
    assert TOKEN.split(":")[1] not in result.stdout + result.stderr


# ---- a base install: no matplotlib, starlette or uvicorn -------------------------------------


def without_extras(tmp_path: Path) -> dict[str, str]:
    """PYTHONPATH with a sitecustomize that makes the extras' packages unimportable, as in a
    base install (`pip install .` without [charts] or [webhook])."""
    site = tmp_path / "no-extras"
    site.mkdir()
    (site / "sitecustomize.py").write_text(
        "import sys\n"
        "for name in ('matplotlib', 'starlette', 'uvicorn'):\n"
        "    sys.modules[name] = None  # import raises ImportError, as when not installed\n",
        encoding="utf-8",
    )
    return {"PYTHONPATH": str(site)}


def test_a_base_install_refuses_webhook_mode_in_one_line_naming_the_extra(
    tmp_path: Path, content_dir: Path
) -> None:
    env = without_extras(tmp_path) | {
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "CONTENT_DIR": str(content_dir),
        "STATS_ENABLED": "off",
        "BOT_MODE": "webhook",
        "WEBHOOK_URL": "https://bot.example.org/telegram",
        "WEBHOOK_SECRET": "s3cret-value_for-tests",
    }
    result = run_bot(tmp_path, env)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "'webhook' extra is not installed (no starlette)" in result.stderr
    assert ".[webhook]" in result.stderr


def test_a_base_install_polls_and_answers(tmp_path: Path, content_dir: Path) -> None:
    """The polling bot needs none of the extras: it starts and answers a parent."""
    from fakebotapi import FakeBotApi

    with FakeBotApi("123456:ABC-fake_test_token_XYZ", bot_username="ParentsHelpBot") as api:
        env = without_extras(tmp_path) | api.bot_env()
        env |= {"CONTENT_DIR": str(content_dir), "STATS_ENABLED": "off", "BOT_MODE": "polling"}
        clean = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "WEBHOOK_"))}
        process = subprocess.Popen(
            [sys.executable, str(BOT)],
            cwd=tmp_path,
            env=clean | env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        try:
            parent = api.user("Basia")
            mark = api.mark()
            api.send_text(parent, "why does my baby twitch in her sleep")
            reply = api.wait_for_message(api.private_chat(parent), since=mark, timeout=20)
            assert reply.text
        finally:
            process.terminate()
            output = process.communicate(timeout=20)[0].decode()
    assert "Traceback" not in output


def test_a_base_install_says_which_extra_the_report_needs(tmp_path: Path) -> None:
    from report_scenario import write_one_day  # three questions today: charts to draw

    db = tmp_path / "stats.sqlite3"
    asyncio.run(write_one_day(db, datetime.now(UTC).date()))
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "WEBHOOK_"))}
    result = subprocess.run(
        [sys.executable, "-m", "tgbot", "report", "--db", str(db), "--out", "r.html"],
        cwd=tmp_path,
        env=clean | without_extras(tmp_path) | {"PYTHONPATH": f"{tmp_path / 'no-extras'}:{REPO}"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1
    assert "'charts' extra is not installed (no matplotlib)" in result.stderr
    assert not (tmp_path / "r.html").exists()
