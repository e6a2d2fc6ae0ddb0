"""Anonymous asker tokens: an HMAC of the Telegram user id under a salt that rotates daily.

The salt is 32 random bytes that live in this process's memory only: never written to disk,
the database or a log, never shown by repr(), and a restart starts a new one. Telegram ids
are small enumerable numbers, so anyone holding a stored salt could recompute every token
and re-identify parents; without it, a token only says "the same asker, that UTC day".
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable
from datetime import UTC, date, datetime

__all__ = ["TOKEN_HEX_CHARS", "AskerTokens", "utc_now"]

# 64 bits: collisions among the askers of one day are negligible (birthday bound ~4e9), and
# a shorter token is no easier to reverse without the salt.
TOKEN_HEX_CHARS = 16
SALT_BYTES = 32


def utc_now() -> datetime:
    """The current time in UTC (the default clock of the statistics)."""
    return datetime.now(UTC)


class AskerTokens:
    """Turns user ids into tokens that are stable within one UTC day and unrelated across days."""

    __slots__ = ("_clock", "_day", "_mac", "_salt_source")

    def __init__(
        self,
        clock: Callable[[], datetime] = utc_now,
        *,
        salt_source: Callable[[int], bytes] = secrets.token_bytes,
    ) -> None:
        self._clock = clock
        self._salt_source = salt_source  # tests inject one that lets them look for the salt
        self._day: date | None = None
        # Keyed HMAC state; copying it per token skips re-deriving the key pads each time.
        self._mac: hmac.HMAC | None = None

    def token(self, user_id: int, *, at: datetime | None = None) -> str:
        """The asker token of user_id for the UTC day of `at` (default: now)."""
        day = (at or self._clock()).astimezone(UTC).date()
        keyed = self._mac
        if keyed is None or day != self._day:
            keyed = self._rotate(day)
        mac = keyed.copy()
        mac.update(str(int(user_id)).encode("ascii"))
        return mac.hexdigest()[:TOKEN_HEX_CHARS]

    def _rotate(self, day: date) -> hmac.HMAC:
        # The salt is held by the HMAC state only; no attribute keeps the raw bytes around.
        self._mac = hmac.new(self._salt_source(SALT_BYTES), digestmod=hashlib.sha256)
        self._day = day
        return self._mac

    @property
    def salt_day(self) -> date | None:
        """The UTC day of the current salt (None before the first token)."""
        return self._day

    def __repr__(self) -> str:
        return f"AskerTokens(salt_day={self._day})"

    def __reduce__(self) -> tuple[object, ...]:
        # Pickling would write the salt somewhere; a copy must start a salt of its own.
        raise TypeError("AskerTokens cannot be pickled: its salt never leaves memory")
