"""load_month: a period's employees, raw rows and OPD status from the database, as MonthData."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from pandas.api.types import union_categoricals
from sqlalchemy import Connection, Engine, String, cast, func, select
from sqlalchemy.orm import Session

from kinerja.db.models import (
    Assignment,
    Employee,
    Opd,
    OpdPeriodStatus,
)
from kinerja.db.raw_data import table_for
from kinerja.domain import Period
from kinerja.processes import engine_url, process_pool, worker_count
from kinerja.rules.frames import FRAME_COLUMNS, SCORED_COLUMNS, MonthData

log = logging.getLogger(__name__)


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
    first, last = Period.parse(period).bounds()
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


def _raw_frame(
    conn: Connection,
    kind: str,
    period: str,
    ids: tuple[int, int] | None = None,
    nips: list[str] | None = None,
) -> pd.DataFrame:
    """The scored columns of a month of one raw table (rows with id in `ids`, if given).

    Rows come straight from the driver; dates and times arrive as text and are parsed per
    column (vectorised), instead of the ORM turning every cell into a Python object.
    PostgreSQL casts them to text in SQL; SQLite stores them as text already, and a cast there
    would only cost a function call per cell. Text columns come back as categoricals.
    """
    table = table_for(kind)
    columns = SCORED_COLUMNS[kind]
    as_text = _TEXT_CAST if conn.dialect.name == "postgresql" else set()
    cols = [cast(table.c[c], String).label(c) if c in as_text else table.c[c] for c in columns]
    stmt = select(*cols).where(table.c.period == period)
    if ids is not None:
        stmt = stmt.where(table.c.id.between(*ids))
    if nips is not None:
        stmt = stmt.where(table.c.nip.in_(nips))
    rows = conn.execute(stmt).cursor.fetchall()  # type: ignore[union-attr]
    # one 2-D object array (C loop) instead of pandas inferring a type per row and cell
    table_cells = np.array(rows, dtype=object).reshape(len(rows), len(columns))
    frame = pd.DataFrame({c: table_cells[:, i] for i, c in enumerate(columns)})
    for c in columns:
        if c in ("work_date", "entered_at"):
            # SQLite keeps microseconds ('... 08:00:00.000000'); ISO8601 reads either form
            frame[c] = pd.to_datetime(frame[c], format="ISO8601").dt.floor("s")
        elif c in ("check_in", "check_out"):
            frame[c] = _clock(frame[c]).astype("category")
        elif c == "completed":
            frame[c] = frame[c].isin([True, 1, "t", "1"])
        elif c in ("minutes", "score", "value"):
            frame[c] = frame[c].astype(float)
        else:
            # Codes and a few distinct values: cheap to send from a worker, and scoring maps
            # each distinct NIP or status once instead of once per row.
            frame[c] = frame[c].astype("category")
    return frame


def _clock(values: pd.Series) -> pd.Series:
    """Stored times as 'HH:MM:SS' text (None when missing), cutting each distinct value once."""
    codes, uniques = pd.factorize(values.to_numpy(dtype=object), use_na_sentinel=True)
    cut = np.array([str(u)[:8] for u in uniques] + [None], dtype=object)
    return pd.Series(cut[np.where(codes < 0, len(uniques), codes)], dtype=object)


KINDS = ("attendance", "activities", "behaviour", "indicators")
# A piece of the month for one worker: a raw table, or an id range of it.
Part = tuple[str, tuple[int, int] | None]


def _parts(conn: Connection, period: str, workers: int) -> list[Part]:
    """Activities (about 60 % of a month's rows) cut into one id range per worker, the other
    tables whole; largest first, so the workers finish together."""
    table = table_for("activities")
    low, high = conn.execute(
        select(func.min(table.c.id), func.max(table.c.id)).where(table.c.period == period)
    ).one()
    parts: list[Part] = [("activities", None)]  # no activities: one part, read empty
    if low is not None:
        step = (high - low) // workers + 1
        parts = [("activities", (a, min(a + step - 1, high))) for a in range(low, high + 1, step)]
    return parts + [("attendance", None), ("behaviour", None), ("indicators", None)]


_READER: dict[str, Any] = {}


def _init_reader(url: str, snapshot: str | None) -> None:
    """Per worker: its own engine, and the snapshot of the reading session (PostgreSQL)."""
    from kinerja.db.session import make_engine

    _READER.update(engine=make_engine(url, immediate=False), snapshot=snapshot)  # read only


def _read_part(kind: str, period: str, ids: tuple[int, int] | None) -> pd.DataFrame:
    """In a worker: one part of the month, as of the reading session's snapshot."""
    engine: Engine = _READER["engine"]
    snapshot = _READER["snapshot"]
    with engine.connect() as conn:
        if snapshot is not None:
            conn = conn.execution_options(isolation_level="REPEATABLE READ")
            conn.exec_driver_sql(f"SET TRANSACTION SNAPSHOT '{snapshot}'")
        return _raw_frame(conn, kind, period, ids)


def _read_parts(
    url: str, snapshot: str | None, period: str, parts: list[Part], workers: int
) -> list[pd.DataFrame]:
    with process_pool(workers, _init_reader, (url, snapshot)) as pool:
        futures = [pool.submit(_read_part, kind, period, ids) for kind, ids in parts]
        return [f.result() for f in futures]


def _data_version(raw: Any) -> int:
    """SQLite's count of commits by other connections, as this DBAPI connection sees it."""
    cur = raw.cursor()
    try:
        return int(cur.execute("PRAGMA data_version").fetchone()[0])
    finally:
        cur.close()


def _read_in_workers(conn: Connection, period: str, workers: int) -> dict[str, pd.DataFrame] | None:
    """The month read by worker processes, as of one moment; None if that cannot be had.

    On PostgreSQL the workers import this session's snapshot (`pg_export_snapshot`), so they
    see exactly what it sees. SQLite has no shared snapshot: if anything was committed while
    the workers read (PRAGMA data_version moved), their frames may disagree: None.
    """
    postgres = conn.dialect.name == "postgresql"
    snapshot = (
        conn.exec_driver_sql("SELECT pg_export_snapshot()").scalar_one() if postgres else None
    )
    # SQLite: a watcher connection of its own, outside any transaction, since in the
    # session's open transaction data_version stands still
    watcher = None if postgres else conn.engine.raw_connection()
    try:
        before = None if watcher is None else _data_version(watcher)
        parts = _parts(conn, period, workers)
        frames = _read_parts(engine_url(conn.engine), snapshot, period, parts, workers)
        if watcher is not None and _data_version(watcher) != before:
            return None
    finally:
        if watcher is not None:
            watcher.close()
    return {
        kind: _concat([f for (k, _), f in zip(parts, frames, strict=True) if k == kind])
        for kind in KINDS
    }


def _concat(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """Frames of one table read in parts, as one; categoricals stay categoricals."""
    if len(frames) == 1:
        return frames[0]
    columns = {}
    for c in frames[0].columns:
        parts = [f[c] for f in frames]
        if all(isinstance(p.dtype, pd.CategoricalDtype) for p in parts):
            columns[c] = pd.Series(union_categoricals(parts, ignore_order=True))
        else:
            columns[c] = pd.concat(parts, ignore_index=True)
    return pd.DataFrame(columns)


def _raw_frames(session: Session, period: str, workers: int) -> dict[str, pd.DataFrame]:
    """The four raw tables of the month, all as of one moment.

    With `workers` > 1 worker processes read them side by side (see _read_in_workers); else,
    or if SQLite changed meanwhile, this session reads them one after another.
    """
    conn = session.connection()
    if workers > 1:
        frames = _read_in_workers(conn, period, workers)
        if frames is not None:
            return frames
        log.warning("%s: the database changed while it was read in parts; reading again", period)
    return {kind: _raw_frame(conn, kind, period) for kind in KINDS}


def load_month(session: Session, period: str, workers: int | None = None) -> MonthData:
    """Everything scoring needs for `period`; OPDs marked not assessable come with their reason.

    `workers`: processes that read the raw tables (default: kinerja.processes.worker_count).
    """
    employees = load_employees(session, period)
    if workers is None:
        workers = worker_count(session.get_bind(), len(employees))  # type: ignore[arg-type]
    raw = _raw_frames(session, period, workers)
    return _month(session, period, employees, raw)


def load_opd(session: Session, period: str, opd_code: str) -> MonthData:
    """The month of one OPD's employees only (rescoring one person after a correction)."""
    employees = load_employees(session, period)
    employees = employees[employees["opd_code"] == opd_code].reset_index(drop=True)
    nips = sorted(employees["nip"].astype(str))
    conn = session.connection()
    raw = {kind: _raw_frame(conn, kind, period, nips=nips) for kind in KINDS}
    return _month(session, period, employees, raw)


def _month(
    session: Session, period: str, employees: pd.DataFrame, raw: dict[str, pd.DataFrame]
) -> MonthData:
    att, act, beh, ind = (raw[k] for k in KINDS)
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
