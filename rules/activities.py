"""Activity achievement per employee: approved, validly entered minutes against the target."""

from __future__ import annotations

import numpy as np
import pandas as pd

from kinerja.domain import ActivityKind, ApprovalStatus
from kinerja.rules.attendance import weekday_of
from kinerja.rules.policy import ActivityPolicy
from kinerja.rules.roster import Roster
from kinerja.rules.vectors import (
    day_numbers,
    group_sum,
    isin,
    lookup_days,
    position_in,
    seconds_since_epoch,
    time_seconds,
    truthy,
)

DAY = 86400


def entry_counts(activities: pd.DataFrame, roster: Roster, policy: ActivityPolicy) -> np.ndarray:
    """Whether each activity row counts, ignoring approval: entered within the window, not on a
    closed weekday, at most max_days_late days after the work date (never before it), and, with
    lock_at_month_end, not after the month's last day. The work date must lie in the month and in
    the employee's post dates; the NIP must be on the roster."""
    codes = roster.codes(activities["nip"])
    work = day_numbers(activities["work_date"])
    entered_day, entered_sec = np.divmod(seconds_since_epoch(activities["entered_at"]), DAY)
    # Entry days that can ever count, from the month's first day to the last allowed one.
    span = roster.month_last - roster.month_first + 1 + policy.max_days_late
    entry_days = roster.month_first + np.arange(span)
    open_day = ~np.isin(weekday_of(entry_days), policy.closed_weekdays)
    if policy.lock_at_month_end:
        open_day &= entry_days <= roster.month_last
    ok = lookup_days(entered_day, roster.month_first, open_day, outside=False)
    # Range tests as one unsigned comparison each: 0 <= x - low <= high - low.
    ok &= _within(work, roster.month_first, roster.month_last)
    ok &= _within(
        entered_sec,
        time_seconds(policy.entry_window_start),
        time_seconds(policy.entry_window_end),
    )
    ok &= _within(entered_day - work, 0, policy.max_days_late)
    ok &= codes >= 0
    if not roster.everyone_all_month:
        ok[ok] = roster.active_on(codes[ok], work[ok])
    return ok


def _within(values: np.ndarray, low: int, high: int) -> np.ndarray:
    shifted = values - low
    return shifted.view(np.uint64) <= np.uint64(high - low)


def activity_components(
    activities: pd.DataFrame,
    roster: Roster,
    policy: ActivityPolicy,
    target_days: np.ndarray,
) -> pd.DataFrame:
    """Per employee: main/additional achievement (0-100, NaN when there is no target day).

    target_days = working days in post that were not excused; achievement = approved counted
    minutes / (target minutes per day x target days), capped at 100. Output not completed counts
    only with count_incomplete. Kinds other than main/additional are ignored.
    """
    n = roster.size
    codes = roster.codes(activities["nip"])
    valid = entry_counts(activities, roster, policy)
    approved = isin(activities["approval"], [ApprovalStatus.APPROVED.value])
    counted = valid & approved
    if not policy.count_incomplete:
        counted &= truthy(activities["completed"])
    kind = position_in(activities["kind"], [ActivityKind.MAIN.value, ActivityKind.ADDITIONAL.value])
    minutes = pd.to_numeric(activities["minutes"], errors="coerce").to_numpy(dtype=np.float64)

    # One grouped sum over all rows: classes 0/1 sum the counted main/additional minutes;
    # 2 entered against the rules, 3 valid but not approved, 4 approved but not completed count
    # rows; 5 is a counted row of an unknown kind. Bucket 0 collects NIPs not on the roster.
    counted_class = np.where(kind >= 0, kind, np.int8(5))
    uncounted_class = np.int8(2) + valid.view(np.int8) + (valid & approved).view(np.int8)
    cls = np.where(counted, counted_class, uncounted_class)
    if np.isnan(minutes).any():
        minutes = np.nan_to_num(minutes)
    weight = np.where(counted, minutes, 1.0)
    k = 6
    sums = np.bincount((codes + 1) * k + cls, weights=weight, minlength=(n + 1) * k)
    sums = sums[k:].reshape(n, k)
    main_min, add_min = sums[:, 0], sums[:, 1]
    classes = sums[:, 2:5]
    # The work done, whether or not its approval has arrived: what a supervisor's "subordinates'
    # activity" measures. Counting approved minutes only made it measure the supervisor's own
    # approvals (a head who never approved scored "bawahan 0%" for a team that worked).
    done = valid & ~isin(activities["approval"], [ApprovalStatus.REJECTED.value])
    if not policy.count_incomplete:
        done &= truthy(activities["completed"])
    done &= kind >= 0
    done_main = group_sum(codes[done & (kind == 0)], n, minutes[done & (kind == 0)])
    done_add = group_sum(codes[done & (kind == 1)], n, minutes[done & (kind == 1)])

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
        done_main_ratio = np.where(
            target > 0, 100.0 * done_main / (policy.main_target_minutes_per_day * target), np.nan
        )
        done_add_ratio = np.where(
            target > 0,
            100.0 * done_add / (policy.additional_target_minutes_per_day * target),
            np.nan,
        )
    return pd.DataFrame(
        {
            "main_done": np.minimum(done_main_ratio, 100.0),  # approved or awaiting approval
            "additional_done": np.minimum(done_add_ratio, 100.0),
            "main_minutes": main_min,
            "additional_minutes": add_min,
            "main_pct": main_ratio,  # uncapped, for the explanation
            "main_activity": np.minimum(main_ratio, 100.0),
            "additional_activity": np.minimum(add_ratio, 100.0),
            "activities_invalid_entry": classes[:, 0].round().astype(np.int64),
            "activities_unapproved": classes[:, 1].round().astype(np.int64),
            "activities_incomplete": classes[:, 2].round().astype(np.int64),
        }
    )


def subordinate_activity(roster: Roster, own_activity: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean activity achievement of each employee's direct subordinates (NaN if none), and how
    many subordinates had an achievement. `own_activity` is each subordinate's work done
    (approved or awaiting approval, activity_components' *_done): their supervisor's approvals
    are the supervisor's own duty, not a measure of the team's work."""
    n = roster.size
    sup = roster.codes(roster.employees["supervisor_nip"])
    has = (sup >= 0) & ~np.isnan(own_activity)
    total = group_sum(sup[has], n, own_activity[has])
    count = group_sum(sup[has], n)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(count > 0, total / count, np.nan)
    return mean, count.astype(np.int64)
