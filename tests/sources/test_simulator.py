"""The demo province: deterministic, organised like a government, with the texture of real data."""

from __future__ import annotations

import pandas as pd

from kinerja.rules.calendar import working_days
from kinerja.rules.policy import load_policy
from kinerja.sources.simulator import SimulatedProvince, simulate_province
from tests.sources.conftest import PERIOD


def test_same_seed_same_province_other_seed_other_people() -> None:
    a = simulate_province(3, PERIOD, 40)
    b = simulate_province(3, PERIOD, 40)
    c = simulate_province(4, PERIOD, 40)
    for kind in a.frames:
        pd.testing.assert_frame_equal(a.frames[kind], b.frames[kind])
    assert set(a.employees["nip"]) != set(c.employees["nip"])


def test_organisation_and_hierarchy(province: SimulatedProvince) -> None:
    emp = province.employees.drop_duplicates("nip")
    emp = emp[emp["nip"].str.fullmatch(r"\d{18}") & (emp["position_level"] != "eselon_v")]
    assert len(emp) == 60
    sizes = emp.groupby("opd_code").size()
    assert len(sizes) >= 3 and sizes.nunique() > 1  # OPDs of different sizes
    assert set(province.opds["rumpun_code"]) <= set(emp["rumpun_code"])
    levels = emp.set_index("nip")["position_level"]
    assert (levels == "eselon_i").sum() == 1
    assert (levels == "eselon_ii").sum() == len(sizes) - 1  # one head per OPD besides Setda
    assert {"PNS", "PPPK"} <= set(emp["status"])
    rank = {"staff": 1, "eselon_iv": 2, "eselon_iii": 3, "eselon_ii": 4, "eselon_i": 5}
    for nip, sup in zip(emp["nip"], emp["supervisor_nip"], strict=True):
        if pd.isna(sup):
            assert levels[nip] == "eselon_i"
        else:
            assert rank[levels[sup]] > rank[levels[nip]]  # supervised from above


def test_month_has_the_texture_of_real_data(province: SimulatedProvince) -> None:
    att = province.frames["attendance"]
    days = working_days(PERIOD, load_policy("jabar").calendar)
    assert province.workdays == days
    statuses = att["status"].value_counts()
    assert statuses["present"] > 0.8 * len(att)
    assert {"leave", "sick", "official_travel", "connectivity_gap"} <= set(statuses.index)
    gap = att[att["status"] == "connectivity_gap"]
    assert set(gap["opd_code"]) == {province.offline_opd}
    assert set(gap["work_date"]) == {d.isoformat() for d in province.offline_days}
    present = att[(att["status"] == "present") & att["check_in"].notna()]
    late = present[present["check_in"].astype(str) > "07:30:00"]
    per_person = late.groupby("nip").size()
    assert 0 < len(late) < 0.3 * len(present)
    assert per_person.max() >= 5  # someone is chronically late
    act = province.frames["activities"]
    assert set(act["approval"]) == {"approved", "pending", "rejected"}
    entered = pd.to_datetime(act["entered_at"], errors="coerce")
    work = pd.to_datetime(act["work_date"], errors="coerce")
    assert ((entered - work).dt.days >= 1).any()  # entered late
    beh = province.frames["behaviour"]
    assert {"supervisor", "peer", "subordinate"} <= set(beh["rater_role"])
    ind = province.frames["indicators"]
    assert {"capaian_fisik", "iki", "iku", "ikp"} == set(ind["kind"])
    assert {k for k, _r, _o in province.dirty} == {
        "employees",
        "attendance",
        "activities",
        "behaviour",
        "indicators",
    }


def test_files_have_exactly_the_contract_columns(province: SimulatedProvince, tmp_path) -> None:
    from kinerja.rules.frames import FRAME_COLUMNS

    province.write(str(tmp_path), "csv")
    for kind, columns in FRAME_COLUMNS.items():
        header = (tmp_path / f"{kind}.csv").read_text().splitlines()[0].split(",")
        if kind == "employees":
            assert header[: len(columns)] == columns
        else:
            assert header == columns
