"""CSV and XLSX import: one file per data kind (<kind>.csv / <kind>.xlsx), read as text."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd

from rules.frames import FRAME_COLUMNS
from sources.config import SourceConfig
from sources.http import SourceError


def kind_file(folder: Path, kind: str, fmt: str) -> Path:
    return folder / f"{kind}.{fmt}"


def read_frame(path: Path, source: str = "file") -> pd.DataFrame:
    """Read one CSV or XLSX file with every cell as text (empty cells as missing)."""
    if not path.exists():
        raise SourceError(source, f"file {path} not found")
    try:
        if path.suffix.lower() == ".xlsx":
            frame = pd.read_excel(path, dtype=str, engine="openpyxl", keep_default_na=False)
        else:
            frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (ValueError, OSError, UnicodeDecodeError) as exc:
        raise SourceError(source, f"file {path} cannot be read: {exc}") from exc
    frame.columns = [str(c).strip().lower() for c in frame.columns]
    frame = frame.astype(object).replace("", None)
    frame.attrs["digest"] = hashlib.sha256(path.read_bytes()).hexdigest()
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
