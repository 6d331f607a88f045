"""The one reader of every file kinerja accepts: CSV and XLSX, one file per data kind.

`gather` (csv/xlsx sources), `kinerja score --data` and any import read through
`read_frame`: the encoding (UTF-8 with or without BOM; Windows-1252 recognised by
charset-normalizer, anything else refused by name), the delimiter (csv.Sniffer, checked
against the header), XLSX cells as typed by Excel (python-calamine), then sources.cells turns
locale forms into the contract's text or refuses the file naming row, column and value.
Rows are numbered as the spreadsheet numbers them (header = 1).
"""

from __future__ import annotations

import codecs
import csv
import hashlib
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from pandas.api.types import union_categoricals

from kinerja.rules.frames import FRAME_COLUMNS
from kinerja.sources.cells import Cells
from kinerja.sources.config import Dialect, SourceConfig
from kinerja.sources.http import SourceError

MAX_REPORTED = 20
SNIFF_BYTES = 64 * 1024
# Encodings charset-normalizer may name for a Windows-1252 export (the Western code page of
# an Indonesian Windows); any other guess is refused rather than decoded into wrong names.
WESTERN = {"cp1252", "windows-1252", "latin_1", "iso8859_1", "iso8859_15", "cp1250"}


def kind_file(folder: Path, kind: str, fmt: str) -> Path:
    return folder / f"{kind}.{fmt}"


class FileRefused(SourceError):
    """A file that cannot be read without guessing: every problem names row, column, value."""

    def __init__(self, source: str, path: Path, problems: list[str], total: int) -> None:
        more = f"\n... and {total - len(problems)} more" if total > len(problems) else ""
        super().__init__(
            source, f"file {path} refused, {total} problem(s):\n" + "\n".join(problems) + more
        )
        self.path = path
        self.problems = problems
        self.total = total


# Columns with few distinct values are read as categories: one string per value, not per cell,
# which keeps a month of 4 million activity rows well under a gigabyte.
REPEATING = {
    "nip",
    "rater_nip",
    "approver_nip",
    "supervisor_nip",
    "work_date",
    "status",
    "kind",
    "approval",
    "completed",
    "rater_role",
    "item",
    "score",
    "minutes",
    "value",
    "opd_code",
    "opd_name",
    "rumpun_code",
    "rumpun_name",
    "position_level",
    "job_title",
    "start_date",
    "end_date",
    "check_in",
    "check_out",
}


def detect_encoding(path: Path, source: str) -> str:
    """utf-8-sig for UTF-8 (BOM or not), cp1252 for a Western code page; else refused."""
    with path.open("rb") as fh:
        head = fh.read(SNIFF_BYTES)
        decoder = codecs.getincrementaldecoder("utf-8")()
        try:
            decoder.decode(head)
            for block in iter(lambda: fh.read(1 << 22), b""):
                decoder.decode(block)
            decoder.decode(b"", final=True)
            return "utf-8-sig"
        except UnicodeDecodeError:
            pass
    from charset_normalizer import from_path

    best = from_path(path).best()
    guess = best.encoding if best is not None else "unknown"
    if guess.replace("-", "_").lower() in {e.replace("-", "_") for e in WESTERN}:
        return "cp1252"
    raise SourceError(
        source,
        f"file {path} is not UTF-8 (it looks like {guess}): save it again as 'CSV UTF-8', or set "
        "dialect encoding for this source",
    )


def sniff_delimiter(path: Path, encoding: str, kind: str | None) -> str:
    """The delimiter csv.Sniffer finds, if it splits the header into known columns."""
    with path.open(encoding=encoding, errors="replace", newline="") as fh:
        sample = fh.read(SNIFF_BYTES)
    lines = sample.splitlines()
    header = lines[0] if lines else ""
    expected = set(FRAME_COLUMNS.get(kind or "", [])) | {"opd_code"}

    def known(delimiter: str) -> int:
        return len({c.strip().strip('"').lower() for c in header.split(delimiter)} & expected)

    try:
        found = csv.Sniffer().sniff("\n".join(lines[:50]), delimiters=",;\t|").delimiter
    except csv.Error:
        found = ","
    best = max([",", ";", "\t", "|"], key=known)
    return found if known(found) >= known(best) else best


def _read_csv(path: Path, encoding: str, delimiter: str, chunk_rows: int = 500_000) -> pd.DataFrame:
    """Read text cells in chunks; repeating columns become categories as they come."""
    parts: list[pd.DataFrame] = []
    options: dict[str, Any] = {
        "dtype": str,
        "keep_default_na": False,
        "na_values": [""],
        "encoding": encoding,
        "sep": delimiter,
    }
    for chunk in pd.read_csv(path, chunksize=chunk_rows, **options):
        chunk.columns = [str(c).strip().lower() for c in chunk.columns]
        for col in chunk.columns:
            if col in REPEATING:
                chunk[col] = chunk[col].astype("category")
        parts.append(chunk)
    if not parts:
        frame = pd.read_csv(path, **options)
        frame.columns = [str(c).strip().lower() for c in frame.columns]
        return frame
    if len(parts) == 1:
        return parts[0]
    columns = {}
    for col in parts[0].columns:
        pieces = [p[col] for p in parts]
        if isinstance(pieces[0].dtype, pd.CategoricalDtype):
            columns[col] = pd.Series(union_categoricals(pieces, ignore_order=True))
        else:
            columns[col] = pd.concat(pieces, ignore_index=True)
    return pd.DataFrame(columns)


