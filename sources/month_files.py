"""A folder of the month's files (CSV or XLSX) as MonthData, checked as gathering checks them.

`kinerja score --data` reads through here: the same reader as a csv/xlsx source
(sources.files) and the same row checks (sources.validate) with the same policy. What
gathering would quarantine, scoring refuses, naming file, row, column, value and reason, so
a month is never scored on rows gathering would not have stored.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from kinerja.domain import Period
from kinerja.rules.csv_month import UNASSESSABLE_FILE, CsvError
from kinerja.rules.frames import FRAME_COLUMNS, MonthData, empty_frame
from kinerja.rules.policy import Policy
from kinerja.sources.config import Dialect
from kinerja.sources.files import FileRefused, read_frame
from kinerja.sources.http import SourceError
from kinerja.sources.validate import Checked, Register, check_delivery, validate_register

REQUIRED = ["employees", "attendance", "activities", "behaviour"]
OPTIONAL = ["indicators"]
MAX_REPORTED = 20


def _find(folder: Path, kind: str) -> Path | None:
    for ext in ("csv", "xlsx"):
        path = folder / f"{kind}.{ext}"
        if path.exists():
            return path
    return None


def _rejected(checked: Checked, file: str) -> list[str]:
    out = []
    for detail, reason in zip(checked.rejected["detail"], checked.rejected["reason"], strict=True):
        text = str(detail)
        out.append((text if text.startswith(file) else f"{file}: {text}") + f" [{reason}]")
    return out


def read_month_files(
    folder: str | Path, period: str, policy: Policy, dialect: Dialect | None = None
) -> MonthData:
    """Read <kind>.csv or <kind>.xlsx for every kind; CsvError lists what was refused."""
    folder = Path(folder)
    Period.parse(period).bounds()  # a malformed period fails first
    problems: list[str] = []
    total = 0
    raw: dict[str, pd.DataFrame] = {}
    for kind in REQUIRED + OPTIONAL:
        path = _find(folder, kind)
        if path is None:
            if kind in REQUIRED:
                problems.append(f"{kind}.csv: file missing in {folder}")
                total += 1
            continue
        try:
            frame = read_frame(path, path.name, dialect, kind=kind, nip_length=policy.nip.length)
        except FileRefused as exc:
            problems.extend(exc.problems)
            total += exc.total
            continue
        except SourceError as exc:
            problems.append(str(exc))
            total += 1
            continue
        missing = [c for c in FRAME_COLUMNS[kind] if c not in frame.columns]
        if missing:
            problems.append(
                f"{path.name}: missing column(s) {', '.join(missing)}; "
                f"the header must be {','.join(FRAME_COLUMNS[kind])}"
            )
            total += 1
            continue
        raw[kind] = frame
    valid: dict[str, pd.DataFrame] = {}
    if "employees" in raw:
        checked = validate_register(raw["employees"], period, policy.nip)
        problems.extend(_rejected(checked, raw["employees"].attrs["file"]))
        total += len(checked.rejected)
        valid["employees"] = checked.valid
        register = _register(checked.valid, period)
        for kind in ("attendance", "activities", "behaviour", "indicators"):
            if kind not in raw:
                continue
            checked = check_delivery(kind, raw[kind], register, policy)
            problems.extend(_rejected(checked, raw[kind].attrs["file"]))
            total += len(checked.rejected)
            valid[kind] = checked.valid
    if total:
        raise CsvError(problems[:MAX_REPORTED], total)
    return MonthData(
        period=period,
        employees=_employees(valid["employees"]),
        attendance=_typed("attendance", valid.get("attendance")),
        activities=_typed("activities", valid.get("activities")),
        behaviour=_typed("behaviour", valid.get("behaviour")),
        indicators=_typed("indicators", valid.get("indicators")),
        unassessable_opds=_unassessable(folder),
    )


def _register(employees: pd.DataFrame, period: str) -> Register:
    """Who is in post in the month, as gathering's register would say."""
    first, last = Period.parse(period).bounds()
    start = pd.to_datetime(employees["start_date"])
    end = pd.to_datetime(employees["end_date"])
    in_month = (start <= pd.Timestamp(last)) & (end.isna() | (end >= pd.Timestamp(first)))
    nip_opd = employees.loc[in_month, ["nip", "opd_code"]].reset_index(drop=True)
    return Register(period=period, nip_opd=nip_opd, known_nips=frozenset(employees["nip"]))


def _employees(valid: pd.DataFrame) -> pd.DataFrame:
    """One row per NIP: the latest post gives OPD, level and supervisor; dates span them all."""
    df = valid.drop(columns="_pos")
    df["start_date"] = pd.to_datetime(df["start_date"])
    df["end_date"] = pd.to_datetime(df["end_date"])
    df = df.sort_values(["nip", "start_date"], kind="stable")
    grouped = df.groupby("nip", sort=False)
    latest = grouped.tail(1).set_index("nip")
    latest["start_date"] = grouped["start_date"].min()
    open_ended = df["end_date"].isna().groupby(df["nip"], sort=False).any()
    latest["end_date"] = grouped["end_date"].max().where(~open_ended, pd.NaT)
    first_seen = df.sort_index()["nip"].drop_duplicates()  # the file's order
    out = latest.loc[first_seen.to_numpy()].reset_index()
    for col in ("opd_name", "rumpun_code", "job_title", "supervisor_nip"):
        out[col] = out[col].astype(object)
    return out[FRAME_COLUMNS["employees"]]


def _typed(kind: str, valid: pd.DataFrame | None) -> pd.DataFrame:
    """Checked rows (canonical text) in MonthData's types: dates, floats, flags."""
    if valid is None or valid.empty:
        return empty_frame(kind)
    df = valid.drop(columns="_pos").reset_index(drop=True)
    if "work_date" in df:
        df["work_date"] = pd.to_datetime(df["work_date"])
    if "entered_at" in df:
        df["entered_at"] = pd.to_datetime(df["entered_at"], format="ISO8601")
    for col in ("check_in", "check_out"):
        if col in df:
            df[col] = df[col].astype(object).where(df[col].notna(), np.nan)
    for col in ("minutes", "score", "value"):
        if col in df:
            df[col] = df[col].astype(float)
    if "completed" in df:
        df["completed"] = df["completed"].astype(bool)
    return df[FRAME_COLUMNS[kind]]


def _unassessable(folder: Path) -> dict[str, str]:
    path = folder / UNASSESSABLE_FILE
    if not path.exists():
        return {}
    df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    if "opd_code" not in df.columns:
        raise CsvError([f"{UNASSESSABLE_FILE}: missing column opd_code"])
    reasons = df["reason"] if "reason" in df.columns else pd.Series("", index=df.index)
    return dict(zip(df["opd_code"].str.strip(), reasons, strict=True))
