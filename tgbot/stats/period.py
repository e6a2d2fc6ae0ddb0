"""The reporting window: the last N whole UTC days, today included (statistics keep UTC days).

Pure: shared by the SQL queries and the report's data model, which must agree on it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

__all__ = ["Window", "window"]


@dataclass(frozen=True, slots=True)
class Window:
    """A run of whole UTC days, both ends included."""

    start: date
    end: date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def each_day(self) -> list[date]:
        return [self.start + timedelta(days=i) for i in range(self.days)]


def window(days: int, now: datetime) -> Window:
    """The last `days` UTC days up to and including the day of `now`."""
    if days < 1:
        raise ValueError("days must be at least 1")
    end = now.astimezone(UTC).date()
    return Window(start=end - timedelta(days=days - 1), end=end)
