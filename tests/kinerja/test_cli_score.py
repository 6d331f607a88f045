"""`kinerja score` writes scores and candidates from a CSV folder; bad input exits with the cell."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from typer.testing import CliRunner

from kinerja.cli import app
from kinerja.rules.csv_month import write_month_csv
from tests.factories import MonthBuilder


def _month(folder: Path) -> list[str]:
    mb = MonthBuilder()
    ratios = [0.2, 0.4, 0.6, 0.8, 1.0]
    nips = []
    for r in ratios:
        nip = mb.good_employee(opd="DINKES")
        mb.full_activities(nip, main_ratio=r)
        nips.append(nip)
    write_month_csv(mb.build(), folder)
    return nips


def test_score_command_writes_scores_and_candidates(tmp_path: Path) -> None:
    nips = _month(tmp_path / "in")
    result = CliRunner().invoke(
        app,
        [
            "score",
            "--data",
            str(tmp_path / "in"),
            "--period",
            "2025-10",
            "--policy",
            "jabar",
            "--out",
            str(tmp_path / "out"),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "5 employees scored" in result.output
    scores = pd.read_csv(tmp_path / "out" / "scores.csv", dtype={"nip": str})
    cand = pd.read_csv(tmp_path / "out" / "candidates.csv", dtype={"nip": str})
    assert sorted(scores["nip"]) == sorted(nips)
    assert list(cand["nip"]) == nips[:3]
    assert list(cand["rank"]) == [1, 2, 3]
    assert set(cand["scope_code"]) == {"DINKES"}


def test_bad_input_exits_with_the_file_row_and_field(tmp_path: Path) -> None:
    _month(tmp_path / "in")
    path = tmp_path / "in" / "attendance.csv"
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    df.loc[0, "check_in"] = "25:00"
    df.to_csv(path, index=False)
    result = CliRunner().invoke(
        app,
        ["score", "--data", str(tmp_path / "in"), "--period", "2025-10", "--out", str(tmp_path)],
    )
    assert result.exit_code == 2
    assert "attendance.csv row 2: check_in '25:00' is not a time" in result.output
    assert not (tmp_path / "scores.csv").exists()
