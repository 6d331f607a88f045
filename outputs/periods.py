"""Period arithmetic on 'YYYY-MM' codes (kinerja.domain.Period parses and bounds them)."""

from __future__ import annotations

from datetime import date

from kinerja.domain import Period


def parse(period: str) -> tuple[int, int]:
    """'2025-10' -> (2025, 10); anything else is a ValueError naming the value and the fix."""
    month = Period.parse(period)
    return month.year, month.month


def bounds(period: str) -> tuple[date, date]:
    """First and last day of the month."""
    return Period.parse(period).bounds()


def shift(period: str, months: int) -> str:
    """The period `months` later (negative: earlier)."""
    year, month = parse(period)
    index = year * 12 + (month - 1) + months
    return str(Period(index // 12, index % 12 + 1))


def next_period(period: str) -> str:
    return shift(period, 1)


def previous(period: str, count: int) -> list[str]:
    """The `count` periods ending with `period`, oldest first."""
    return [shift(period, -i) for i in range(count - 1, -1, -1)]
