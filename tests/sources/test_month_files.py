"""A month's folder for `score --data`: a clean folder reads back exactly; every bad cell is
refused naming file, row, column and value, by the checks gathering uses."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pytest

from kinerja.rules.csv_month import CsvError, write_month_csv
from kinerja.rules.policy import load_policy
from kinerja.rules.scoring import score_month
from kinerja.sources.month_files import read_month_files
from tests.factories import MonthBuilder

POLICY = load_policy("jabar")


def read_month_csv(folder: Path, period: str):  # noqa: ANN201
    return read_month_files(folder, period, POLICY)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    mb = MonthBuilder()
    boss = mb.good_employee(level="eselon_iv")
    mb.indicator(boss, "capaian_fisik", 80)
    for _ in range(3):
        nip = mb.good_employee(supervisor=boss)
    mb.full_attendance(nip, late_minutes=[12], excused_days=2)
    mb.unassessable["DINAS-Z"] = "data terlambat"
    mb.register_raters()
    write_month_csv(mb.build(), tmp_path)
    (tmp_path / "expected.csv").write_text(score_month(mb.build(), mb.policy).to_csv(index=False))
    return tmp_path


def test_round_trip_scores_the_same(folder: Path) -> None:
    month = read_month_csv(folder, "2025-10")
    assert month.unassessable_opds == {"DINAS-Z": "data terlambat"}
    expected = pd.read_csv(folder / "expected.csv", dtype=str, keep_default_na=False)
    got = score_month(month, MonthBuilder().policy)
    got = pd.read_csv(io.StringIO(got.to_csv(index=False)), dtype=str, keep_default_na=False)
    pd.testing.assert_frame_equal(got, expected)


def _edit(folder: Path, name: str, row: int, column: str, value: str) -> None:
    df = pd.read_csv(folder / f"{name}.csv", dtype=str, keep_default_na=False)
    df.loc[row, column] = value
    df.to_csv(folder / f"{name}.csv", index=False)


@pytest.mark.parametrize(
    ("name", "column", "value", "message"),
    [
        (
            "attendance",
            "work_date",
            "2025-10-32",
            "attendance.csv row 5: work_date '2025-10-32' is not a date",
        ),
        ("attendance", "check_in", "7.30", "attendance.csv row 5: check_in '7.30' is not a time"),
        (
            "attendance",
            "status",
            "bolos",
            "attendance.csv row 5: status 'bolos' is not one of absent",
        ),
        (
            "activities",
            "minutes",
            "-5",
            "activities.csv row 5: minutes '-5' is outside 1..1440",
        ),
        (
            "activities",
            "entered_at",
            "kemarin",
            "activities.csv row 5: entered_at 'kemarin' is not an ISO datetime",
        ),
        (
            "activities",
            "completed",
            "mungkin",
            "activities.csv row 5: completed 'mungkin' is not true/false",
        ),
        ("behaviour", "rater_role", "boss", "behaviour.csv row 5: rater_role 'boss' is not one of"),
        (
            "employees",
            "position_level",
            "director",
            "employees.csv row 5: position_level 'director'",
        ),
        ("employees", "nip", "", "employees.csv row 5: nip is missing"),
    ],
)
def test_bad_cells_are_named(
    folder: Path, name: str, column: str, value: str, message: str
) -> None:
    _edit(folder, name, 3, column, value)
    with pytest.raises(CsvError) as err:
        read_month_csv(folder, "2025-10")
    assert message in str(err.value)


def test_missing_columns_files_and_duplicates_are_reported_together(folder: Path) -> None:
    df = pd.read_csv(folder / "attendance.csv", dtype=str, keep_default_na=False)
    df.drop(columns=["check_out"]).to_csv(folder / "attendance.csv", index=False)
    (folder / "behaviour.csv").unlink()
    emp = pd.read_csv(folder / "employees.csv", dtype=str, keep_default_na=False)
    pd.concat([emp, emp.iloc[[0]]]).to_csv(folder / "employees.csv", index=False)
    with pytest.raises(CsvError) as err:
        read_month_csv(folder, "2025-10")
    text = str(err.value)
    assert "attendance.csv: missing column(s) check_out" in text
    assert "behaviour.csv: file missing" in text
    assert f"employees.csv row {len(emp) + 2}: nip+start_date repeats an earlier row" in text
    assert err.value.problems and text.startswith("3 problem(s)")


def test_indicators_file_is_optional(folder: Path) -> None:
    (folder / "indicators.csv").unlink()
    assert read_month_csv(folder, "2025-10").indicators.empty
