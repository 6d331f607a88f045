"""Activity achievement per employee: approved, validly entered minutes against the target."""

from __future__ import annotations

import numpy as np
import pandas as pd

from kinerja.domain import ActivityKind, ApprovalStatus
from rules.attendance import weekday_of
from rules.policy import ActivityPolicy
from rules.roster import Roster
from rules.vectors import day_numbers, group_sum, isin, seconds_since_epoch, time_seconds, truthy

DAY = 86400


def entry_counts(activities: pd.DataFrame, roster: Roster, policy: ActivityPolicy) -> np.ndarray:
    """Whether each activity row counts, ignoring approval: entered within the window, not on a
    closed weekday, at most max_days_late days after the work date (never before it), and, with
    lock_at_month_end, not after the month's last day. The work date must lie in the month and in
    the employee's post dates."""
    codes = roster.codes(activities["nip"])
    work = day_numbers(activities["work_date"])
    entered = seconds_since_epoch(activities["entered_at"])
    entered_day = np.floor_divide(entered, DAY)
    entered_sec = entered - entered_day * DAY
    win_start = time_seconds(policy.entry_window_start)
    win_end = time_seconds(policy.entry_window_end)
    ok = codes >= 0
    ok &= (work >= roster.month_first) & (work <= roster.month_last)
    ok &= (entered_sec >= win_start) & (entered_sec <= win_end)
    ok &= ~np.isin(weekday_of(entered_day), policy.closed_weekdays)
    lag = entered_day - work
    ok &= (lag >= 0) & (lag <= policy.max_days_late)
    if policy.lock_at_month_end:
        ok &= entered_day <= roster.month_last
    ok[ok] = roster.active_on(codes[ok], work[ok])
    return ok


def activity_components(
    activities: pd.DataFrame,
    roster: Roster,
    policy: ActivityPolicy,
    target_days: np.ndarray,
) -> pd.DataFrame:
    """Per employee: main/additional achievement (0-100, NaN when there is no target day).

    target_days = working days in post that were not excused; achievement = approved counted
    minutes / (target minutes per day x target days), capped at 100. Output not completed counts
    only with count_incomplete.
    """
    n = roster.size
    codes = roster.codes(activities["nip"])
    valid = entry_counts(activities, roster, policy)
    approved = isin(activities["approval"], [ApprovalStatus.APPROVED.value])
    completed = truthy(activities["completed"]) if not policy.count_incomplete else True
    counted = valid & approved & completed
    is_main = isin(activities["kind"], [ActivityKind.MAIN.value])
    is_add = isin(activities["kind"], [ActivityKind.ADDITIONAL.value])
    minutes = pd.to_numeric(activities["minutes"], errors="coerce").to_numpy(dtype=np.float64)
    minutes = np.nan_to_num(minutes)

    known = codes >= 0
    c = codes[known]
    main_min = group_sum(c, n, np.where(counted & is_main, minutes, 0.0)[known])
    add_min = group_sum(c, n, np.where(counted & is_add, minutes, 0.0)[known])
    entered_main = group_sum(c, n, np.where(is_main, minutes, 0.0)[known])
    unapproved = group_sum(c, n, (valid & ~approved).astype(np.float64)[known])
    invalid_entry = group_sum(c, n, (~valid).astype(np.float64)[known])

    target = target_days.astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        main_ratio = np.where(
            target > 0, 100.0 * main_min / (policy.main_target_minutes_per_day * target), np.nan
        )
        add_ratio = np.where(
            target > 0,
            100.0 * add_min / (policy.additional_target_minutes_per_day * target),
            np.nan,
        )
    return pd.DataFrame(
        {
            "main_minutes": main_min,
            "additional_minutes": add_min,
            "main_entered_minutes": entered_main,
            "main_pct": main_ratio,  # uncapped, for the explanation
            "main_activity": np.minimum(main_ratio, 100.0),
            "additional_activity": np.minimum(add_ratio, 100.0),
            "activities_unapproved": unapproved.round().astype(np.int64),
            "activities_invalid_entry": invalid_entry.round().astype(np.int64),
        }
    )


def subordinate_activity(roster: Roster, own_activity: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean own-activity achievement of each employee's direct subordinates (NaN if none), and
    how many subordinates had an achievement."""
    n = roster.size
    sup = roster.codes(roster.employees["supervisor_nip"])
    has = (sup >= 0) & ~np.isnan(own_activity)
    total = group_sum(sup[has], n, own_activity[has])
    count = group_sum(sup[has], n)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(count > 0, total / count, np.nan)
    return mean, count.astype(np.int64)
