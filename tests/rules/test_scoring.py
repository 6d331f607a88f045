"""Hand-computed scores for each Sikap position level, the Jabar composite, bands, explanations
and data sufficiency."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from kinerja.rules.frames import MonthData, empty_frame
from kinerja.rules.policy import load_policy
from kinerja.rules.scoring import SCORE_COLUMNS, band_of, score_month
from tests.factories import MonthBuilder
from tests.rules.helpers import score


def _org(policy_name: str) -> tuple[MonthBuilder, dict[str, str]]:
    """II -> III -> (IV-a, IV-b); IV-a -> (s1, s2). Every figure below is chosen by hand."""
    mb = MonthBuilder(policy=load_policy(policy_name))
    p: dict[str, str] = {}
    p["ii"] = mb.employee(level="eselon_ii", job_title="Kepala Dinas")
    p["iii"] = mb.employee(level="eselon_iii", supervisor=p["ii"])
    p["iva"] = mb.employee(level="eselon_iv", supervisor=p["iii"])
    p["ivb"] = mb.employee(level="eselon_iv", supervisor=p["iii"])
    p["s1"] = mb.employee(supervisor=p["iva"])
    p["s2"] = mb.employee(supervisor=p["iva"])
    for nip in p.values():
        mb.full_attendance(nip)
    mb.full_activities(p["s1"])  # own activity 100
    mb.full_activities(p["s2"], main_ratio=0.5)  # 0.8*50 + 0.2*100 = 60
    mb.full_activities(p["iva"], additional_ratio=0.5)  # 0.8*100 + 0.2*50 = 90
    mb.full_activities(p["ivb"])  # 100
    mb.full_activities(p["iii"])  # 100
    mb.full_activities(p["ii"])
    for key, value in (("s1", 4), ("s2", 4), ("iva", 4), ("ivb", 4), ("iii", 3), ("ii", 5)):
        mb.rate_360(p[key], value)  # 4 -> 75, 3 -> 50, 5 -> 100
    for key, cf, iki in (("iva", 80, 60), ("ivb", 100, 100), ("iii", 90, 70), ("ii", 70, 80)):
        mb.indicator(p[key], "capaian_fisik", cf)
        mb.indicator(p[key], "iki", iki)
    mb.indicator(p["ii"], "iku", 60)
    return mb, p


def test_sikap_staff() -> None:
    mb, p = _org("banten-sikap")
    s = score(mb)
    # 0.3 behaviour + 0.7 (0.8 main + 0.2 additional)
    assert s.loc[p["s1"], "composite"] == pytest.approx(0.3 * 75 + 0.7 * 100)
    assert s.loc[p["s2"], "composite"] == pytest.approx(0.3 * 75 + 0.7 * 60)


def test_sikap_eselon_iv() -> None:
    mb, p = _org("banten-sikap")
    s = score(mb)
    # 0.4 managerial [0.3 behaviour + 0.7 (0.4 subordinates + 0.6 own)] + 0.6 (0.7 cf + 0.3 iki)
    managerial = 0.3 * 75 + 0.7 * (0.4 * 80 + 0.6 * 90)
    expected = 0.4 * managerial + 0.6 * (0.7 * 80 + 0.3 * 60)
    assert s.loc[p["iva"], "c_subordinate_activity"] == pytest.approx(80.0)
    assert s.loc[p["iva"], "composite"] == pytest.approx(round(expected, 2))
    # No subordinates: their leaf is dropped and its siblings renormalised.
    assert s.loc[p["ivb"], "composite"] == pytest.approx(0.4 * (0.3 * 75 + 0.7 * 100) + 0.6 * 100)
    assert s.loc[p["ivb"], "missing_leaves"] == "subordinate_activity"


def test_sikap_eselon_iii() -> None:
    mb, p = _org("banten-sikap")
    s = score(mb)
    # 0.6 (0.6 cf + 0.4 iki) + 0.4 [0.3 behaviour + 0.7 (0.4 subordinates + 0.6 own)]
    expected = 0.6 * (0.6 * 90 + 0.4 * 70) + 0.4 * (0.3 * 50 + 0.7 * (0.4 * 95 + 0.6 * 100))
    assert s.loc[p["iii"], "composite"] == pytest.approx(round(expected, 2))


def test_sikap_eselon_ii() -> None:
    mb, p = _org("banten-sikap")
    s = score(mb)
    # 0.6 (0.5 cf + 0.5 mean(IKI, IKU)) + 0.4 (0.7 subordinates + 0.3 behaviour)
    expected = 0.6 * (0.5 * 70 + 0.5 * 70) + 0.4 * (0.7 * 100 + 0.3 * 100)
    assert s.loc[p["ii"], "composite"] == pytest.approx(expected)


def test_sikap_subtracts_attendance_deductions() -> None:
    mb, p = _org("banten-sikap")
    mb.full_attendance(p["s1"], late_minutes=[10, 45], absent_days=1)
    assert score(mb).loc[p["s1"], "composite"] == pytest.approx(92.5 - 0.5 - 1.0 - 3.0)


def test_jabar_composite_weights_kinerja_kehadiran_perilaku() -> None:
    mb, p = _org("jabar")
    mb.full_attendance(p["iva"], late_minutes=[10, 10])
    s = score(mb)
    # kinerja = the eselon IV tree without behaviour: managerial = 0.4*80 + 0.6*90 = 86.
    kinerja = 0.4 * 86 + 0.6 * (0.7 * 80 + 0.3 * 60)
    row = s.loc[p["iva"]]
    assert row["kinerja"] == pytest.approx(kinerja)
    assert (row["kehadiran"], row["perilaku"]) == (99.0, 75.0)
    assert row["composite"] == pytest.approx(0.5 * kinerja + 0.3 * 99 + 0.2 * 75)
    assert s.loc[p["s2"], "composite"] == pytest.approx(0.5 * 60 + 0.3 * 100 + 0.2 * 75)


def test_output_columns_follow_the_contract() -> None:
    mb, _ = _org("jabar")
    s = score_month(mb.build(), mb.policy)
    assert list(s.columns) == SCORE_COLUMNS
    for column in ("c_behaviour", "c_main_activity", "workdays_expected", "raters", "rank_rumpun"):
        assert column in s.columns


@pytest.mark.parametrize(
    ("value", "band"),
    [
        (0.0, "kurang"),
        (49.99, "kurang"),
        (50.0, "cukup"),
        (75.0, "cukup"),
        (75.01, "baik"),
        (100.0, "baik"),
    ],
)
def test_band_edges(value: float, band: str) -> None:
    assert band_of(np.array([value]), load_policy("jabar").bands)[0] == band


def test_exactly_75_falls_in_the_middle_band_end_to_end() -> None:
    mb, p = _org("jabar")
    s = score(mb)
    assert s.loc[p["s2"], "composite"] == 75.0
    assert s.loc[p["s2"], "band"] == "cukup"
    assert s.loc[p["s1"], "band"] == "baik"


def test_explanation_names_the_costliest_components_with_figures() -> None:
    mb = MonthBuilder()
    nip = mb.employee()
    mb.full_attendance(nip, late_minutes=[10] * 9, absent_days=3)
    mb.full_activities(nip, main_ratio=0.55)
    mb.rate_360(nip, 5)
    row = score(mb).loc[nip]
    assert row["explanation"] == (
        "Kegiatan utama disetujui 55% dari target; terlambat 9 kali; 3 hari tanpa keterangan."
    )


def test_explanation_when_nothing_costs_much() -> None:
    mb = MonthBuilder()
    nip = mb.good_employee()
    mb.rate_360(nip, 5)
    assert score(mb).loc[nip, "explanation"].startswith("Tidak ada komponen")


@pytest.mark.parametrize(
    ("setup", "reason"),
    [
        ({"unobserved_days": 12}, "data kehadiran hanya ada untuk 11 dari 23 hari kerja"),
        ({"excused_days": 12}, "12 dari 23 hari kerja berstatus cuti"),
    ],
)
def test_thin_attendance_data_is_flagged(setup: dict[str, int], reason: str) -> None:
    mb = MonthBuilder()
    nip = mb.good_employee()
    mb.full_attendance(nip, **setup)  # type: ignore[arg-type]
    row = score(mb).loc[nip]
    assert not row["sufficient"]
    assert reason in row["insufficient_reason"]


def test_few_raters_and_new_hires_are_flagged() -> None:
    mb = MonthBuilder()
    few = mb.good_employee()
    mb.rate_360(few, peers=1)  # 2 raters
    new = mb.good_employee(start=date(2025, 10, 27))  # 5 working days in post
    fine = mb.good_employee()
    s = score(mb)
    assert "penilai perilaku hanya 2 orang (minimal 3)" in s.loc[few, "insufficient_reason"]
    assert "hanya 5 hari kerja dalam jabatan" in s.loc[new, "insufficient_reason"]
    assert s.loc[fine, "sufficient"]
    assert s.loc[fine, "insufficient_reason"] == ""


def test_employees_outside_the_month_are_not_scored_and_duplicates_fail() -> None:
    mb = MonthBuilder()
    gone = mb.employee(end=date(2025, 9, 30))
    here = mb.good_employee()
    s = score(mb)
    assert gone not in s.index and here in s.index
    mb.employees.append(dict(mb.employees[-1]))
    with pytest.raises(ValueError, match=f"NIP listed more than once: {here}"):
        score(mb)


def test_unknown_position_level_names_the_employee() -> None:
    mb = MonthBuilder()
    nip = mb.employee(level="director")
    with pytest.raises(ValueError, match=f"employee {nip}: unknown position_level 'director'"):
        score(mb)


def test_a_month_without_raw_rows_flags_everyone_and_an_empty_roster_is_fine() -> None:
    mb = MonthBuilder()
    nip = mb.employee()
    data = mb.build()
    s = score_month(MonthData(data.period, data.employees), mb.policy).set_index("nip")
    assert not s.loc[nip, "sufficient"]
    assert (
        "data kehadiran hanya ada untuk 0 dari 23 hari kerja" in s.loc[nip, "insufficient_reason"]
    )
    empty = score_month(MonthData("2025-10", empty_frame("employees")), mb.policy)
    assert empty.empty and list(empty.columns) == SCORE_COLUMNS


@pytest.mark.parametrize("policy_name", ["jabar", "banten-sikap"])
def test_weighted_components_add_up_to_the_composite(policy_name: str) -> None:
    mb, p = _org(policy_name)
    mb.full_attendance(p["s2"], late_minutes=[20, 70], absent_days=1)
    s = score(mb)
    leaves = [c[2:] for c in s.columns if c.startswith("w_")]
    weights = s[[f"w_{leaf}" for leaf in leaves]].to_numpy()
    values = s[[f"c_{leaf}" for leaf in leaves]].fillna(0).to_numpy()
    total = (weights * values).sum(axis=1)
    if policy_name == "banten-sikap":
        total -= 100 - s["kehadiran"].to_numpy()
    assert total == pytest.approx(s["composite"].to_numpy(), abs=0.02)
    assert weights.sum(axis=1) == pytest.approx(np.ones(len(s)))
    # Staff in Jabar: 0.5 kinerja (0.8 main, 0.2 additional), 0.3 kehadiran, 0.2 perilaku.
    if policy_name == "jabar":
        staff = s.loc[p["s1"]]
        assert (staff["w_main_activity"], staff["w_attendance"]) == (0.4, 0.3)


def test_subordinates_activity_counts_work_awaiting_the_heads_approval() -> None:
    """A head who never approved: "capaian kegiatan bawahan" is the team's work, not 0%.

    The demo's "Capaian kegiatan bawahan rata-rata 0%" came from a head whose one direct
    subordinate entered a full month of work that the head never approved: the indicator
    counted approved minutes only, so it measured the head's own approvals.
    """
    mb = MonthBuilder()
    head = mb.good_employee(opd="DINKES", level="eselon_ii")
    sub = mb.employee(opd="DINKES", level="eselon_iii", supervisor=head)
    mb.full_attendance(sub)
    mb.full_activities(sub, main_ratio=0.9)
    mb.rate_360(sub)
    for a in mb.activities:
        if a["nip"] == sub:
            a["approval"] = "pending"  # the head never approved any of it
    rejected = mb.employee(opd="DINKES", level="eselon_iii", supervisor=head)
    mb.full_attendance(rejected)
    mb.full_activities(rejected, main_ratio=1.0)
    mb.rate_360(rejected)
    for a in mb.activities:
        if a["nip"] == rejected:
            a["approval"] = "rejected"  # rejected work was not done as asked: it never counts
    s = score(mb)
    # the subordinates' own approved achievement is still 0: approval is what counts for them
    assert s.loc[sub, "c_main_activity"] == 0.0
    # the team's work: (0.8 * 90 + 0.2 * 100) for one, 0 for the rejected one
    assert s.loc[head, "c_subordinate_activity"] == pytest.approx((0.8 * 90 + 0.2 * 100) / 2)
    assert s.loc[head, "subordinates"] == 2
    assert "bawahan rata-rata 0%" not in s.loc[head, "explanation"]