def _read_xlsx(path: Path) -> tuple[pd.DataFrame, np.ndarray]:
    """The first sheet's cells as Excel typed them, and each row's spreadsheet number."""
    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_path(str(path))
    cells = book.get_sheet_by_index(0).to_python(skip_empty_area=False)
    if not cells:
        return pd.DataFrame(), np.zeros(0, dtype=np.int64)
    header = [str(c).strip().lower() for c in cells[0]]
    width = len(header)
    body = [r for r in cells[1:]]
    numbers = np.arange(2, len(body) + 2, dtype=np.int64)
    keep = [i for i, r in enumerate(body) if any(c not in ("", None) for c in r)]
    body = [body[i] for i in keep]
    grid = np.full((len(body), width), None, dtype=object)
    for i, r in enumerate(body):
        row = [None if c == "" else c for c in r[:width]]
        grid[i, : len(row)] = row
    named = [(j, h) for j, h in enumerate(header) if h]
    return pd.DataFrame({h: grid[:, j] for j, h in named}), numbers[keep]


def read_frame(
    path: Path,
    source: str = "file",
    dialect: Dialect | None = None,
    *,
    kind: str | None = None,
    nip_length: int | None = 18,
) -> pd.DataFrame:
    """One CSV or XLSX file as the contract's text (empty cells missing), or refused.

    attrs: `digest` (SHA-256 of the bytes), `file` (its name) and `rows` (each row's number
    in the spreadsheet). `nip_length`: digits of a NIP (policy nip.length); a shorter one
    lost digits in Excel.
    """
    dialect = dialect or Dialect()
    if not path.exists():
        raise SourceError(source, f"file {path} not found")
    delimiter = ","
    try:
        if path.suffix.lower() == ".xlsx":
            frame, rows = _read_xlsx(path)
        else:
            encoding = dialect.encoding or detect_encoding(path, source)
            delimiter = dialect.delimiter or sniff_delimiter(path, encoding, kind)
            frame = _read_csv(path, encoding, delimiter)
            # a quoted cell over several lines shifts the numbers after it: rare in exports
            rows = np.arange(2, len(frame) + 2, dtype=np.int64)
    except (ValueError, OSError, UnicodeDecodeError) as exc:
        raise SourceError(source, f"file {path} cannot be read: {exc}") from exc
    except Exception as exc:  # calamine raises its own types for a damaged workbook
        if type(exc).__module__.startswith("python_calamine"):
            raise SourceError(source, f"file {path} cannot be read: {exc}") from exc
        raise
    typed = path.suffix.lower() == ".xlsx"  # cells as Excel typed them, not text
    cells = Cells(frame, rows, dialect, delimiter, typed=typed)
    cells.run(nip_length)
    if cells.problems:
        shown = [p.render(path.name) for p in cells.problems[:MAX_REPORTED]]
        raise FileRefused(source, path, shown, cells.total)
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    if typed:  # text now: repeating columns become categories, as a CSV's do
        for col in frame.columns:
            if col in REPEATING:
                frame[col] = frame[col].astype("category")
    frame.attrs["digest"] = digest.hexdigest()
    frame.attrs["file"] = path.name
    frame.attrs["rows"] = rows
    return frame


def fetch_file(
    name: str,
    config: SourceConfig,
    kind: str,
    period: str,
    opd: str | None = None,
    nip_length: int | None = 18,
) -> pd.DataFrame:
    """One kind's rows for the period from the source's folder (the OPD's, with {opd})."""
    path = kind_file(config.folder(period, opd), kind, config.type)
    frame = read_frame(path, name, config.dialect, kind=kind, nip_length=nip_length)
    missing = [c for c in FRAME_COLUMNS[kind] if c not in frame.columns]
    if missing:
        raise SourceError(name, f"file {path} lacks columns {missing}")
    return frame


def write_frames(frames: dict[str, pd.DataFrame], folder: Path, fmt: str = "csv") -> list[Path]:
    """Write frames as <kind>.csv or <kind>.xlsx (the layout fetch_file reads)."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for kind, frame in frames.items():
        path = kind_file(folder, kind, fmt)
        if fmt == "xlsx":
            write_xlsx(frame, path)
        else:
            frame.to_csv(path, index=False)
        written.append(path)
    return written


def write_xlsx(frame: pd.DataFrame, path: Path) -> None:
    """One sheet of text cells (NIPs stay text), written row by row in constant memory."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("data")
    sheet.append([str(c) for c in frame.columns])
    columns = [frame[c].to_numpy(dtype=object) for c in frame.columns]
    for row in zip(*columns, strict=True):
        sheet.append([None if v is None or v != v else v for v in row])
    book.save(path)
