"""Attendance index per employee: 100 minus lateness, early-departure and absence deductions."""

from __future__ import annotations

import numpy as np
import pandas as pd

from kinerja.domain import AttendanceStatus
from kinerja.rules.policy import AttendancePolicy, CalendarPolicy, Tier
from kinerja.rules.roster import Roster
from kinerja.rules.vectors import (
    clock_seconds,
    day_numbers,
    isin,
    lookup_days,
    time_seconds,
)

FRIDAY = 4
# 1970-01-01 was a Thursday: weekday(day number) = (day + 3) % 7 with Monday = 0.
_EPOCH_WEEKDAY_SHIFT = 3
# Rows that say "we could not observe this day": read exactly as if the source sent no row.
UNOBSERVED_STATUSES = [AttendanceStatus.CONNECTIVITY_GAP.value]


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
    at all is unobserved (a data gap), never an absence; a connectivity_gap row is the same day
    reported another way and is read as no row (an outage is not leave: the day stays in the
    activity target and counts towards too little data). Excused statuses never cost anything; a
    status that is neither present nor excused counts as an unexcused absence. Minutes late are
    whole minutes after work_start (seconds round up); lateness within grace_minutes is free,
    beyond it the tier of the full lateness applies. Friday uses friday_work_end. One row per
    (nip, work_date) is assumed: the CSV reader and the database both enforce it.
    """
    n = roster.size
    codes = roster.codes(attendance["nip"])
    days = day_numbers(attendance["work_date"])
    # Day kinds within the month: 0 not a working day (or outside the month), 1 a working day
    # with the usual end, 2 a working Friday.
    kinds = np.zeros(roster.month_last - roster.month_first + 1, dtype=np.int8)
    workday_offsets = roster.workdays - roster.month_first
    kinds[workday_offsets] = np.where(weekday_of(roster.workdays) == FRIDAY, 2, 1)
    day_kind = lookup_days(days, roster.month_first, kinds)
    keep = (codes >= 0) & (day_kind > 0) & ~isin(attendance["status"], UNOBSERVED_STATUSES)
    if not roster.everyone_all_month:
        keep[keep] = roster.active_on(codes[keep], days[keep])
    # Rows that do not count go to bucket 0, dropped after the grouped sums: no row gathers.
    bucket = np.where(keep, codes + 1, 0)
    present = isin(attendance["status"], [AttendanceStatus.PRESENT.value])
    excused = isin(attendance["status"], [s.value for s in policy.excused_statuses])
    absent = ~present & ~excused

    check_in = clock_seconds(attendance["check_in"])
    check_out = clock_seconds(attendance["check_out"])
    start_s = time_seconds(cal.work_start)
    day_end = np.where(day_kind == 2, time_seconds(cal.friday_work_end), time_seconds(cal.work_end))
    with np.errstate(invalid="ignore"):
        late_min = np.ceil((check_in - start_s) / 60.0)
        early_min = np.ceil((day_end - check_out) / 60.0)
    has_in = ~np.isnan(check_in)
    has_out = ~np.isnan(check_out)
    late = present & has_in & (late_min > policy.grace_minutes)
    early = present & has_out & (early_min >= 1)
    no_in = present & ~has_in
    no_out = present & ~has_out

    points = np.zeros(len(bucket))
    li, ei = np.flatnonzero(late), np.flatnonzero(early)
    points[li] = tier_deduction(late_min[li], policy.late_tiers)
    points[ei] += tier_deduction(early_min[ei], policy.early_tiers)
    points += no_in * _tier_points(policy.late_tiers, policy.missing_checkin_tier)
    points += no_out * _tier_points(policy.early_tiers, policy.missing_checkout_tier)
    points += absent * policy.unexcused_absence_deduction

    # One grouped count for all facts: the day class (present/excused/absent, exclusive) and
    # the four flags as bits give 3 x 16 cells per employee.
    day_class = excused * 1 + absent * 2
    bits = late * 1 + early * 2 + no_in * 4 + no_out * 8
    cells = np.bincount(bucket * 48 + day_class * 16 + bits, minlength=(n + 1) * 48)
    cells = cells[48:].reshape(n, 3, 16).astype(np.float64)
    classes = cells.sum(axis=2)
    bit_set = (np.arange(16)[:, None] >> np.arange(4)[None, :]) & 1  # (16 patterns, 4 flags)
    flag_counts = cells.sum(axis=1) @ bit_set
    total = np.bincount(bucket, weights=points, minlength=n + 1)[1:]
    counts = np.column_stack([classes.sum(axis=1), classes, flag_counts]).round().astype(np.int64)
    out = pd.DataFrame(
        counts,
        columns=[
            "days_observed",
            "days_present",
            "days_excused",
            "days_absent",
            "late_count",
            "early_count",
            "missing_checkin",
            "missing_checkout",
        ],
    )
    out["deduction"] = total
    out["attendance"] = np.clip(100.0 - total, 0.0, 100.0)
    return out
