"""The month's employees as integer codes, with the working days each was in post."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from kinerja.domain import Period
from kinerja.rules.calendar import working_days
from kinerja.rules.policy import CalendarPolicy
from kinerja.rules.vectors import codes_for, day_numbers


@dataclass(frozen=True)
class Roster:
    """Employees active in the period (one row each) and the month's calendar as day numbers."""

    period: str
    employees: pd.DataFrame  # one row per nip, in code order, active in the period
    index: pd.Index  # nip -> code
    month_first: int  # day numbers (days since 1970-01-01)
    month_last: int
    workdays: np.ndarray  # sorted day numbers of the month's working days
    active_first: np.ndarray  # per employee: first day in post within the month
    active_last: np.ndarray  # per employee: last day in post within the month
    workdays_expected: np.ndarray  # per employee: working days in post this month

    @property
    def size(self) -> int:
        return len(self.index)

    def codes(self, nips: pd.Series) -> np.ndarray:
        return codes_for(nips, self.index)

    @property
    def everyone_all_month(self) -> bool:
        return bool(
            (self.active_first == self.month_first).all()
            and (self.active_last == self.month_last).all()
        )

    def active_on(self, codes: np.ndarray, days: np.ndarray) -> np.ndarray:
        """Whether each (employee code, day of this month) falls within the post dates."""
        if self.everyone_all_month:
            return np.ones(len(codes), dtype=bool)
        return (days >= self.active_first[codes]) & (days <= self.active_last[codes])

    def is_workday(self, days: np.ndarray) -> np.ndarray:
        pos = np.searchsorted(self.workdays, days)
        pos = np.minimum(pos, max(len(self.workdays) - 1, 0))
        if not len(self.workdays):
            return np.zeros(len(days), dtype=bool)
        return self.workdays[pos] == days


def _day(d: date) -> int:
    return (d - date(1970, 1, 1)).days


def build_roster(period: str, employees: pd.DataFrame, cal: CalendarPolicy) -> Roster:
    """Keep employees in post at some point of the month; a duplicated NIP is an error."""
    first, last = Period.parse(period).bounds()
    month_first, month_last = _day(first), _day(last)
    if employees["nip"].duplicated().any():
        dup = employees.loc[employees["nip"].duplicated(), "nip"].astype(str).unique()[:5]
        raise ValueError(f"employees: NIP listed more than once: {', '.join(dup)}")
    start = _fill_days(employees["start_date"], month_first)
    end = _fill_days(employees["end_date"], month_last)
    keep = (start <= month_last) & (end >= month_first) & (start <= end)
    emp = employees.loc[keep].reset_index(drop=True)
    active_first = np.maximum(start[keep], month_first)
    active_last = np.minimum(end[keep], month_last)
    workdays = np.array([_day(d) for d in working_days(period, cal)], dtype=np.int64)
    expected = np.searchsorted(workdays, active_last, side="right") - np.searchsorted(
        workdays, active_first, side="left"
    )
    index = pd.Index(emp["nip"].astype(str).to_numpy())
    return Roster(
        period=period,
        employees=emp,
        index=index,
        month_first=month_first,
        month_last=month_last,
        workdays=workdays,
        active_first=active_first,
        active_last=active_last,
        workdays_expected=expected.astype(np.int64),
    )


def _fill_days(values: pd.Series, default: int) -> np.ndarray:
    """Day numbers of a date column; missing dates take `default` (open start or end)."""
    parsed = pd.to_datetime(values, errors="coerce")
    days = day_numbers(parsed)
    return np.where(parsed.isna().to_numpy(), default, days)
