"""The review-runs benchmark's pure parts: the OPD split, its policy and its report."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from kinerja_bench.reviews import BENCH_FLOOR, ReviewsBench, bench_policy, report, split_opds

from kinerja.rules.policy import load_policy


def _register(sizes: dict[str, int]) -> pd.DataFrame:
    rows = []
    for code, n in sizes.items():
        rows += [{"nip": f"{code}{i:03d}", "opd_code": code, "opd_name": code} for i in range(n)]
    return pd.DataFrame(rows)


def test_split_makes_the_asked_number_of_opds_in_proportion() -> None:
    register = _register({"SETDA": 18, "DISDIK": 60, "DINKES": 24})
    out = split_opds(register, 17)
    assert out["opd_code"].nunique() == 17
    assert out["nip"].tolist() == register["nip"].tolist()  # same rows, same order
    sizes = out.groupby("opd_code").size()
    assert sizes.min() >= 5 and sizes.max() <= 7
    # each OPD's first part keeps its code (rows naming the OPD still find it), head first
    assert out.loc[register["opd_code"] == "DISDIK", "opd_code"].iloc[0] == "DISDIK"
    assert {c.split("-")[0] for c in out["opd_code"]} == {"SETDA", "DISDIK", "DINKES"}


def test_bench_policy_lets_small_opds_propose_someone(tmp_path: Path) -> None:
    policy = load_policy(bench_policy(tmp_path))
    assert policy.selection.max_composite == BENCH_FLOOR
    assert policy.bands[-1].min_score == BENCH_FLOOR


def test_report_gives_seconds_rate_and_cpu_per_run() -> None:
    result = ReviewsBench(
        requested=100, opds=100, employees=603, reviews=101, paused=101, servers=1,
        seconds_to_last_pause=50.5, seconds_to_first_pause=12.0, timed_out=False,
        server_cpu_s=20.2, serving_cpu_s=10.1, postgres_cpu_s=3.0, machine_cpu_s=90.0,
        prefect_db_mb=20.0, kinerja_db_mb=15.0, flow_runs=102, task_runs=300,
        load_before=(1.0, 1.0, 1.0), load_after=(2.0, 1.5, 1.0),
        setup_s={"served": 30.0}, steps={"start_reviews": 40.0},
    )  # fmt: skip
    text = report(result)
    assert "start -> last review Paused: 50.5 s" in text
    assert "101 paused, 2.00 runs/s" in text
    assert "Prefect server" in text and "0.200" in text  # 20.2 s / 101 runs
    assert "start_reviews 40.0 s" in text
    assert "TIMED OUT" not in text
