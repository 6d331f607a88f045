"""Bulk writes of a DataFrame: PostgreSQL COPY built column by column, SQLite executemany."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import numpy as np
import pandas as pd

COPY_ROWS = 100_000  # rows per COPY message: bounded memory, few round trips
_SPECIAL = ("\\", "\t", "\n", "\r")


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def _text_column(s: pd.Series) -> list[str]:
    """One column in COPY's text format: escaped text, 't'/'f', numbers, \\N for missing."""
    if s.dtype == bool:
        return np.where(s.to_numpy(), "t", "f").tolist()
    if pd.api.types.is_integer_dtype(s.dtype):
        return s.to_numpy().astype(str).tolist()
    if pd.api.types.is_float_dtype(s.dtype):
        values = s.to_numpy(dtype=float)
        out = values.astype(str)
        out[np.isnan(values)] = "\\N"
        return out.tolist()
    arr = s.to_numpy(dtype=object)
    missing = np.flatnonzero(pd.isna(arr)).tolist()
    if pd.api.types.infer_dtype(arr, skipna=True) == "string":
        cells = arr.tolist()  # text already (the usual case): no per-cell conversion
    else:
        cells = [v if isinstance(v, str) else str(v) for v in arr.tolist()]
    for i in missing:
        cells[i] = ""
    # one scan of the whole column decides whether any cell needs escaping (rarely)
    joined = "\x00".join(cells)
    if any(ch in joined for ch in _SPECIAL):
        cells = [_escape(c) for c in cells]
    for i in missing:
        cells[i] = "\\N"
    return cells


def copy_frame(cur: Any, table: str, frame: pd.DataFrame) -> None:
    """COPY the frame in text format, built column-wise: ~10x cheaper than per-row writes."""
    with cur.copy(f"COPY {table} ({', '.join(frame.columns)}) FROM STDIN") as copy:
        for start in range(0, len(frame), COPY_ROWS):
            part = frame.iloc[start : start + COPY_ROWS]
            columns = [_text_column(part[c]) for c in part.columns]
            copy.write(("\n".join(map("\t".join, zip(*columns, strict=True))) + "\n").encode())


def _sqlite_cells(values: list[Any]) -> list[Any]:
    """Cells in SQLAlchemy's SQLite storage format: datetimes as text with microseconds."""
    if not any(isinstance(v, datetime) for v in values):
        return values
    return [f"{v:%Y-%m-%d %H:%M:%S.%f}" if isinstance(v, datetime) else v for v in values]


def insert_columns(raw: Any, table: str, names: list[str], columns: list[list[Any]]) -> None:
    """One executemany of rows given column by column, on a SQLite driver connection."""
    marks = ", ".join("?" * len(names))
    cur = raw.cursor()
    try:
        cur.executemany(
            f"INSERT INTO {table} ({', '.join(names)}) VALUES ({marks})",
            zip(*columns, strict=True),
        )
    finally:
        cur.close()


def insert_frame(raw: Any, table: str, frame: pd.DataFrame) -> None:
    """The frame's rows in one executemany on a SQLite driver connection (its transaction)."""
    columns = [_sqlite_cells(frame[c].tolist()) for c in frame.columns]
    insert_columns(raw, table, [str(c) for c in frame.columns], columns)
