"""Attendance index per employee: 100 minus lateness, early-departure and absence deductions."""

from __future__ import annotations

import numpy as np
import pandas as pd

from kinerja.domain import AttendanceStatus
from rules.policy import AttendancePolicy, CalendarPolicy, Tier
from rules.roster import Roster
from rules.vectors import clock_seconds, day_numbers, group_sum, isin, time_seconds

FRIDAY = 4
# 1970-01-01 was a Thursday: weekday(day number) = (day + 3) % 7 with Monday = 0.
_EPOCH_WEEKDAY_SHIFT = 3


def weekday_of(days: np.ndarray) -> np.ndarray:
    return (days + _EPOCH_WEEKDAY_SHIFT) % 7


def tier_deduction(minutes: np.ndarray, tiers: list[Tier]) -> np.ndarray:
    """Deduction for each count of minutes (0 for minutes < 1) from contiguous tiers."""
    edges = np.array([t.from_minutes for t in tiers], dtype=np.float64)
    points = np.array([t.deduction for t in tiers], dtype=np.float64)
    pos = np.searchsorted(edges, minutes, side="right") - 1
    return np.where(pos >= 0, points[np.maximum(pos, 0)], 0.0)


def _tier_points(tiers: list[Tier], code: str) -> float:
    return next(t.deduction for t in tiers if t.code == code)


def attendance_components(
    attendance: pd.DataFrame, roster: Roster, policy: AttendancePolicy, cal: CalendarPolicy
) -> pd.DataFrame:
    """Per employee (roster order): the index and the counts behind it.

    Only rows on working days inside the employee's post dates count. A working day with no row
    at all is unobserved (a data gap), never an absence. Excused statuses never cost anything; a
    status that is neither present nor excused counts as an unexcused absence. Minutes late are
    whole minutes after work_start (seconds round up); lateness within grace_minutes is free,
    beyond it the tier of the full lateness applies. Friday uses friday_work_end.
    """
    n = roster.size
    codes = roster.codes(attendance["nip"])
    days = day_numbers(attendance["work_date"])
    keep = codes >= 0
    keep[keep] = roster.active_on(codes[keep], days[keep])
    keep &= roster.is_workday(days)
    codes, days = codes[keep], days[keep]
    status = attendance["status"][keep]
    present = isin(status, [AttendanceStatus.PRESENT.value])
    excused = isin(status, [s.value for s in policy.excused_statuses])
    absent = ~present & ~excused

    check_in = clock_seconds(attendance["check_in"][keep])
    check_out = clock_seconds(attendance["check_out"][keep])
    start_s = time_seconds(cal.work_start)
    end_s = time_seconds(cal.work_end)
    fri_end_s = time_seconds(cal.friday_work_end)
    day_end = np.where(weekday_of(days) == FRIDAY, fri_end_s, end_s)

    with np.errstate(invalid="ignore"):
        late_min = np.ceil((check_in - start_s) / 60.0)
        early_min = np.ceil((day_end - check_out) / 60.0)
    has_in = ~np.isnan(check_in)
    has_out = ~np.isnan(check_out)
    late = present & has_in & (late_min > policy.grace_minutes)
    early = present & has_out & (early_min >= 1)
    no_in = present & ~has_in
    no_out = present & ~has_out

    late_pts = np.where(late, tier_deduction(np.nan_to_num(late_min), policy.late_tiers), 0.0)
    early_pts = np.where(early, tier_deduction(np.nan_to_num(early_min), policy.early_tiers), 0.0)
    miss_pts = no_in * _tier_points(policy.late_tiers, policy.missing_checkin_tier) + no_out * (
        _tier_points(policy.early_tiers, policy.missing_checkout_tier)
    )
    absent_pts = absent * policy.unexcused_absence_deduction

    out = pd.DataFrame(
        {
            "days_observed": group_sum(codes, n),
            "days_present": group_sum(codes, n, present.astype(np.float64)),
            "days_excused": group_sum(codes, n, excused.astype(np.float64)),
            "days_absent": group_sum(codes, n, absent.astype(np.float64)),
            "late_count": group_sum(codes, n, late.astype(np.float64)),
            "early_count": group_sum(codes, n, early.astype(np.float64)),
            "missing_checkin": group_sum(codes, n, no_in.astype(np.float64)),
            "missing_checkout": group_sum(codes, n, no_out.astype(np.float64)),
            "late_points": group_sum(codes, n, late_pts),
            "early_points": group_sum(codes, n, early_pts),
            "missing_points": group_sum(codes, n, miss_pts),
            "absence_points": group_sum(codes, n, absent_pts),
        }
    )
    total = out["late_points"] + out["early_points"] + out["missing_points"] + out["absence_points"]
    out["attendance"] = np.clip(100.0 - total.to_numpy(), 0.0, 100.0)
    for col in (
        "days_observed",
        "days_present",
        "days_excused",
        "days_absent",
        "late_count",
        "early_count",
        "missing_checkin",
        "missing_checkout",
    ):
        out[col] = out[col].round().astype(np.int64)
    return out
