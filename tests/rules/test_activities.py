"""Activities count only when approved, entered in the window, not late beyond the rules."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from tests.factories import MonthBuilder
from tests.rules.helpers import score, with_changes

# 690 minutes = 10% of the month's main target (300 minutes x 23 working days in October 2025).
TEN_PERCENT = 690.0
WORK_DAY = date(2025, 10, 10)  # a Friday


def _main_pct(mb: MonthBuilder | None = None, **activity: object) -> float:
    mb = mb or MonthBuilder()
    nip = mb.employee()
    mb.full_attendance(nip)
    work = activity.pop("work_date", WORK_DAY)
    mb.activity(nip, work, minutes=TEN_PERCENT, **activity)  # type: ignore[arg-type]
    return float(score(mb).loc[nip, "main_pct"])


@pytest.mark.parametrize(
    ("entered", "counts"),
    [
        (datetime(2025, 10, 10, 16, 10), True),  # inside the window
        (datetime(2025, 10, 10, 16, 0), True),  # window start is inclusive
        (datetime(2025, 10, 10, 17, 30), True),  # window end is inclusive
        (datetime(2025, 10, 10, 17, 45), False),  # after the window
        (datetime(2025, 10, 10, 15, 59), False),  # before the window
        (datetime(2025, 10, 11, 16, 10), True),  # Saturday: entry open
        (datetime(2025, 10, 12, 16, 10), False),  # Sunday: entry closed
        (datetime(2025, 10, 17, 16, 10), True),  # 7 days late
        (datetime(2025, 10, 18, 16, 10), False),  # 8 days late
        (datetime(2025, 10, 9, 16, 10), False),  # entered before the work was done
    ],
)
def test_entry_window_and_lateness(entered: datetime, counts: bool) -> None:
    assert _main_pct(entered_at=entered) == pytest.approx(10.0 if counts else 0.0)


def test_a_late_entry_crossing_the_month_end_does_not_count() -> None:
    entered = datetime(2025, 11, 3, 16, 10)  # 4 days after 30 Oct, but in November
    assert _main_pct(work_date=date(2025, 10, 30), entered_at=entered) == 0.0
    mb = MonthBuilder()
    mb.policy = with_changes(mb.policy, "activities", lock_at_month_end=False)
    assert _main_pct(mb, work_date=date(2025, 10, 30), entered_at=entered) == pytest.approx(10.0)


@pytest.mark.parametrize("approval", ["pending", "rejected"])
def test_unapproved_work_never_counts(approval: str) -> None:
    mb = MonthBuilder()
    nip = mb.employee()
    mb.full_attendance(nip)
    mb.activity(nip, WORK_DAY, minutes=TEN_PERCENT, approval=approval)
    row = score(mb).loc[nip]
    assert row["main_pct"] == 0.0
    assert row["activities_unapproved"] == 1


def test_incomplete_output_counts_only_when_the_policy_says_so() -> None:
    assert _main_pct(completed=False) == 0.0
    mb = MonthBuilder()
    mb.policy = with_changes(mb.policy, "activities", count_incomplete=True)
    assert _main_pct(mb, completed=False) == pytest.approx(10.0)


def test_work_dates_outside_the_month_do_not_count() -> None:
    entered = datetime(2025, 10, 1, 16, 10)
    assert _main_pct(work_date=date(2025, 9, 30), entered_at=entered) == 0.0


def test_achievement_is_capped_and_target_excludes_excused_days() -> None:
    mb = MonthBuilder()
    nip = mb.employee()
    mb.full_attendance(nip, excused_days=3)  # 20 target days remain
    mb.full_activities(nip, main_ratio=1.5, additional_ratio=0.5)
    row = score(mb).loc[nip]
    assert row["main_pct"] == pytest.approx(150.0)
    assert row["c_main_activity"] == 100.0
    assert row["c_additional_activity"] == pytest.approx(50.0)


def test_no_target_day_means_no_activity_data() -> None:
    mb = MonthBuilder()
    nip = mb.employee()
    mb.full_attendance(nip, excused_days=23)
    row = score(mb).loc[nip]
    assert row["c_main_activity"] != row["c_main_activity"]  # NaN
    assert "main_activity" in row["missing_leaves"]


def test_a_new_hire_is_measured_against_the_days_in_post_only() -> None:
    mb = MonthBuilder()
    nip = mb.employee(start=date(2025, 10, 15))
    mb.full_attendance(nip)
    mb.full_activities(nip)  # every working day from 15 October
    mb.activity(nip, date(2025, 10, 10), minutes=3000)  # before the post: ignored
    row = score(mb).loc[nip]
    assert row["workdays_expected"] == 13
    assert row["main_pct"] == pytest.approx(100.0)
    assert row["activities_invalid_entry"] == 1
