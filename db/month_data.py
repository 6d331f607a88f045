"""load_month: a period's employees, raw rows and OPD status from the database, as MonthData."""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Connection, String, cast, select
from sqlalchemy.orm import Session

from db.models import (
    Assignment,
    Employee,
    Opd,
    OpdPeriodStatus,
)
from db.raw_data import table_for
from rules.calendar import period_bounds
from rules.frames import FRAME_COLUMNS, SCORED_COLUMNS, MonthData


def _frame(rows: Sequence[Any], columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame.from_records([tuple(r) for r in rows], columns=columns)


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
    # datetime64 before grouping: min/max then run vectorised, not once per employee
    df = _dates(_frame(session.execute(stmt).all(), cols), "start_date", "end_date")
    if df.empty:
        return df
    grouped = df.groupby("nip", sort=False)
    latest = grouped.tail(1).set_index("nip")
    latest["start_date"] = grouped["start_date"].min()
    open_ended = df["end_date"].isna().groupby(df["nip"], sort=False).any()
    latest["end_date"] = grouped["end_date"].max().where(~open_ended, None)
    return latest.reset_index()[cols]


# Column -> how a raw month column is read: text (dates/times cast to text in SQL, so no
# per-row conversion in Python), a number, or a flag.
_TEXT_CAST = {"work_date", "entered_at", "check_in", "check_out"}


def _raw_frame(conn: Connection, kind: str, period: str) -> pd.DataFrame:
    """The scored columns of a month of one raw table straight from the driver.

    Dates and times arrive as text and are parsed per column (vectorised), instead of the
    ORM turning every cell into a Python object. PostgreSQL casts them to text in SQL; SQLite
    stores them as text already, and a cast there would only cost a function call per cell.
    """
    table = table_for(kind)
    columns = SCORED_COLUMNS[kind]
    as_text = _TEXT_CAST if conn.dialect.name == "postgresql" else set()
    cols = [cast(table.c[c], String).label(c) if c in as_text else table.c[c] for c in columns]
    stmt = select(*cols).where(table.c.period == period)
    rows = conn.execute(stmt).cursor.fetchall()  # type: ignore[union-attr]
    # one 2-D object array (C loop) instead of pandas inferring a type per row and cell
    table_cells = np.array(rows, dtype=object).reshape(len(rows), len(columns))
    frame = pd.DataFrame({c: table_cells[:, i] for i, c in enumerate(columns)})
    for c in columns:
        if c in ("work_date", "entered_at"):
            # SQLite keeps microseconds ('... 08:00:00.000000'); ISO8601 reads either form
            frame[c] = pd.to_datetime(frame[c], format="ISO8601").dt.floor("s")
        elif c in ("check_in", "check_out"):
            frame[c] = _clock(frame[c])
        elif c == "completed":
            frame[c] = frame[c].isin([True, 1, "t", "1"])
        elif c in ("minutes", "score", "value"):
            frame[c] = frame[c].astype(float)
    return frame


def _clock(values: pd.Series) -> pd.Series:
    """Stored times as 'HH:MM:SS' text (None when missing), cutting each distinct value once."""
    codes, uniques = pd.factorize(values.to_numpy(dtype=object), use_na_sentinel=True)
    cut = np.array([str(u)[:8] for u in uniques] + [None], dtype=object)
    return pd.Series(cut[np.where(codes < 0, len(uniques), codes)], dtype=object)


# Read side by side on PostgreSQL: activities alone are about as big as the other three.
_LANES = [["activities"], ["attendance", "behaviour", "indicators"]]


def _raw_frames(session: Session, period: str) -> dict[str, pd.DataFrame]:
    """The four raw tables of the month, all as of the session's snapshot.

    On PostgreSQL two more connections read in threads, importing the session's snapshot
    (`pg_export_snapshot`), so the server scans one table while this process converts another
    and every frame still sees the same committed data. SQLite reads in the session.
    """
    conn = session.connection()
    if conn.dialect.name != "postgresql":
        return {k: _raw_frame(conn, k, period) for lane in _LANES for k in lane}
    snapshot = conn.exec_driver_sql("SELECT pg_export_snapshot()").scalar_one()

    def lane(kinds: list[str]) -> dict[str, pd.DataFrame]:
        with conn.engine.connect().execution_options(isolation_level="REPEATABLE READ") as c:
            c.exec_driver_sql(f"SET TRANSACTION SNAPSHOT '{snapshot}'")
            return {k: _raw_frame(c, k, period) for k in kinds}

    with ThreadPoolExecutor(len(_LANES), thread_name_prefix="kinerja-read") as pool:
        lanes = list(pool.map(lane, _LANES))
    return {k: f for frames in lanes for k, f in frames.items()}


def load_month(session: Session, period: str) -> MonthData:
    """Everything scoring needs for `period`; OPDs marked not assessable come with their reason."""
    employees = load_employees(session, period)
    raw = _raw_frames(session, period)
    att, act, beh, ind = (raw[k] for k in ("attendance", "activities", "behaviour", "indicators"))
    act["minutes"] = act["minutes"].astype(float)
    act["completed"] = act["completed"].astype(bool)
    beh["score"] = beh["score"].astype(float)
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
        attendance=att,
        activities=act,
        behaviour=beh,
        indicators=ind,
        unassessable_opds=unassessable,
    )
