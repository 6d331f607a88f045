"""`kinerja score` writes scores and candidates from a CSV folder; bad input exits with the cell."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from typer.testing import CliRunner

from kinerja.cli import app
from kinerja.rules.csv_month import write_month_csv
from tests.factories import MonthBuilder


def _month(folder: Path) -> tuple[list[str], list[str]]:
    mb = MonthBuilder()
    mb.good_employee(opd="DINKES", level="eselon_ii", nip="199001012015011999")
    ratios = [0.2, 0.4, 0.6, 0.8, 1.0]
    nips = []
    for r in ratios:
        nip = mb.good_employee(opd="DINKES")
        mb.full_activities(nip, main_ratio=r)
        nips.append(nip)
    raters = mb.register_raters()  # peers from elsewhere: in the register, as gathering needs
    write_month_csv(mb.build(), folder)
    return nips, raters


def test_score_command_writes_scores_and_candidates(tmp_path: Path) -> None:
    nips, raters = _month(tmp_path / "in")
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
    assert f"{6 + len(raters)} employees scored" in result.output
    scores = pd.read_csv(tmp_path / "out" / "scores.csv", dtype={"nip": str})
    cand = pd.read_csv(tmp_path / "out" / "candidates.csv", dtype={"nip": str})
    assert set(nips) <= set(scores["nip"])
    # 63 and 71 are at or below the floor of 75; 79 and above are never proposed
    assert list(cand["nip"]) == nips[:2]
    assert list(cand["rank"]) == [1, 2]
    assert set(cand["scope_code"]) == {"DINKES"} and set(cand["review_scope"]) == {"DINKES"}
    notes = pd.read_csv(tmp_path / "out" / "proposal_notes.csv")
    dinkes = notes.set_index("review_scope").loc["DINKES", "note"]
    assert dinkes.startswith("Hanya 2 pegawai di bawah ambang 75: 2 diusulkan")


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
