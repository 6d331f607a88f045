"""Bulk data access for the month's raw tables (attendance, activity, behaviour, indicators).

Rows travel as DataFrames in canonical text form ('YYYY-MM-DD', 'HH:MM:SS',
'YYYY-MM-DD HH:MM:SS'). Inserts bypass the ORM: PostgreSQL gets COPY, SQLite gets one
executemany in SQLAlchemy's own storage format, so millions of rows load in seconds.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import (
    ARRAY,
    BindParameter,
    Column,
    Connection,
    Table,
    any_,
    bindparam,
    delete,
    select,
    text,
)
from sqlalchemy.orm import Session

from kinerja.db.bulk import copy_frame, insert_columns
from kinerja.db.models import Activity, AttendanceRecord, BehaviourAnswer, IndicatorValue
from kinerja.db.session import DEFERRED

TABLES: dict[str, Table] = {
    "attendance": AttendanceRecord.__table__,  # type: ignore[dict-item]
    "activities": Activity.__table__,  # type: ignore[dict-item]
    "behaviour": BehaviourAnswer.__table__,  # type: ignore[dict-item]
    "indicators": IndicatorValue.__table__,  # type: ignore[dict-item]
}
# Column kinds that need a storage format of their own.
TIME_COLUMNS = {"check_in", "check_out"}
DATETIME_COLUMNS = {"entered_at"}
DATE_COLUMNS = {"work_date"}
BOOL_COLUMNS = {"completed"}
IN_CHUNK = 2000  # bound parameters per IN list, well under SQLite's and PostgreSQL's limits


def table_for(kind: str) -> Table:
    return TABLES[kind]


def _dialect(session: Session) -> str:
    return session.get_bind().dialect.name


def _chunks(items: Sequence[Any], size: int = IN_CHUNK) -> Iterable[Sequence[Any]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def canonical(frame: pd.DataFrame) -> pd.DataFrame:
    """Stored values back to canonical text, whatever the backend returned."""
    out = frame.copy()
    for col in out.columns:
        if col in DATE_COLUMNS:
            out[col] = out[col].astype(str).str.slice(0, 10)
        elif col in TIME_COLUMNS:
            s = out[col]
            out[col] = s.astype(str).str.slice(0, 8).where(s.notna(), np.nan)
        elif col in DATETIME_COLUMNS:
            out[col] = out[col].astype(str).str.slice(0, 19).str.replace("T", " ", regex=False)
        elif col in BOOL_COLUMNS:
            out[col] = out[col].astype(bool)
    return out


def _month_days(period: str) -> tuple[date, date]:
    year, month = (int(x) for x in period.split("-"))
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def _array(values: Sequence[Any], column: Column[Any]) -> BindParameter[Any]:
    """One PostgreSQL array parameter holding every value."""
    return bindparam(None, list(values), type_=ARRAY(column.type))


def existing_rows(
    session: Session,
    kind: str,
    period: str,
    nips: Iterable[str],
    batch_ids: Sequence[int],
    columns: list[str],
) -> pd.DataFrame:
    """Stored rows of the period for these NIPs or from these batches (id, batch_id, columns)."""
    table = table_for(kind)
    cols = [table.c.id, table.c.batch_id, table.c.source, *[table.c[c] for c in columns]]
    names = ["id", "batch_id", "source", *columns]
    parts = []
    nip_list = sorted(set(nips))
    where = [table.c.period == period]
    if "work_date" in table.c:
        # the (nip, work_date) index answers NIP + day range without any statistics
        first, last = _month_days(period)
        where.append(table.c.work_date.between(first, last))
    postgres = _dialect(session) == "postgresql"
    wanted: list[tuple[Column[Any], list[Any], list[Any]]] = [
        (table.c.nip, nip_list, where),
        (table.c.batch_id, [int(b) for b in batch_ids], []),
    ]
    for column, values, also in wanted:
        # An OPD's 1,500 NIPs as one array on PostgreSQL: as an IN list, building and parsing
        # the statement cost more than running it (seconds over a month's deliveries).
        for chunk in [values] if postgres and values else _chunks(values):
            match = column == any_(_array(chunk, column)) if postgres else column.in_(chunk)
            stmt = select(*cols).where(match, *also)
            parts.append(pd.DataFrame(session.execute(stmt).all(), columns=names))
    if not parts:
        return pd.DataFrame(columns=names)
    frame = pd.concat(parts, ignore_index=True).drop_duplicates("id")
    return canonical(frame).reset_index(drop=True)


def _by_unique(values: np.ndarray, fn: Any) -> np.ndarray:
    """Apply fn once per distinct value (None stays None)."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    mapped = np.array([fn(u) for u in uniques] + [None], dtype=object)
    return mapped[np.where(codes < 0, len(uniques), codes)]


def _sqlite_columns(frame: pd.DataFrame) -> list[Any]:
    """Columns in SQLAlchemy's SQLite storage format (times with microseconds, 0/1, None)."""
    cols: list[Any] = []
    for col in frame.columns:
        s = frame[col]
        if col in TIME_COLUMNS or col in DATETIME_COLUMNS:
            cols.append(_by_unique(s.to_numpy(dtype=object), lambda v: f"{v}.000000"))
        elif col in BOOL_COLUMNS:
            cols.append(s.astype(bool).astype(int).tolist())
        elif s.dtype == object or str(s.dtype) == "str":
            arr = s.to_numpy(dtype=object)
            if pd.isna(arr).any():
                arr = arr.copy()
                arr[pd.isna(arr)] = None
            cols.append(arr.tolist())
        else:
            cols.append(s.astype(object).where(s.notna(), None).tolist())
    return cols


