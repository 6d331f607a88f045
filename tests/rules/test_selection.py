"""Candidates: lowest N per OPD or rumpun, never thin data, excluded levels or failed OPDs;
ranks and ties are deterministic."""

from __future__ import annotations

import pandas as pd
import pytest

from kinerja.rules.policy import load_policy
from kinerja.rules.scoring import score_month
from kinerja.rules.selection import CANDIDATE_COLUMNS, propose_candidates
from tests.factories import MonthBuilder
from tests.rules.helpers import with_changes


def _staff(mb: MonthBuilder, opd: str, main_ratio: float, rumpun: str | None = "R1") -> str:
    nip = mb.employee(opd=opd, rumpun=rumpun)
    mb.full_attendance(nip)
    mb.full_activities(nip, main_ratio=main_ratio)
    mb.rate_360(nip)
    return nip


def _propose(mb: MonthBuilder) -> tuple[pd.DataFrame, pd.DataFrame]:
    data = mb.build()
    scores = score_month(data, mb.policy)
    return scores, propose_candidates(scores, mb.policy, data.unassessable_opds)


def test_lowest_three_per_opd_in_order() -> None:
    mb = MonthBuilder()
    a = [_staff(mb, "OPD-A", r) for r in (0.9, 0.1, 0.5, 0.3, 0.7)]
    b = [_staff(mb, "OPD-B", r) for r in (0.2, 0.8, 0.6, 0.4)]
    scores, cand = _propose(mb)
    assert list(cand.columns) == CANDIDATE_COLUMNS
    got = {
        scope: list(group.sort_values("rank")["nip"]) for scope, group in cand.groupby("scope_code")
    }
    assert got == {"OPD-A": [a[1], a[3], a[2]], "OPD-B": [b[0], b[3], b[2]]}
    assert set(cand["scope_kind"]) == {"opd"}
    ranks = scores.set_index("nip")["rank_opd"]
    assert [ranks[n] for n in (a[1], a[3], a[2], a[4], a[0])] == [1, 2, 3, 4, 5]


def test_per_rumpun_selection_spans_opds() -> None:
    mb = MonthBuilder(policy=load_policy("banten-sikap"))  # 5 lowest per rumpun
    r1 = [_staff(mb, opd, r, "R1") for opd, r in [("A", 0.1), ("A", 0.9), ("B", 0.2), ("B", 0.3)]]
    r1 += [_staff(mb, "C", r, "R1") for r in (0.4, 0.8)]
    r2 = [_staff(mb, "D", r, "R2") for r in (0.5, 0.6)]
    lone = _staff(mb, "E", 0.1, None)  # an OPD outside any rumpun is its own scope
    _, cand = _propose(mb)
    by_scope = {k: list(g.sort_values("rank")["nip"]) for k, g in cand.groupby("scope_code")}
    assert by_scope["R1"] == [r1[0], r1[2], r1[3], r1[4], r1[5]]
    assert by_scope["R2"] == r2
    assert by_scope["E"] == [lone]
    kinds = dict(zip(cand["scope_code"], cand["scope_kind"], strict=True))
    assert kinds == {"R1": "rumpun", "R2": "rumpun", "E": "opd"}
    assert set(cand.loc[cand["scope_code"] == "R1", "opd_code"]) == {"A", "B", "C"}


def test_thin_data_excluded_levels_and_unassessable_opds_are_never_proposed() -> None:
    mb = MonthBuilder()
    thin = _staff(mb, "OPD-A", 0.0)
    mb.full_attendance(thin, unobserved_days=20)
    sekda = mb.employee(opd="OPD-A", level="eselon_i")
    mb.full_attendance(sekda, absent_days=10)
    mb.rate_360(sekda)
    others = [_staff(mb, "OPD-A", r) for r in (0.2, 0.4, 0.6, 0.8)]
    failed = [_staff(mb, "OPD-X", r) for r in (0.1, 0.2, 0.3)]
    mb.unassessable["OPD-X"] = "data kehadiran tidak diterima"
    scores, cand = _propose(mb)
    s = scores.set_index("nip")
    assert s.loc[thin, "rank_opd"] == 1  # ranked for information...
    assert list(cand["nip"]) == others[:3]  # ...but never proposed
    assert not set(failed) & set(cand["nip"])
    assert sekda not in set(cand["nip"])


def test_ties_are_broken_by_the_policy_keys_then_nip() -> None:
    mb = MonthBuilder()
    mb.policy = with_changes(mb.policy, "selection", count=3)
    same = [_staff(mb, "OPD-A", 0.5) for _ in range(4)]
    # Same composite, but worse attendance and better kinerja: 0.5*k + 0.3*h + 0.2*p equal.
    odd = mb.employee(opd="OPD-A")
    mb.full_attendance(odd, absent_days=1)  # kehadiran 97: -0.9 composite
    mb.full_activities(odd, main_ratio=0.5 + 0.9 / 0.4 / 100)  # kinerja +1.8: +0.9 composite
    mb.rate_360(odd)
    scores, cand = _propose(mb)
    s = scores.set_index("nip")
    assert s.loc[odd, "composite"] == s.loc[same[0], "composite"]
    # composite ties, then kinerja (lower first): the four with lower kinerja, by NIP.
    assert list(cand["nip"]) == sorted(same)[:3]
    assert list(s.loc[sorted(same), "rank_opd"]) == [1, 2, 3, 4]
    assert s.loc[odd, "rank_opd"] == 5


def test_reordering_rows_does_not_change_candidates() -> None:
    mb = MonthBuilder()
    for r in (0.5, 0.5, 0.5, 0.2, 0.9):
        _staff(mb, "OPD-A", r)
    _, cand = _propose(mb)
    mb.employees.reverse()
    mb.attendance.reverse()
    _, again = _propose(mb)
    pd.testing.assert_frame_equal(cand, again)


def test_unknown_tie_break_column_fails_clearly() -> None:
    mb = MonthBuilder()
    _staff(mb, "OPD-A", 0.5)
    mb.policy = with_changes(mb.policy, "selection", tie_break=["composite", "shoe_size"])
    with pytest.raises(ValueError, match="shoe_size"):
        _propose(mb)
