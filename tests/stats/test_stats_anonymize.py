"""Specification of asker tokens: stable for a UTC day, unrelated across days, salt in memory."""

from __future__ import annotations

import pickle
import re
from datetime import UTC, datetime, timedelta

import pytest

from tgbot.stats.anonymize import TOKEN_HEX_CHARS, AskerTokens
from tgbot.stats.testing import FakeClock


def test_same_user_on_the_same_day_gets_the_same_token() -> None:
    clock = FakeClock(datetime(2025, 3, 10, 0, 5, tzinfo=UTC))
    tokens = AskerTokens(clock)
    first = tokens.token(123456789)
    clock.set(datetime(2025, 3, 10, 23, 59, tzinfo=UTC))
    assert tokens.token(123456789) == first


def test_same_user_on_the_next_day_gets_a_different_token() -> None:
    clock = FakeClock(datetime(2025, 3, 10, 23, 59, tzinfo=UTC))
    tokens = AskerTokens(clock)
    today = tokens.token(123456789)
    clock.advance(timedelta(minutes=2))
    assert tokens.token(123456789) != today


def test_different_users_get_different_tokens() -> None:
    tokens = AskerTokens(FakeClock())
    assert len({tokens.token(uid) for uid in range(1, 2001)}) == 2000


def test_the_day_is_the_utc_day_whatever_the_clock_zone() -> None:
    clock = FakeClock(datetime(2025, 3, 10, 23, 30, tzinfo=UTC))
    tokens = AskerTokens(clock)
    late_utc = tokens.token(42)
    # 01:30 in UTC+2 on the 11th is still 23:30 UTC on the 10th.
    clock.set(datetime.fromisoformat("2025-03-11T01:30:00+02:00"))
    assert tokens.token(42) == late_utc


def test_a_restart_starts_a_new_salt() -> None:
    clock = FakeClock()
    assert AskerTokens(clock).token(42) != AskerTokens(clock).token(42)


def test_token_is_short_hex_and_not_the_id() -> None:
    token = AskerTokens(FakeClock()).token(5123456789)
    assert re.fullmatch(f"[0-9a-f]{{{TOKEN_HEX_CHARS}}}", token)
    assert "5123456789" not in token


def test_the_salt_is_drawn_fresh_each_day_from_the_random_source() -> None:
    drawn: list[bytes] = []

    def source(n: int) -> bytes:
        drawn.append(bytes(range(n)) if not drawn else bytes(n))
        return drawn[-1]

    clock = FakeClock()
    tokens = AskerTokens(clock, salt_source=source)
    tokens.token(1)
    tokens.token(2)
    clock.advance(timedelta(days=1))
    tokens.token(1)
    assert len(drawn) == 2
    assert all(len(salt) == 32 for salt in drawn)


def test_repr_does_not_show_the_salt() -> None:
    tokens = AskerTokens(FakeClock(), salt_source=lambda n: b"\xab" * n)
    tokens.token(1)
    assert "ab" * 4 not in repr(tokens).lower()
    assert not hasattr(tokens, "__dict__")


def test_tokens_cannot_be_pickled() -> None:
    tokens = AskerTokens(FakeClock())
    tokens.token(1)
    with pytest.raises(TypeError):
        pickle.dumps(tokens)