def insert_rows(session: Session, kind: str, frame: pd.DataFrame) -> int:
    """Bulk-insert rows (every column a table column except id)."""
    if frame.empty:
        return 0
    table = table_for(kind)
    cols = list(frame.columns)
    conn = session.connection()
    raw = conn.connection.driver_connection
    if _dialect(session) == "postgresql":
        with raw.cursor() as cur:  # type: ignore[union-attr]
            copy_frame(cur, table.name, frame)
        return len(frame)
    if _dialect(session) == "sqlite":
        # a big page cache keeps index inserts in memory
        raw.execute("PRAGMA cache_size=-262144")  # type: ignore[union-attr]
        insert_columns(raw, table.name, [str(c) for c in cols], _sqlite_columns(frame))
        return len(frame)
    records = frame.astype(object).where(frame.notna(), None).to_dict("records")
    session.execute(table.insert(), [{str(k): v for k, v in r.items()} for r in records])
    return len(frame)


@dataclass(frozen=True)
class Staged:
    """A delivery's rows held in a TEMP table of one SQLite connection, ready to be copied."""

    kind: str
    table: str  # temp.<table>
    columns: tuple[str, ...]
    rows: int


def stage_rows(conn: Connection, kind: str, frame: pd.DataFrame) -> Staged | None:
    """SQLite: copy rows into a TEMP table of `conn`, before its write transaction begins.

    Turning Python values into SQLite records is about half the cost of an insert. Done here,
    it runs while another process holds the database's single write lock; inside the lock,
    `insert_staged` then copies the rows in one statement. A TEMP table is private to the
    connection and writing it takes no lock on the database. None where there is nothing to
    gain: another backend, no rows, or a transaction already open on `conn`.
    """
    if conn.dialect.name != "sqlite" or frame.empty or conn.in_transaction():
        return None
    table = table_for(kind)
    name = f"stage_{table.name}"
    cols = [str(c) for c in frame.columns]
    with conn.execution_options(**{DEFERRED: True}).begin():
        raw = conn.connection.driver_connection
        raw.execute("PRAGMA temp_store=MEMORY")  # type: ignore[union-attr]
        raw.execute(f"DROP TABLE IF EXISTS temp.{name}")  # type: ignore[union-attr]
        raw.execute(  # type: ignore[union-attr]
            f"CREATE TEMP TABLE {name} AS SELECT {', '.join(cols)} FROM main.{table.name} WHERE 0"
        )
        insert_columns(raw, f"temp.{name}", cols, _sqlite_columns(frame))
    conn.execution_options(**{DEFERRED: False})
    return Staged(kind=kind, table=f"temp.{name}", columns=tuple(cols), rows=len(frame))


def insert_staged(session: Session, staged: Staged, constants: dict[str, Any]) -> int:
    """Copy staged rows into their table in the session's transaction, with `constants`
    (column -> one value for every row) beside them; the stage is emptied."""
    table = table_for(staged.kind)
    names = [*staged.columns, *constants]
    values = [*staged.columns, *(f":{c}" for c in constants)]
    session.execute(
        text(
            f"INSERT INTO main.{table.name} ({', '.join(names)}) "
            f"SELECT {', '.join(values)} FROM {staged.table}"
        ),
        constants,
    )
    unstage(session, staged)
    return staged.rows


def unstage(session: Session, staged: Staged) -> None:
    """Empty the stage, so the connection does not hold a delivery's rows until its next one."""
    session.execute(text(f"DELETE FROM {staged.table}"))


def update_rows(session: Session, kind: str, frame: pd.DataFrame) -> int:
    """Update rows by id: frame has id and the columns to set."""
    if frame.empty:
        return 0
    table = table_for(kind)
    cols = [c for c in frame.columns if c != "id"]
    if _dialect(session) == "sqlite":
        values = [*_sqlite_columns(frame[cols]), frame["id"].astype(int).tolist()]
        sql = f"UPDATE {table.name} SET {', '.join(f'{c} = ?' for c in cols)} WHERE id = ?"
        cur = session.connection().connection.driver_connection.cursor()  # type: ignore[union-attr]
        cur.executemany(sql, zip(*values, strict=True))
        cur.close()
        return len(frame)
    # PostgreSQL: stage the new values with COPY, then one UPDATE ... FROM.
    conn = session.connection()
    raw = conn.connection.driver_connection
    temp = f"tmp_upd_{table.name}"
    ordered = ["id", *cols]
    with raw.cursor() as cur:  # type: ignore[union-attr]
        cur.execute(f"DROP TABLE IF EXISTS {temp}")
        cur.execute(
            f"CREATE TEMP TABLE {temp} ON COMMIT DROP AS "
            f"SELECT {', '.join(ordered)} FROM {table.name} WITH NO DATA"
        )
        copy_frame(cur, temp, frame[ordered])
        sets = ", ".join(f"{c} = s.{c}" for c in cols)
        cur.execute(f"UPDATE {table.name} t SET {sets} FROM {temp} s WHERE t.id = s.id")
    return len(frame)


def delete_ids(session: Session, kind: str, ids: Sequence[int]) -> int:
    table = table_for(kind)
    for chunk in _chunks([int(i) for i in ids]):
        session.execute(delete(table).where(table.c.id.in_(chunk)))
    return len(ids)


def count_rows(session: Session, kind: str, period: str) -> int:
    from sqlalchemy import func

    table = table_for(kind)
    return int(session.scalar(select(func.count()).where(table.c.period == period)) or 0)
