"""Period arithmetic on 'YYYY-MM' codes."""

from __future__ import annotations

import calendar
from datetime import date


def parse(period: str) -> tuple[int, int]:
    """'2025-10' -> (2025, 10); anything else is a ValueError naming the value."""
    try:
        year_s, month_s = period.split("-")
        year, month = int(year_s), int(month_s)
    except ValueError:
        raise ValueError(f"period {period!r} is not YYYY-MM") from None
    if not 1 <= month <= 12 or len(year_s) != 4:
        raise ValueError(f"period {period!r} is not YYYY-MM")
    return year, month


def bounds(period: str) -> tuple[date, date]:
    """First and last day of the month."""
    year, month = parse(period)
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def shift(period: str, months: int) -> str:
    """The period `months` later (negative: earlier)."""
    year, month = parse(period)
    index = year * 12 + (month - 1) + months
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def next_period(period: str) -> str:
    return shift(period, 1)


def previous(period: str, count: int) -> list[str]:
    """The `count` periods ending with `period`, oldest first."""
    return [shift(period, -i) for i in range(count - 1, -1, -1)]
