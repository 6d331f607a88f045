"""load_month: a period's employees, raw rows and OPD status from the database, as MonthData."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import time
from typing import Any

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import (
    Activity,
    Assignment,
    AttendanceRecord,
    BehaviourAnswer,
    Employee,
    IndicatorValue,
    Opd,
    OpdPeriodStatus,
)
from rules.calendar import period_bounds
from rules.frames import FRAME_COLUMNS, MonthData


def _frame(rows: Sequence[Any], columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame.from_records([tuple(r) for r in rows], columns=columns)


def _clock_text(values: pd.Series) -> pd.Series:
    """time objects -> 'HH:MM:SS' (the MonthData contract), formatting each distinct value once."""
    text = {u: u.strftime("%H:%M:%S") for u in pd.unique(values.dropna()) if isinstance(u, time)}
    return values.map(text).astype(object)


def _dates(df: pd.DataFrame, *columns: str) -> pd.DataFrame:
    for c in columns:
        df[c] = pd.to_datetime(df[c])
    return df


def load_employees(session: Session, period: str) -> pd.DataFrame:
    """One row per employee in post at some point of the month.

    With several assignments overlapping the month (a transfer or promotion), the latest one
    gives OPD, level, job title and supervisor, and the post dates span all of them.
    """
    first, last = period_bounds(period)
    stmt = (
        select(
            Assignment.nip,
            Employee.name,
            Employee.status,
            Assignment.opd_code,
            Opd.name,
            Opd.rumpun_code,
            Assignment.position_level,
            Assignment.job_title,
            Assignment.supervisor_nip,
            Assignment.start_date,
            Assignment.end_date,
        )
        .join(Employee, Employee.nip == Assignment.nip)
        .join(Opd, Opd.code == Assignment.opd_code)
        .where(Assignment.start_date <= last)
        .where((Assignment.end_date.is_(None)) | (Assignment.end_date >= first))
        .order_by(Assignment.nip, Assignment.start_date)
    )
    cols = FRAME_COLUMNS["employees"]
    df = _frame(session.execute(stmt).all(), cols)
    if df.empty:
        return _dates(df, "start_date", "end_date")
    grouped = df.groupby("nip", sort=False)
    latest = grouped.tail(1).set_index("nip")
    latest["start_date"] = grouped["start_date"].min()
    open_ended = df["end_date"].isna().groupby(df["nip"], sort=False).any()
    latest["end_date"] = grouped["end_date"].max().where(~open_ended, None)
    out = latest.reset_index()[cols]
    return _dates(out, "start_date", "end_date")


def load_month(session: Session, period: str) -> MonthData:
    """Everything scoring needs for `period`; OPDs marked not assessable come with their reason."""
    employees = load_employees(session, period)
    att = _frame(
        session.execute(
            select(
                AttendanceRecord.nip,
                AttendanceRecord.work_date,
                AttendanceRecord.status,
                AttendanceRecord.check_in,
                AttendanceRecord.check_out,
            ).where(AttendanceRecord.period == period)
        ).all(),
        FRAME_COLUMNS["attendance"],
    )
    att["check_in"] = _clock_text(att["check_in"])
    att["check_out"] = _clock_text(att["check_out"])
    act = _frame(
        session.execute(
            select(
                Activity.nip,
                Activity.external_id,
                Activity.work_date,
                Activity.entered_at,
                Activity.kind,
                Activity.minutes,
                Activity.completed,
                Activity.approval,
                Activity.approver_nip,
            ).where(Activity.period == period)
        ).all(),
        FRAME_COLUMNS["activities"],
    )
    act["minutes"] = act["minutes"].astype(float)
    act["completed"] = act["completed"].astype(bool)
    beh = _frame(
        session.execute(
            select(
                BehaviourAnswer.nip,
                BehaviourAnswer.rater_nip,
                BehaviourAnswer.rater_role,
                BehaviourAnswer.item,
                BehaviourAnswer.score,
            ).where(BehaviourAnswer.period == period)
        ).all(),
        FRAME_COLUMNS["behaviour"],
    )
    beh["score"] = beh["score"].astype(float)
    ind = _frame(
        session.execute(
            select(IndicatorValue.nip, IndicatorValue.kind, IndicatorValue.value).where(
                IndicatorValue.period == period
            )
        ).all(),
        FRAME_COLUMNS["indicators"],
    )
    ind["value"] = ind["value"].astype(float)
    unassessable = {
        opd: reason or "data tidak lengkap"
        for opd, reason in session.execute(
            select(OpdPeriodStatus.opd_code, OpdPeriodStatus.reason).where(
                OpdPeriodStatus.period == period, OpdPeriodStatus.assessable.is_(False)
            )
        ).all()
    }
    return MonthData(
        period=period,
        employees=employees,
        attendance=_dates(att, "work_date"),
        activities=_dates(act, "work_date", "entered_at"),
        behaviour=beh,
        indicators=ind,
        unassessable_opds=unassessable,
    )
