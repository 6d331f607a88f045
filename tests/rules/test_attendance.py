"""Attendance index: each tier, missing check-in/out, absences, excused days, unobserved days."""

from __future__ import annotations

from datetime import date

import pytest

from tests.factories import MonthBuilder
from tests.rules.helpers import score, with_changes


def _one(mb: MonthBuilder, **attendance: object) -> dict[str, object]:
    nip = mb.good_employee()
    mb.full_attendance(nip, **attendance)  # type: ignore[arg-type]
    return score(mb).loc[nip].to_dict()


@pytest.mark.parametrize(
    ("minutes", "deduction"),
    [(1, 0.5), (30, 0.5), (31, 1.0), (60, 1.0), (61, 1.25), (90, 1.25), (91, 1.5), (240, 1.5)],
)
def test_each_late_tier(minutes: int, deduction: float) -> None:
    row = _one(MonthBuilder(), late_minutes=[minutes])
    assert row["kehadiran"] == pytest.approx(100 - deduction)
    assert row["late_count"] == 1


@pytest.mark.parametrize(
    ("minutes", "deduction"),
    [(1, 0.5), (30, 0.5), (31, 1.0), (60, 1.0), (61, 1.25), (90, 1.25), (91, 1.5)],
)
def test_each_early_departure_tier(minutes: int, deduction: float) -> None:
    row = _one(MonthBuilder(), early_minutes=[minutes])
    assert row["kehadiran"] == pytest.approx(100 - deduction)
    assert row["early_count"] == 1


def test_lateness_adds_up_and_absence_costs_three_points_a_day() -> None:
    row = _one(MonthBuilder(), late_minutes=[10, 45, 75, 120], absent_days=2)
    assert row["kehadiran"] == pytest.approx(100 - (0.5 + 1.0 + 1.25 + 1.5) - 2 * 3.0)
    assert row["days_absent"] == 2


def test_friday_uses_its_own_end_of_day() -> None:
    mb = MonthBuilder()
    nip = mb.good_employee()
    mb.attendance = [r for r in mb.attendance if r["work_date"] not in _thu_fri()]
    mb.attend(nip, date(2025, 10, 2), check_out="16:10")  # Thursday: ends 16:00, not early
    mb.attend(nip, date(2025, 10, 3), check_out="16:10")  # Friday: ends 16:30, 20 min early
    row = score(mb).loc[nip]
    assert row["early_count"] == 1
    assert row["kehadiran"] == pytest.approx(99.5)


def _thu_fri() -> set[date]:
    return {date(2025, 10, 2), date(2025, 10, 3)}


def test_missing_check_in_and_out_cost_the_configured_tiers() -> None:
    mb = MonthBuilder()
    nip = mb.good_employee()
    day1, day2 = date(2025, 10, 1), date(2025, 10, 2)
    mb.attendance = [r for r in mb.attendance if r["work_date"] not in (day1, day2)]
    mb.attend(nip, day1, check_in=None)  # TL4: 1.5
    mb.attend(nip, day2, check_out=None)  # PSW4: 1.5
    row = score(mb).loc[nip]
    assert row["kehadiran"] == pytest.approx(97.0)
    assert (row["missing_checkin"], row["missing_checkout"]) == (1, 1)


@pytest.mark.parametrize("status", ["leave", "sick", "official_travel", "holiday"])
def test_excused_statuses_never_count(status: str) -> None:
    row = _one(MonthBuilder(), excused_days=5, excused_status=status)
    assert row["kehadiran"] == 100.0
    assert row["days_excused"] == 5


def test_a_status_the_policy_does_not_excuse_is_an_absence() -> None:
    mb = MonthBuilder()
    mb.policy = with_changes(mb.policy, "attendance", excused_statuses=["leave", "sick"])
    row = _one(mb, excused_days=2, excused_status="official_travel")
    assert row["kehadiran"] == pytest.approx(94.0)
    assert row["days_absent"] == 2


def test_a_working_day_without_any_row_is_unobserved_not_absent() -> None:
    row = _one(MonthBuilder(), unobserved_days=4)
    assert row["kehadiran"] == 100.0
    assert (row["days_observed"], row["days_absent"], row["workdays_expected"]) == (19, 0, 23)


def test_grace_minutes_forgive_small_lateness() -> None:
    mb = MonthBuilder()
    mb.policy = with_changes(mb.policy, "attendance", grace_minutes=5)
    row = _one(mb, late_minutes=[5, 6])
    assert row["late_count"] == 1
    assert row["kehadiran"] == pytest.approx(99.5)


def test_index_is_floored_at_zero() -> None:
    mb = MonthBuilder()
    mb.policy = with_changes(mb.policy, "attendance", unexcused_absence_deduction=10)
    row = _one(mb, absent_days=15)
    assert row["kehadiran"] == 0.0


def test_only_working_days_in_post_count() -> None:
    mb = MonthBuilder()
    nip = mb.good_employee(start=date(2025, 10, 13))
    mb.attend(nip, date(2025, 10, 6), status="absent")  # before the post started
    mb.attend(nip, date(2025, 10, 11), status="absent")  # a Saturday
    mb.attend(nip, date(2025, 9, 30), status="absent")  # another month
    row = score(mb).loc[nip]
    assert row["kehadiran"] == 100.0
    assert row["workdays_expected"] == 15
    assert row["days_observed"] == 15
