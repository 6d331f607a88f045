"""File cells in the forms spreadsheets write them, made the contract's text, or refused.

Dates (`dd/mm/yyyy`, `d/m/yyyy`, Excel date cells and serial numbers) become `yyyy-mm-dd`,
date-times `yyyy-mm-ddTHH:MM:SS`, decimal commas points, and an XLSX number cell plain text.
What cannot be read without guessing is a Problem naming the row and column: a NIP that Excel
stored as a number (its last digits are gone), a column of dates whose day and month read
both ways, a number whose separator could be a decimal or a thousands one. Anything else is
left as received, for the row checks (sources.validate) to accept or quarantine.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

import numpy as np
import pandas as pd

from kinerja.sources.config import Dialect

NIP_COLUMNS = ("nip", "rater_nip", "approver_nip", "supervisor_nip")
DATE_COLUMNS = ("start_date", "end_date", "work_date")
DATETIME_COLUMNS = ("entered_at",)
TIME_COLUMNS = ("check_in", "check_out")
NUMBER_COLUMNS = ("minutes", "score", "value")

LOST_DIGITS = (
    "NIP tersimpan sebagai angka di Excel dan kehilangan digit: format kolom sebagai Teks "
    "lalu ekspor ulang"
)
AMBIGUOUS_DATES = (
    "tanggal dapat dibaca sebagai hari/bulan maupun bulan/hari (semua hari di kolom ini "
    "12 atau kurang): tulis tanggal sebagai yyyy-mm-dd, atau tetapkan dialect date_format "
    "(dd/mm/yyyy) untuk sumber ini"
)

KEPT = 200  # problems kept per file (the count goes on): the first of them are shown
_EXCEL_EPOCH = date(1899, 12, 30)  # serial 1 = 1900-01-01 (Excel's leap-year bug included)
_SCIENTIFIC = re.compile(r"[+-]?\d+(?:[.,]\d*)?[eE][+-]?\d+")
_DECIMAL_FORM = re.compile(r"\d+[.,]\d*")
_DIGITS = re.compile(r"\d+")
_SLASH_DATE = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})")
_SLASH_DATETIME = re.compile(
    r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})[ T](\d{1,2})[:.](\d{2})(?:[:.](\d{2}))?"
)
_ISO_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2})?")
_COMMA = re.compile(r"[+-]?\d+,\d+")
_POINT = re.compile(r"[+-]?\d+\.\d+")
_THOUSANDS_POINT = re.compile(r"\d{1,3}(?:\.\d{3})+")
_THOUSANDS_COMMA = re.compile(r"\d{1,3}(?:,\d{3})+")


@dataclass(frozen=True)
class Problem:
    """One cell (or column) that cannot be read as received."""

    row: int | None  # as the spreadsheet numbers it (header = 1); None: the whole column
    column: str
    value: str
    reason: str

    def render(self, file: str) -> str:
        if self.row is None:
            return f"{file}, column {self.column}: {self.reason}"
        return f"{file} row {self.row}, column {self.column}: {self.value!r}: {self.reason}"


def as_received(value: Any) -> str:
    """A cell as the operator sees it in the file (a number cell as its number)."""
    if isinstance(value, float):
        # as Excel holds a number: 15 significant digits (1.97901142022100E+17)
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else f"{value:.15G}"
    return str(value)


def _plain(value: Any) -> str | None:
    """Any cell as text: numbers without a spurious '.0', dates ISO, booleans true/false."""
    if value is None:
        return None
    if isinstance(value, str):
        text = value.strip()
        return text or None
    if isinstance(value, bool | np.bool_):
        return "true" if value else "false"
    if isinstance(value, float | np.floating):
        if np.isnan(value):
            return None
        return str(int(value)) if float(value).is_integer() else repr(float(value))
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return value.strftime("%H:%M:%S")
    if isinstance(value, timedelta):  # a duration cell (time of day without a date)
        secs = int(value.total_seconds())
        return f"{secs // 3600:02d}:{secs % 3600 // 60:02d}:{secs % 60:02d}"
    text = str(value).strip()
    return text or None


class Column:
    """One column factorised: the distinct cells, and for each row which one it holds."""

    def __init__(self, series: pd.Series) -> None:
        if isinstance(series.dtype, pd.CategoricalDtype):
            self.codes = series.cat.codes.to_numpy()
            self.uniques = list(series.cat.categories)
        else:
            codes, uniques = pd.factorize(series.to_numpy(dtype=object), use_na_sentinel=True)
            self.codes, self.uniques = codes, list(uniques)
        self.categorical = isinstance(series.dtype, pd.CategoricalDtype)

    def rows_of(self, unique: int) -> np.ndarray:
        return np.flatnonzero(self.codes == unique)

    def rebuilt(self, values: list[str | None], categorical: bool) -> pd.Series:
        table = np.array([*values, None], dtype=object)
        out = table[np.where(self.codes < 0, len(values), self.codes)]
        series = pd.Series(out, dtype=object)
        return series.astype("category") if categorical else series


class Cells:
    """Normalises one file's columns in place and collects its problems."""

    def __init__(
        self,
        frame: pd.DataFrame,
        rows: np.ndarray,
        dialect: Dialect,
        delimiter: str,
        *,
        typed: bool = False,
    ) -> None:
        """`typed`: cells as a workbook holds them (numbers, dates, booleans), not text."""
        self.typed = typed
        self.frame = frame
        self.rows = rows
        self.dialect = dialect
        self.delimiter = delimiter
        self.problems: list[Problem] = []
        self.total = 0  # problems counted, even past those kept

    def _problem(self, col: Column, unique: int, name: str, value: Any, reason: str) -> None:
        hits = col.rows_of(unique)
        self.total += len(hits)
        for i in hits[: max(0, KEPT - len(self.problems))]:
            self.problems.append(Problem(int(self.rows[i]), name, as_received(value), reason))

    def _column_problem(self, name: str, reason: str) -> None:
        self.total += 1
        self.problems.append(Problem(None, name, name, reason))

    def run(self, nip_length: int | None) -> None:
        """Every column in place; then the problems kept, in the file's order."""
        self._run(nip_length)
        self.problems.sort(key=lambda p: (p.row or 0, p.column))

    def _run(self, nip_length: int | None) -> None:
        special = {*NIP_COLUMNS, *DATE_COLUMNS, *DATETIME_COLUMNS, *NUMBER_COLUMNS}
        for name in list(self.frame.columns):
            if not self.typed and name not in special:
                continue  # text already: the row checks clean it
            series = self.frame[name]
            if name in DATETIME_COLUMNS and self._iso_already(series):
                continue  # millions of distinct ISO stamps: the row checks parse them faster
            col = Column(series)
            if name in NIP_COLUMNS:
                values = self._nips(col, name, nip_length)
            elif name in DATE_COLUMNS or name in DATETIME_COLUMNS:
                values = self._dates(col, name, with_time=name in DATETIME_COLUMNS)
            elif name in NUMBER_COLUMNS:
                values = self._numbers(col, name)
            else:
                values = [_plain(v) for v in col.uniques]
            self.frame[name] = col.rebuilt(values, col.categorical)

    @staticmethod
    def _iso_already(series: pd.Series) -> bool:
        """Is a text column ISO date-times, judged on a sample (the rest fail checks if not)?"""
        if isinstance(series.dtype, pd.CategoricalDtype):
            return False
        sample = series.iloc[:: max(1, len(series) // 500)].dropna()
        return len(sample) > 0 and all(
            isinstance(v, str) and _ISO_DATETIME.match(v.strip()) for v in sample
        )

    def _nips(self, col: Column, name: str, length: int | None) -> list[str | None]:
        """A NIP is text: a number cell, scientific or decimal form, or too few digits lost
        digits to Excel, and no digit can be put back."""
        out: list[str | None] = []
        for i, v in enumerate(col.uniques):
            if isinstance(v, int | float | np.integer | np.floating) and not isinstance(v, bool):
                self._problem(col, i, name, v, LOST_DIGITS)
                out.append(None)
                continue
            text = _plain(v)
            if text is None:
                out.append(None)
                continue
            if _SCIENTIFIC.fullmatch(text) or _DECIMAL_FORM.fullmatch(text):
                self._problem(col, i, name, v, LOST_DIGITS)
            elif _DIGITS.fullmatch(text) and length is not None:
                if len(text) < length:
                    why = f"NIP {len(text)} digit, bukan {length}: {LOST_DIGITS}"
                    self._problem(col, i, name, v, why)
                elif len(text) == length and text.endswith("000"):
                    # Excel keeps 15 significant digits: the last three become zeros
                    self._problem(col, i, name, v, LOST_DIGITS)
            out.append(text)
        return out

    def _dates(self, col: Column, name: str, with_time: bool) -> list[str | None]:
        pattern = _SLASH_DATETIME if with_time else _SLASH_DATE
        texts: list[str | None] = []
        parts: dict[int, tuple[int, ...]] = {}
        for i, v in enumerate(col.uniques):
            if isinstance(v, datetime):
                texts.append(v.isoformat(timespec="seconds") if with_time else _midnight(v))
            elif isinstance(v, date):
                texts.append(v.isoformat())
            elif isinstance(v, float | int) and not isinstance(v, bool) and 1 <= v < 2958466:
                # an XLSX date typed as a number: Excel's day count, which reads one way only
                moment = datetime.combine(_EXCEL_EPOCH, time()) + timedelta(days=float(v))
                texts.append(moment.isoformat(timespec="seconds") if with_time else _day(moment))
            else:
                text = _plain(v)
                texts.append(text)
                m = pattern.fullmatch(text) if text else None
                if m:
                    parts[i] = tuple(int(g) if g else 0 for g in m.groups())
        if not parts:
            return texts
        order = self._order(name, [(p[0], p[1]) for p in parts.values()])
        if order is None:
            return texts
        for i, p in parts.items():
            day, month = (p[0], p[1]) if order == "dmy" else (p[1], p[0])
            hour, minute, second = p[3:6] if with_time else (0, 0, 0)
            try:
                when = datetime(p[2], month, day, hour, minute, second)
            except ValueError:
                continue  # not a date: left as received, the row checks reject it
            texts[i] = when.isoformat(timespec="seconds") if with_time else when.date().isoformat()
        return texts

    def _order(self, name: str, pairs: list[tuple[int, int]]) -> str | None:
        """Day/month order of a column's d/m/y values: fixed by the dialect, else evident."""
        fixed = self.dialect.date_format
        if fixed == "dd/mm/yyyy":
            return "dmy"
        if fixed == "mm/dd/yyyy":
            return "mdy"
        if fixed == "yyyy-mm-dd":
            return None  # other forms are not dates for this source
        first = any(a > 12 for a, _ in pairs)
        second = any(b > 12 for _, b in pairs)
        if first and second:
            self._column_problem(
                name,
                "kolom berisi tanggal hari/bulan dan bulan/hari sekaligus: perbaiki lalu ekspor "
                "ulang",
            )
            return None
        if first:
            return "dmy"
        if second:
            return "mdy"
        if any(a != b for a, b in pairs):
            self._column_problem(name, AMBIGUOUS_DATES)
            return None
        return "dmy"  # every day equals its month: both readings agree

    def _numbers(self, col: Column, name: str) -> list[str | None]:
        texts = [_plain(v) for v in col.uniques]
        typed = [not isinstance(v, str) for v in col.uniques]  # XLSX number cells: exact
        comma = {i for i, t in enumerate(texts) if t and not typed[i] and _COMMA.fullmatch(t)}
        point = {i for i, t in enumerate(texts) if t and not typed[i] and _POINT.fullmatch(t)}
        decimal = self.dialect.decimal
        if decimal is None:
            if comma and point:
                self._column_problem(
                    name,
                    "kolom angka memakai ',' dan '.' sekaligus (desimal atau ribuan?): tetapkan "
                    "dialect decimal untuk sumber ini",
                )
                return texts
            decimal = "," if comma else "."
            thousands = _THOUSANDS_POINT if self.delimiter == ";" else _THOUSANDS_COMMA
            for i in comma | point:
                if thousands.fullmatch(texts[i] or ""):
                    self._problem(
                        col,
                        i,
                        name,
                        col.uniques[i],
                        "pemisah ini bisa desimal atau ribuan: tetapkan dialect decimal untuk "
                        "sumber ini",
                    )
        wrong = point if decimal == "," else comma
        for i in wrong:
            self._problem(
                col,
                i,
                name,
                col.uniques[i],
                f"pemisah desimal sumber ini adalah {decimal!r}: periksa nilai ini",
            )
        for i in comma:
            if i not in wrong:
                texts[i] = (texts[i] or "").replace(",", ".")
        for i in wrong:
            texts[i] = None
        return texts


def _midnight(v: datetime) -> str:
    """A date column's datetime cell: its date when at midnight, else left as is (rejected)."""
    return v.date().isoformat() if v.time() == time() else v.isoformat(sep=" ")


def _day(moment: datetime) -> str:
    return moment.date().isoformat() if moment.time() == time() else moment.isoformat(sep=" ")
