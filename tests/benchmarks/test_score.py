"""The benchmark compares like with like: pandas, polars and DuckDB agree on a generated month."""

from __future__ import annotations

import duckdb
import pytest
from kinerja_bench.generate import generate_month
from kinerja_bench.score import Result, _to_polars, agreement, duckdb_core, polars_core, report

from kinerja.rules.policy import load_policy


@pytest.mark.parametrize("policy_name", ["jabar", "banten-sikap"])
def test_three_engines_agree_on_a_generated_month(policy_name: str) -> None:
    policy = load_policy(policy_name)
    data = generate_month(300, policy, seed=7)
    assert len(data.attendance) == 300 * 21
    assert len(data.activities) == 300 * 60
    assert len(data.behaviour) == 300 * 56
    frames = {
        "employees": _to_polars(data.employees[["nip"]]),
        "attendance": _to_polars(data.attendance),
        "activities": _to_polars(data.activities),
        "behaviour": _to_polars(data.behaviour),
    }
    con = duckdb.connect()
    for name in ("employees", "attendance", "activities", "behaviour"):
        con.register(name, getattr(data, name))
    worst = agreement(
        data, policy, polars_core(frames, data, policy), duckdb_core(con, data, policy)
    )
    assert worst == {"polars": pytest.approx(0.0, abs=1e-9), "duckdb": pytest.approx(0.0, abs=1e-9)}


def test_report_prints_seconds_rows_per_second_and_memory() -> None:
    results = [
        Result("pandas score_month (all)", 0.5, 1000, 100.0),
        Result("pandas core", 0.2, 1000, 80.0),
        Result("polars core", 0.4, 1000, 90.0),
    ]
    text = report(50_000, results)
    assert "pandas core / polars core: 0.50x" in text
    assert "2,000" in text  # rows/s of the whole scoring
    assert "target (50,000 employees < 1 s, < 1 GB) for this N: met" in text
