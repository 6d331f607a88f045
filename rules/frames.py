"""The month's data as pandas DataFrames: the one shape scoring, CSV import and the DB share."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

# Column contracts. CSV files use exactly these headers (one file per frame, `<name>.csv`).
EMPLOYEE_COLUMNS = [
    "nip",
    "name",
    "status",  # PNS | PPPK
    "opd_code",
    "opd_name",
    "rumpun_code",  # may be empty
    "position_level",  # staff | eselon_iv | eselon_iii | eselon_ii | eselon_i
    "job_title",
    "supervisor_nip",  # may be empty (eselon I)
    "start_date",  # first day in this post (ISO date)
    "end_date",  # last day in this post, empty if still there
]
ATTENDANCE_COLUMNS = [
    "nip",
    "work_date",  # ISO date
    "status",  # present | absent | leave | sick | official_travel | holiday | connectivity_gap
    "check_in",  # HH:MM[:SS] or empty
    "check_out",  # HH:MM[:SS] or empty
]
ACTIVITY_COLUMNS = [
    "nip",
    "external_id",  # the source's id of the entry
    "work_date",  # the day the work was done
    "entered_at",  # when it was entered (ISO datetime, WIB)
    "kind",  # main | additional
    "minutes",  # effective minutes (the activity's weight)
    "completed",  # true | false: output delivered
    "approval",  # approved | pending | rejected
    "approver_nip",
]
BEHAVIOUR_COLUMNS = [
    "nip",  # the person rated
    "rater_nip",
    "rater_role",  # supervisor | peer | subordinate | self
    "item",  # a BerAKHLAK item code
    "score",  # on the policy's scale (1-5 by default)
]
INDICATOR_COLUMNS = [
    "nip",
    "kind",  # capaian_fisik | iki | iku | ikp
    "value",  # percent, 0-100
]

FRAME_COLUMNS: dict[str, list[str]] = {
    "employees": EMPLOYEE_COLUMNS,
    "attendance": ATTENDANCE_COLUMNS,
    "activities": ACTIVITY_COLUMNS,
    "behaviour": BEHAVIOUR_COLUMNS,
    "indicators": INDICATOR_COLUMNS,
}


# The raw columns scoring reads. load_month reads only these: an activity's external_id and
# approver are for loading and audit, and reading them would double the cost of a month's read.
SCORED_COLUMNS: dict[str, list[str]] = {
    **{k: FRAME_COLUMNS[k] for k in ("attendance", "behaviour", "indicators")},
    "activities": [c for c in ACTIVITY_COLUMNS if c not in ("external_id", "approver_nip")],
}


def empty_frame(name: str) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="object") for c in FRAME_COLUMNS[name]})


@dataclass
class MonthData:
    """Everything scoring needs for one period. Types: dates as datetime64, times as strings
    'HH:MM[:SS]' or NaN, numbers as floats; see the column lists above."""

    period: str  # "YYYY-MM"
    employees: pd.DataFrame
    attendance: pd.DataFrame = field(default_factory=lambda: empty_frame("attendance"))
    activities: pd.DataFrame = field(default_factory=lambda: empty_frame("activities"))
    behaviour: pd.DataFrame = field(default_factory=lambda: empty_frame("behaviour"))
    indicators: pd.DataFrame = field(default_factory=lambda: empty_frame("indicators"))
    # OPDs whose data failed this month: scored for information, never proposed.
    unassessable_opds: dict[str, str] = field(default_factory=dict)
