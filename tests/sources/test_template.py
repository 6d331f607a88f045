"""`kinerja template`: workbooks an office fills by hand, read by an xlsx source unchanged."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

import pandas as pd
from openpyxl import load_workbook
from sqlalchemy import Engine
from typer.testing import CliRunner

from kinerja.cli import app
from kinerja.db.month_data import load_month
from kinerja.db.session import session_scope
from kinerja.rules.policy import load_policy
from kinerja.rules.scoring import score_month
from kinerja.sources.config import SourcesConfig, files_config
from kinerja.sources.gather import gather_month
from kinerja.sources.simulator import SimulatedProvince
from kinerja.sources.template import columns_of
from tests.conftest import _clean
from tests.sources.conftest import PERIOD
from tests.sources.test_gather import dump

POLICY = load_policy("jabar")


def _cell(column: str, value: Any) -> Any:
    """A value as a person types it into the template: dates as dates, numbers as numbers."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    text = str(value)
    try:
        if column in ("start_date", "end_date", "work_date"):
            return date.fromisoformat(text)
        if column == "entered_at":
            return datetime.fromisoformat(text)
        if column in ("minutes", "score", "value"):
            return float(text)
    except ValueError:
        return text  # a bad value stays as typed: the checks quarantine it
    if column == "completed":
        return {"true": "Ya", "false": "Tidak"}.get(text.lower(), text)
    return text


def fill(folder: Path, province: SimulatedProvince) -> None:
    for kind in province.frames:
        path = folder / f"{kind}.xlsx"
        book = load_workbook(path)
        sheet = book["data"]
        header = [c.value for c in sheet[1]]
        assert header == columns_of(kind)
        frame = province.contract_frame(kind)
        for i, row in enumerate(frame.itertuples(index=False), start=2):
            for j, column in enumerate(header, start=1):
                value = getattr(row, column) if column in frame.columns else None
                sheet.cell(row=i, column=j, value=_cell(column, value))
        book.save(path)


def scores(engine: Engine) -> pd.DataFrame:
    with session_scope(engine) as s:
        month = load_month(s, PERIOD, workers=1)
    out = score_month(month, POLICY)
    return out.sort_values("nip").reset_index(drop=True)


def test_the_templates_guide_the_person_filling_them(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["template", "--period", PERIOD, "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    book = load_workbook(tmp_path / "attendance.xlsx")
    assert book.sheetnames == ["data", "Petunjuk"]
    data = book["data"]
    assert data["A2"].number_format == "@"  # the NIP column is Text
    assert data["B2"].number_format == "DD/MM/YYYY"
    lists = {str(v.sqref): v.formula1 for v in data.data_validations.dataValidation}
    assert '"present,absent,leave,sick,official_travel,holiday,connectivity_gap"' in lists.values()
    explained = {r[0].value: r[2].value for r in book["Petunjuk"].iter_rows(min_row=5)}
    assert set(explained) == set(columns_of("attendance"))
    assert "Status kehadiran" in explained["status"]
    behaviour = load_workbook(tmp_path / "behaviour.xlsx")["data"]
    roles = [v.formula1 for v in behaviour.data_validations.dataValidation]
    assert '"supervisor,peer,subordinate"' in roles
    assert '"' + ",".join(POLICY.behaviour.items) + '"' in roles


def test_a_filled_template_gathers_as_the_http_month(
    engine: Engine, config: SourcesConfig, province: SimulatedProvince, tmp_path: Path
) -> None:
    report = gather_month(engine, PERIOD, config, policy=POLICY)
    assert report.ok and not report.failures
    via_http, http_scores = dump(engine, with_source=False), scores(engine)

    result = CliRunner().invoke(app, ["template", "--period", PERIOD, "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    fill(tmp_path, province)
    _clean(engine)
    report = gather_month(engine, PERIOD, files_config(tmp_path, "xlsx"), policy=POLICY)
    assert report.ok and not report.failures, report.summary()
    assert dump(engine, with_source=False) == via_http
    pd.testing.assert_frame_equal(scores(engine), http_scores)
    assert len(http_scores) > 50
