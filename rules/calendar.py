"""Working days: policy weekdays minus Indonesian public holidays and collective leave."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import lru_cache

import holidays

from kinerja.domain import Period
from kinerja.rules.policy import CalendarPolicy


@lru_cache(maxsize=64)
def _national_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("ID", years=year).keys())


def is_working_day(day: date, cal: CalendarPolicy) -> bool:
    """A policy weekday that is not a public holiday, collective leave or regional holiday."""
    return (
        day.weekday() in cal.workdays
        and day not in _national_holidays(day.year)
        and day not in cal.collective_leave
        and day not in cal.extra_holidays
    )


def working_days(period: str, cal: CalendarPolicy) -> list[date]:
    """Every working day of the month, in order."""
    first, last = Period.parse(period).bounds()
    days = (first + timedelta(days=i) for i in range((last - first).days + 1))
    return [d for d in days if is_working_day(d, cal)]


def add_workdays(start: datetime, n: int, cal: CalendarPolicy) -> datetime:
    """The moment `n` working days after `start`, same time of day (deadlines).

    Counting starts on the day after `start`, so a deadline of 5 working days set on a Friday
    falls on the next Friday when no holiday intervenes. n=0 returns `start` unchanged.
    """
    if n < 0:
        raise ValueError("n must be >= 0")
    current = start
    remaining = n
    while remaining:
        current += timedelta(days=1)
        if is_working_day(current.date(), cal):
            remaining -= 1
    return current
