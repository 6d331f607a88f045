"""CSV and XLSX import: one file per data kind (<kind>.csv / <kind>.xlsx), read as text."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd
from pandas.api.types import union_categoricals

from kinerja.rules.frames import FRAME_COLUMNS
from kinerja.sources.config import SourceConfig
from kinerja.sources.http import SourceError


def kind_file(folder: Path, kind: str, fmt: str) -> Path:
    return folder / f"{kind}.{fmt}"


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
    "opd_code",
    "opd_name",
    "rumpun_code",
    "rumpun_name",
    "position_level",
    "job_title",
    "start_date",
    "end_date",
}


def _read_csv(path: Path, chunk_rows: int = 500_000) -> pd.DataFrame:
    """Read text cells in chunks; repeating columns become categories as they come."""
    parts: list[pd.DataFrame] = []
    reader = pd.read_csv(
        path,
        dtype=str,
        keep_default_na=False,
        na_values=[""],
        encoding="utf-8-sig",
        chunksize=chunk_rows,
    )
    for chunk in reader:
        for col in chunk.columns:
            if col.strip().lower() in REPEATING:
                chunk[col] = chunk[col].astype("category")
        parts.append(chunk)
    if not parts:
        return pd.read_csv(path, dtype=str, encoding="utf-8-sig")
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


def read_frame(path: Path, source: str = "file") -> pd.DataFrame:
    """Read one CSV or XLSX file with every cell as text (empty cells as missing)."""
    if not path.exists():
        raise SourceError(source, f"file {path} not found")
    try:
        if path.suffix.lower() == ".xlsx":
            frame = pd.read_excel(path, dtype=str, engine="openpyxl", keep_default_na=False)
            frame = frame.astype(object).replace("", None)
        else:
            frame = _read_csv(path)
    except (ValueError, OSError, UnicodeDecodeError) as exc:
        raise SourceError(source, f"file {path} cannot be read: {exc}") from exc
    frame.columns = [str(c).strip().lower() for c in frame.columns]
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    frame.attrs["digest"] = digest.hexdigest()
    return frame


def fetch_file(name: str, config: SourceConfig, kind: str, period: str) -> pd.DataFrame:
    """The whole government's rows of one kind for the period from the source's folder."""
    path = kind_file(config.folder(period), kind, config.type)
    frame = read_frame(path, name)
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
            frame.to_excel(path, index=False, engine="openpyxl")
        else:
            frame.to_csv(path, index=False)
        written.append(path)
    return written
