"""Read a folder of CSV files (rules.frames headers) into MonthData, naming every bad cell."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
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
from kinerja.rules.calendar import period_bounds
from kinerja.rules.frames import FRAME_COLUMNS, MonthData, empty_frame
from kinerja.rules.vectors import parse_clock

REQUIRED_FILES = ["employees", "attendance", "activities", "behaviour"]
OPTIONAL_FILES = ["indicators"]
UNASSESSABLE_FILE = "unassessable_opds.csv"  # optional: opd_code,reason
MAX_REPORTED = 20


class CsvError(ValueError):
    """Bad input: the message names file, row (line number), field, value and reason."""

    def __init__(self, problems: list[str], total: int | None = None) -> None:
        self.problems = problems
        total = total if total is not None else len(problems)
        more = f"\n... and {total - len(problems)} more" if total > len(problems) else ""
        super().__init__(f"{total} problem(s) in the CSV input:\n" + "\n".join(problems) + more)


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
# Rows that must be unique, and how to name the duplicate.
UNIQUE_KEYS = {
    "employees": ["nip"],
    "attendance": ["nip", "work_date"],
    "activities": ["external_id"],
    "behaviour": ["nip", "rater_nip", "item"],
    "indicators": ["nip", "kind"],
}
TRUE = {"true", "1", "yes", "y", "ya"}
FALSE = {"false", "0", "no", "n", "tidak"}


def _bad_rows(
    problems: list[str], file: str, field: str, raw: pd.Series, bad: np.ndarray, reason: str
) -> int:
    """Record problems for the rows flagged in `bad` (line numbers count the header as 1)."""
    rows = np.flatnonzero(bad)
    for i in rows[: max(MAX_REPORTED - len(problems), 0)]:
        problems.append(f"{file} row {i + 2}: {field} {raw.iloc[i]!r} {reason}")
    return len(rows)


def _convert(name: str, df: pd.DataFrame, problems: list[str]) -> tuple[pd.DataFrame, int]:
    """Check and convert each column; returns the typed frame and the number of bad cells."""
    file = f"{name}.csv"
    total = 0
    out = pd.DataFrame(index=df.index)
    for column, spec in SCHEMA[name].items():
        raw = df[column].astype(str).str.strip()
        empty = (raw == "").to_numpy()
        if spec.required:
            total += _bad_rows(problems, file, column, raw, empty, "is empty (required)")
        checker = CONVERTERS[spec.kind]
        value, bad = checker(raw, spec)
        bad = bad & ~empty
        reason = REASONS[spec.kind](spec)
        total += _bad_rows(problems, file, column, raw, bad, reason)
        out[column] = value
    return out, total


def _text(raw: pd.Series, spec: Field) -> tuple[pd.Series, np.ndarray]:
    return raw.where(raw != "", None).astype(object), np.zeros(len(raw), dtype=bool)


def _choice(raw: pd.Series, spec: Field) -> tuple[pd.Series, np.ndarray]:
    return raw.where(raw != "", None).astype(object), ~raw.isin(spec.choices).to_numpy()


def _date(raw: pd.Series, spec: Field) -> tuple[pd.Series, np.ndarray]:
    value = pd.to_datetime(raw.where(raw != ""), format="%Y-%m-%d", errors="coerce")
    return value, value.isna().to_numpy()


def _datetime(raw: pd.Series, spec: Field) -> tuple[pd.Series, np.ndarray]:
    value = pd.to_datetime(raw.where(raw != ""), format="ISO8601", errors="coerce")
    return value, value.isna().to_numpy()


def _time(raw: pd.Series, spec: Field) -> tuple[pd.Series, np.ndarray]:
    uniques = pd.unique(raw)
    ok: dict[str, bool] = {}
    for u in uniques:
        try:
            parse_clock(u)
            ok[u] = True
        except ValueError:
            ok[u] = False
    bad = ~raw.map(ok).astype(bool).to_numpy()
    return raw.where(raw != "", None).astype(object), bad


def _number(raw: pd.Series, spec: Field) -> tuple[pd.Series, np.ndarray]:
    value = pd.to_numeric(raw.where(raw != ""), errors="coerce").astype(float)
    bad = value.isna().to_numpy()
    if spec.low is not None:
        bad = bad | (value < spec.low).to_numpy()
    if spec.high is not None:
        bad = bad | (value > spec.high).to_numpy()
    return value, bad


def _bool(raw: pd.Series, spec: Field) -> tuple[pd.Series, np.ndarray]:
    lowered = raw.str.lower()
    value = lowered.isin(TRUE)
    bad = ~(value | lowered.isin(FALSE)).to_numpy()
    return value.astype(bool), bad


CONVERTERS: dict[str, Callable[[pd.Series, Field], tuple[pd.Series, np.ndarray]]] = {
    "text": _text,
    "choice": _choice,
    "date": _date,
    "datetime": _datetime,
    "time": _time,
    "number": _number,
    "bool": _bool,
}
REASONS: dict[str, Callable[[Field], str]] = {
    "text": lambda s: "",
    "choice": lambda s: f"is not one of {', '.join(s.choices)}",
    "date": lambda s: "is not a date YYYY-MM-DD",
    "datetime": lambda s: "is not a date-time YYYY-MM-DDTHH:MM[:SS]",
    "time": lambda s: "is not a time HH:MM[:SS]",
    "number": lambda s: (
        "is not a number"
        + (f" between {s.low:g} and {s.high:g}" if s.low is not None and s.high is not None else "")
    ),
    "bool": lambda s: "is not true/false",
}


def read_frame(folder: Path, name: str, problems: list[str]) -> tuple[pd.DataFrame, int]:
    """One file, checked; a missing optional file gives an empty frame."""
    path = folder / f"{name}.csv"
    if not path.exists():
        if name in REQUIRED_FILES:
            problems.append(f"{path.name}: file missing in {folder}")
            return empty_frame(name), 1
        return empty_frame(name), 0
    df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    missing = [c for c in FRAME_COLUMNS[name] if c not in df.columns]
    if missing:
        problems.append(
            f"{path.name}: missing column(s) {', '.join(missing)}; "
            f"the header must be {','.join(FRAME_COLUMNS[name])}"
        )
        return empty_frame(name), 1
    typed, bad = _convert(name, df, problems)
    key = UNIQUE_KEYS[name]
    dup = df.duplicated(subset=key, keep="first").to_numpy()
    if dup.any():
        label = "+".join(key)
        keys = df[key].astype(str).agg("/".join, axis=1)
        bad += _bad_rows(problems, path.name, label, keys, dup, "repeats an earlier row")
    return typed[FRAME_COLUMNS[name]], bad


def read_month_csv(folder: str | Path, period: str) -> MonthData:
    """Read employees, attendance, activities, behaviour (required) and indicators (optional).

    Raises CsvError listing the first problems (file, row, field, value, reason) when any
    cell is bad, so a caller never scores half-read data.
    """
    folder = Path(folder)
    period_bounds(period)  # fails early on a malformed period
    problems: list[str] = []
    total = 0
    frames: dict[str, pd.DataFrame] = {}
    for name in REQUIRED_FILES + OPTIONAL_FILES:
        frames[name], bad = read_frame(folder, name, problems)
        total += bad
    unassessable: dict[str, str] = {}
    path = folder / UNASSESSABLE_FILE
    if path.exists():
        df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        if "opd_code" not in df.columns:
            problems.append(f"{UNASSESSABLE_FILE}: missing column opd_code")
            total += 1
        else:
            reasons = df["reason"] if "reason" in df.columns else pd.Series("", index=df.index)
            unassessable = dict(zip(df["opd_code"].str.strip(), reasons, strict=True))
    if total:
        raise CsvError(problems, total)
    return MonthData(
        period=period,
        employees=frames["employees"],
        attendance=frames["attendance"],
        activities=frames["activities"],
        behaviour=frames["behaviour"],
        indicators=frames["indicators"],
        unassessable_opds=unassessable,
    )


def write_month_csv(data: MonthData, folder: str | Path) -> None:
    """Write MonthData as the CSV files read_month_csv reads (dates ISO, times HH:MM[:SS])."""
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
