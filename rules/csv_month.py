"""The month as CSV files (rules.frames headers): writing MonthData, and the bad-folder error.

Reading goes through kinerja.sources.month_files: the reader and checks gathering uses.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from kinerja.domain import (
    ActivityKind,
    ApprovalStatus,
    AttendanceStatus,
    EmployeeStatus,
    IndicatorKind,
    PositionLevel,
    RaterRole,
)
from kinerja.rules.frames import FRAME_COLUMNS, MonthData

UNASSESSABLE_FILE = "unassessable_opds.csv"  # optional: opd_code,reason


class CsvError(ValueError):
    """Bad input: the message names file, row (line number), field, value and reason."""

    def __init__(self, problems: list[str], total: int | None = None) -> None:
        self.problems = problems
        total = total if total is not None else len(problems)
        more = f"\n... and {total - len(problems)} more" if total > len(problems) else ""
        super().__init__(f"{total} problem(s) in the input files:\n" + "\n".join(problems) + more)


@dataclass(frozen=True)
class Field:
    """How one column is checked and converted."""

    kind: str  # text | date | datetime | time | number | bool | choice
    required: bool = True
    choices: tuple[str, ...] = ()
    low: float | None = None
    high: float | None = None


def _choices(enum: type) -> tuple[str, ...]:
    return tuple(e.value for e in enum)  # type: ignore[attr-defined]


SCHEMA: dict[str, dict[str, Field]] = {
    "employees": {
        "nip": Field("text"),
        "name": Field("text"),
        "status": Field("choice", choices=_choices(EmployeeStatus)),
        "opd_code": Field("text"),
        "opd_name": Field("text", required=False),
        "rumpun_code": Field("text", required=False),
        "position_level": Field("choice", choices=_choices(PositionLevel)),
        "job_title": Field("text", required=False),
        "supervisor_nip": Field("text", required=False),
        "start_date": Field("date"),
        "end_date": Field("date", required=False),
    },
    "attendance": {
        "nip": Field("text"),
        "work_date": Field("date"),
        "status": Field("choice", choices=_choices(AttendanceStatus)),
        "check_in": Field("time", required=False),
        "check_out": Field("time", required=False),
    },
    "activities": {
        "nip": Field("text"),
        "external_id": Field("text"),
        "work_date": Field("date"),
        "entered_at": Field("datetime"),
        "kind": Field("choice", choices=_choices(ActivityKind)),
        "minutes": Field("number", low=0, high=24 * 60),
        "completed": Field("bool"),
        "approval": Field("choice", choices=_choices(ApprovalStatus)),
        "approver_nip": Field("text", required=False),
    },
    "behaviour": {
        "nip": Field("text"),
        "rater_nip": Field("text"),
        "rater_role": Field("choice", choices=_choices(RaterRole)),
        "item": Field("text"),
        "score": Field("number"),
    },
    "indicators": {
        "nip": Field("text"),
        "kind": Field("choice", choices=_choices(IndicatorKind)),
        "value": Field("number", low=0, high=100),
    },
}


def write_month_csv(data: MonthData, folder: str | Path) -> None:
    """Write MonthData as the CSV files `kinerja score --data` reads (dates ISO, times HH:MM)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    frames = {
        "employees": data.employees,
        "attendance": data.attendance,
        "activities": data.activities,
        "behaviour": data.behaviour,
        "indicators": data.indicators,
    }
    for name, df in frames.items():
        out = df[FRAME_COLUMNS[name]].copy()
        for column, spec in SCHEMA[name].items():
            if spec.kind == "date":
                out[column] = pd.to_datetime(out[column]).dt.strftime("%Y-%m-%d")
            elif spec.kind == "datetime":
                out[column] = pd.to_datetime(out[column]).dt.strftime("%Y-%m-%dT%H:%M:%S")
            elif spec.kind == "bool":
                out[column] = out[column].map({True: "true", False: "false"})
        out.to_csv(folder / f"{name}.csv", index=False)
    if data.unassessable_opds:
        pd.DataFrame(
            {
                "opd_code": list(data.unassessable_opds),
                "reason": list(data.unassessable_opds.values()),
            }
        ).to_csv(folder / UNASSESSABLE_FILE, index=False)
