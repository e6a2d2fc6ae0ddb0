"""Settings: read once from the environment (and .env), validated with messages that name the
variable and never show a secret."""

from __future__ import annotations

from pathlib import Path

import pytest

from tgbot.config import (
    DEFAULT_API_BASE_FILE_URL,
    DEFAULT_API_BASE_URL,
    SettingsError,
    load_settings,
    parse_settings,
)

TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw0"


def problems(env: dict[str, str]) -> list[str]:
    with pytest.raises(SettingsError) as info:
        parse_settings(env)
    return info.value.problems


def test_no_token_means_no_telegram_bot() -> None:
    assert parse_settings({}).token is None


def test_defaults_are_the_documented_ones() -> None:
    s = parse_settings({"TELEGRAM_BOT_TOKEN": TOKEN})
    assert (s.api_base_url, s.api_base_file_url) == (
        DEFAULT_API_BASE_URL,
        DEFAULT_API_BASE_FILE_URL,
    )
    assert s.mode == "polling"
    assert s.stats_enabled is True
    assert s.stats_db_path == Path("data/stats.sqlite3")
    assert s.stats_store_text == "none"  # no question text unless an operator opts in
    assert s.stats_retention_days == 180
    assert s.operator_ids == frozenset()
    assert s.log_level == "INFO"


def test_api_base_urls_are_passed_unchanged() -> None:
    s = parse_settings(
        {
            "TELEGRAM_API_BASE_URL": "http://127.0.0.1:8081/bot",
            "TELEGRAM_API_BASE_FILE_URL": "http://127.0.0.1:8081/file/bot",
        }
    )
    assert s.api_base_url == "http://127.0.0.1:8081/bot"
    assert s.api_base_file_url == "http://127.0.0.1:8081/file/bot"


def test_api_base_url_that_is_not_http_is_refused() -> None:
    assert any("TELEGRAM_API_BASE_URL" in p for p in problems({"TELEGRAM_API_BASE_URL": "ftp://x"}))


@pytest.mark.parametrize(
    "bad",
    [
        "12345",  # no secret
        f"bot{TOKEN}",  # copied with the URL's prefix
        f'"{TOKEN}"',  # quoted
        TOKEN.replace(":", " "),
        TOKEN + " extra",
        "123:short",
    ],
)
def test_malformed_token_is_refused_without_showing_it(bad: str) -> None:
    found = problems({"TELEGRAM_BOT_TOKEN": bad})
    assert any("TELEGRAM_BOT_TOKEN" in p and "malformed" in p for p in found)
    assert all(bad not in p and TOKEN not in p for p in found)


def test_surrounding_whitespace_of_a_token_is_forgiven() -> None:
    assert parse_settings({"TELEGRAM_BOT_TOKEN": f"  {TOKEN}\n"}).token == TOKEN


def test_repr_never_shows_the_token_the_secret_or_operator_ids() -> None:
    s = parse_settings(
        {"TELEGRAM_BOT_TOKEN": TOKEN, "WEBHOOK_SECRET": "s3cret-value", "OPERATOR_IDS": "987654"}
    )
    shown = repr(s)
    assert TOKEN not in shown
    assert "s3cret-value" not in shown
    assert "987654" not in shown


def test_webhook_mode_needs_url_and_secret() -> None:
    found = problems({"BOT_MODE": "webhook"})
    assert any("WEBHOOK_URL" in p for p in found)
    assert any("WEBHOOK_SECRET" in p for p in found)


def test_webhook_settings_are_read() -> None:
    s = parse_settings(
        {
            "BOT_MODE": "Webhook",
            "WEBHOOK_URL": "https://bot.example.org/telegram/hook",
            "WEBHOOK_SECRET": "abc_DEF-123",
            "WEBHOOK_LISTEN": "0.0.0.0",  # noqa: S104
            "WEBHOOK_PORT": "8080",
        }
    )
    assert (s.mode, s.webhook_listen, s.webhook_port) == ("webhook", "0.0.0.0", 8080)  # noqa: S104
    assert s.webhook_path == "/telegram/hook"


def test_webhook_url_must_be_https() -> None:
    assert any("WEBHOOK_URL" in p for p in problems({"WEBHOOK_URL": "http://example.org/x"}))


