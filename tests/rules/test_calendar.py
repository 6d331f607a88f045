"""Working days follow the policy weekdays, Indonesian holidays and collective leave."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from kinerja.domain import Period
from kinerja.rules.calendar import add_workdays, working_days
from kinerja.rules.policy import CalendarPolicy, load_policy


@pytest.fixture
def cal() -> CalendarPolicy:
    return load_policy("jabar").calendar


def test_october_2025_has_23_working_days(cal: CalendarPolicy) -> None:
    days = working_days("2025-10", cal)
    assert len(days) == 23
    assert all(d.weekday() < 5 for d in days)


def test_april_2025_drops_eid_holidays_and_collective_leave(cal: CalendarPolicy) -> None:
    days = working_days("2025-04", cal)
    # 22 weekdays minus Eid (1 Apr), Good Friday (18 Apr) and cuti bersama 2, 3, 4 and 7 Apr.
    assert len(days) == 16
    for off in (date(2025, 4, 1), date(2025, 4, 2), date(2025, 4, 7), date(2025, 4, 18)):
        assert off not in days
    assert days[0] == date(2025, 4, 8)


def test_extra_holidays_and_six_day_week_are_configurable(cal: CalendarPolicy) -> None:
    regional = cal.model_copy(update={"extra_holidays": [date(2025, 10, 1)]})
    assert len(working_days("2025-10", regional)) == 22
    six_days = cal.model_copy(update={"workdays": [0, 1, 2, 3, 4, 5]})
    assert len(working_days("2025-10", six_days)) == 23 + 4  # four Saturdays


def test_add_workdays_skips_weekends_and_holidays(cal: CalendarPolicy) -> None:
    assert add_workdays(datetime(2025, 10, 3, 10, 0), 5, cal) == datetime(2025, 10, 10, 10, 0)
    # 28 Mar is cuti bersama; 31 Mar-1 Apr Eid; 2-4 and 7 Apr cuti bersama.
    assert add_workdays(datetime(2025, 3, 27, 9, 0), 2, cal) == datetime(2025, 4, 9, 9, 0)
    assert add_workdays(datetime(2025, 10, 3, 10, 0), 0, cal) == datetime(2025, 10, 3, 10, 0)


def test_bad_period_is_rejected() -> None:
    with pytest.raises(ValueError, match="YYYY-MM"):
        Period.parse("2025-13").bounds()
    assert Period.parse("2024-02").bounds() == (date(2024, 2, 1), date(2024, 2, 29))