def test_bad_webhook_secret_is_refused_without_showing_it() -> None:
    found = problems({"WEBHOOK_SECRET": "has spaces!"})
    assert any("WEBHOOK_SECRET" in p for p in found)
    assert all("has spaces!" not in p for p in found)


def test_unknown_bot_mode_is_refused() -> None:
    assert any("BOT_MODE" in p for p in problems({"BOT_MODE": "push"}))


def test_operator_ids_are_a_comma_separated_list() -> None:
    s = parse_settings({"OPERATOR_IDS": " 111, 222 ,,333 "})
    assert s.operator_ids == frozenset({111, 222, 333})


def test_malformed_operator_id_is_refused_without_echoing_ids() -> None:
    found = problems({"OPERATOR_IDS": "111,@maria,222"})
    assert any("OPERATOR_IDS item 2" in p for p in found)
    assert all("111" not in p and "maria" not in p for p in found)


@pytest.mark.parametrize(("raw", "value"), [("off", False), ("0", False), ("Yes", True)])
def test_stats_enabled_accepts_on_off_words(raw: str, value: bool) -> None:
    assert parse_settings({"STATS_ENABLED": raw}).stats_enabled is value


def test_stats_enabled_rejects_other_words() -> None:
    assert any("STATS_ENABLED" in p for p in problems({"STATS_ENABLED": "maybe"}))


def test_stats_store_text_is_unanswered_or_none() -> None:
    assert parse_settings({"STATS_STORE_TEXT": "none"}).stats_store_text == "none"
    assert any("STATS_STORE_TEXT" in p for p in problems({"STATS_STORE_TEXT": "all"}))


@pytest.mark.parametrize("raw", ["0", "-3", "ten", "1.5"])
def test_retention_days_must_be_a_positive_whole_number(raw: str) -> None:
    assert any("STATS_RETENTION_DAYS" in p for p in problems({"STATS_RETENTION_DAYS": raw}))


def test_webhook_port_must_be_a_port_number() -> None:
    assert any("WEBHOOK_PORT" in p for p in problems({"WEBHOOK_PORT": "70000"}))


def test_rate_limiter_is_on_unless_a_benchmark_turns_it_off() -> None:
    assert parse_settings({}).rate_limited is True
    assert parse_settings({"BENCH_NO_RATE_LIMIT": "1"}).rate_limited is False
    assert any("BENCH_NO_RATE_LIMIT" in p for p in problems({"BENCH_NO_RATE_LIMIT": "maybe"}))


def test_log_level_is_checked() -> None:
    assert parse_settings({"LOG_LEVEL": "debug"}).log_level == "DEBUG"
    assert any("LOG_LEVEL" in p for p in problems({"LOG_LEVEL": "LOUD"}))


def test_missing_content_dir_is_reported(tmp_path: Path) -> None:
    assert any("CONTENT_DIR" in p for p in problems({"CONTENT_DIR": str(tmp_path / "nope")}))


def test_group_settings_live_next_to_the_statistics_database() -> None:
    s = parse_settings({"STATS_DB_PATH": "/var/lib/bot/stats.sqlite3"})
    assert s.group_settings_path == Path("/var/lib/bot/groups.json")


def test_emergency_number_is_passed_through() -> None:
    assert parse_settings({"EMERGENCY_NUMBER": "112"}).emergency_number == "112"


def test_every_problem_is_reported_in_one_go() -> None:
    found = problems({"TELEGRAM_BOT_TOKEN": "nope", "LOG_LEVEL": "x", "WEBHOOK_PORT": "y"})
    assert len(found) == 3


def test_dotenv_file_is_read_and_the_environment_wins(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text(f"TELEGRAM_BOT_TOKEN={TOKEN}\nLOG_LEVEL=DEBUG\n", encoding="utf-8")
    s = load_settings({"LOG_LEVEL": "WARNING"}, dotenv_path=env_file)
    assert s.token == TOKEN
    assert s.log_level == "WARNING"


def test_missing_dotenv_file_is_fine(tmp_path: Path) -> None:
    assert load_settings({}, dotenv_path=tmp_path / ".env").token is None
