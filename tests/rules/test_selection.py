"""Candidates: only at or below the absolute floor, lowest N per OPD or rumpun, never thin data,
excluded levels or failed OPDs; ties at the cut are never split by NIP; every review says why
it holds as many names as it does."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from kinerja.rules.policy import load_policy
from kinerja.rules.scoring import score_month
from kinerja.rules.selection import CANDIDATE_COLUMNS, Proposal, propose, propose_candidates
from tests.factories import MonthBuilder
from tests.rules.helpers import with_changes

# jabar, staff rated 4 of 5 with full additional activity: composite = 40 * main_ratio + 55,
# so a main ratio of 0.5 is exactly the floor (75) and 0.6 is above it (79).


def _head(mb: MonthBuilder, opd: str, rumpun: str | None = "R1") -> str:
    head = mb.good_employee(opd=opd, rumpun=rumpun, level="eselon_ii", job_title="Kepala")
    return head


def _staff(
    mb: MonthBuilder, opd: str, main_ratio: float, rumpun: str | None = "R1", head: str = ""
) -> str:
    nip = mb.employee(opd=opd, rumpun=rumpun, supervisor=head or None)
    mb.full_attendance(nip)
    mb.full_activities(nip, main_ratio=main_ratio)
    mb.rate_360(nip)
    return nip


def _unit(mb: MonthBuilder, opd: str, ratios: list[float], rumpun: str | None = "R1") -> list[str]:
    head = _head(mb, opd, rumpun)
    return [_staff(mb, opd, r, rumpun, head) for r in ratios]


def _proposal(mb: MonthBuilder) -> tuple[pd.DataFrame, Proposal]:
    data = mb.build()
    scores = score_month(data, mb.policy)
    return scores, propose(scores, mb.policy, data.unassessable_opds, data.employees)


def _note(proposal: Proposal, scope: str) -> str:
    notes = proposal.notes.set_index("review_scope")
    return str(notes.loc[scope, "note"])


def test_lowest_three_at_or_below_the_floor_per_opd_in_order() -> None:
    mb = MonthBuilder()
    a = _unit(mb, "OPD-A", [0.9, 0.1, 0.5, 0.3, 0.7])
    b = _unit(mb, "OPD-B", [0.2, 0.8, 0.6, 0.4])
    scores, proposal = _proposal(mb)
    cand = proposal.candidates
    assert list(cand.columns) == CANDIDATE_COLUMNS
    got = {
        scope: list(group.sort_values("rank")["nip"]) for scope, group in cand.groupby("scope_code")
    }
    # OPD-B has only two at or below 75 (63 and 71): two names, not three.
    assert got == {"OPD-A": [a[1], a[3], a[2]], "OPD-B": [b[0], b[3]]}
    assert scores.set_index("nip").loc[a[2], "composite"] == 75.0  # the floor is inclusive
    assert set(cand["scope_kind"]) == {"opd"}
    assert list(cand["review_scope"]) == list(cand["opd_code"])
    ranks = scores.set_index("nip")["rank_opd"]
    order = [ranks[n] for n in (a[1], a[3], a[2], a[4], a[0])]
    assert order == sorted(order) and order[:2] == [1, 2]
    assert _note(proposal, "OPD-B").startswith("Hanya 2 pegawai di bawah ambang 75: 2 diusulkan")
    assert _note(proposal, "OPD-A").startswith("3 pegawai terendah di bawah ambang 75 diusulkan")


def test_uniform_good_opd_proposes_nobody_and_says_why() -> None:
    """Everyone perfect but one who was 5 minutes late once: nobody is near the floor."""
    mb = MonthBuilder()
    head = _head(mb, "OPD-U")
    team = [_staff(mb, "OPD-U", 1.0, head=head) for _ in range(6)]
    mb.full_attendance(team[0], late_minutes=[5])
    scores, proposal = _proposal(mb)
    s = scores.set_index("nip")
    assert s.loc[team[0], "composite"] < s.loc[team[1], "composite"]
    assert proposal.candidates.empty
    note = _note(proposal, "OPD-U")
    assert note.startswith("Tidak ada pegawai di bawah ambang 75")
    assert "tidak ada usulan" in note


def test_uniform_weak_opd_proposes_only_those_below_the_floor() -> None:
    mb = MonthBuilder()
    head = _head(mb, "OPD-W")
    above = [_staff(mb, "OPD-W", 0.9, head=head) for _ in range(4)]
    below = _staff(mb, "OPD-W", 0.3, head=head)  # 67
    _, proposal = _proposal(mb)
    assert list(proposal.candidates["nip"]) == [below]
    assert not set(above) & set(proposal.candidates["nip"])
    assert _note(proposal, "OPD-W").startswith("Hanya 1 pegawai di bawah ambang 75: 1 diusulkan")


def test_a_gap_below_the_opd_median_narrows_the_floor() -> None:
    mb = MonthBuilder()
    mb.policy = with_changes(mb.policy, "selection", min_gap_below_median=5)
    # staff composites 59, 67, 71, 75, 75, 75, 91: all but 91 are at or below 75
    team = _unit(mb, "OPD-G", [0.1, 0.3, 0.4, 0.5, 0.5, 0.5, 1.0])
    scores, proposal = _proposal(mb)
    s = scores.set_index("nip")
    median = s.loc[s["opd_code"] == "OPD-G", "composite"].median()
    wanted = [n for n in team if s.loc[n, "composite"] <= median - 5]
    assert 0 < len(wanted) < 3
    assert list(proposal.candidates["nip"]) == wanted
    note = _note(proposal, "OPD-G")
    assert "sekurang-kurangnya 5 poin di bawah median unit kerja" in note


def test_per_rumpun_selection_spans_opds() -> None:
    # banten-sikap: 5 lowest per rumpun; staff composite = 36.5 + 56 * main_ratio.
    mb = MonthBuilder(policy=load_policy("banten-sikap"))
    ha, hb, hc = (_head(mb, opd) for opd in ("A", "B", "C"))
    r1 = [_staff(mb, "A", r, "R1", ha) for r in (0.1, 0.9)]
    r1 += [_staff(mb, "B", r, "R1", hb) for r in (0.2, 0.3)]
    r1 += [_staff(mb, "C", r, "R1", hc) for r in (0.4, 0.8)]
    r2 = _unit(mb, "D", [0.5, 0.6], "R2")
    lone = _unit(mb, "E", [0.1], None)[0]  # an OPD outside any rumpun is its own scope
    _, proposal = _proposal(mb)
    cand = proposal.candidates
    by_scope = {k: list(g.sort_values("rank")["nip"]) for k, g in cand.groupby("scope_code")}
    # 0.9 (86.9) and 0.8 (81.3) are above the floor: four names in R1, not five.
    assert by_scope["R1"] == [r1[0], r1[2], r1[3], r1[4]]
    assert by_scope["R2"] == r2
    assert by_scope["E"] == [lone]
    kinds = dict(zip(cand["scope_code"], cand["scope_kind"], strict=True))
    assert kinds == {"R1": "rumpun", "R2": "rumpun", "E": "opd"}
    # each OPD's head decides only on their own OPD's names
    assert dict(zip(cand["nip"], cand["review_scope"], strict=True))[r1[2]] == "B"
    assert "peringkat dihitung per rumpun" in _note(proposal, "B")


def test_thin_data_excluded_levels_and_unassessable_opds_are_never_proposed() -> None:
    mb = MonthBuilder()
    head = _head(mb, "OPD-A")
    thin = _staff(mb, "OPD-A", 0.0, head=head)
    mb.full_attendance(thin, unobserved_days=20)
    sekda = mb.employee(opd="SETDA", level="eselon_i")
    mb.full_attendance(sekda, absent_days=10)
    mb.rate_360(sekda)
    others = [_staff(mb, "OPD-A", r, head=head) for r in (0.2, 0.4, 0.45, 0.48)]
    failed = _unit(mb, "OPD-X", [0.1, 0.2, 0.3])
    mb.unassessable["OPD-X"] = "data kehadiran tidak diterima"
    scores, proposal = _proposal(mb)
    s = scores.set_index("nip")
    assert s.loc[thin, "rank_opd"] == 1  # ranked for information...
    cand = proposal.candidates
    in_opd = cand.loc[cand["review_scope"] == "OPD-A", "nip"]
    assert list(in_opd) == others[:3]  # ...but never proposed
    assert not set(failed) & set(proposal.candidates["nip"])
    assert sekda not in set(proposal.candidates["nip"])
    assert "1 pegawai tidak diusulkan karena datanya tidak cukup" in _note(proposal, "OPD-A")


def _tied_unit(mb: MonthBuilder) -> tuple[list[str], list[str]]:
    """Two clearly lowest, then three exactly equal (the cut of 3 falls inside them)."""
    head = _head(mb, "OPD-T")
    lowest = [_staff(mb, "OPD-T", r, head=head) for r in (0.1, 0.2)]
    same = [_staff(mb, "OPD-T", 0.4, head=head) for _ in range(3)]
    _staff(mb, "OPD-T", 0.9, head=head)
    return lowest, same


def test_ties_at_the_cut_are_all_proposed_by_default_never_split_by_nip() -> None:
    mb = MonthBuilder()
    lowest, same = _tied_unit(mb)
    _, proposal = _proposal(mb)
    assert sorted(proposal.candidates["nip"]) == sorted(lowest + same)
    assert "3 pegawai bernilai sama pada batas usulan: semuanya diusulkan" in _note(
        proposal, "OPD-T"
    )


def test_ties_at_the_cut_can_be_left_out_as_a_whole_by_policy() -> None:
    mb = MonthBuilder()
    mb.policy = with_changes(mb.policy, "selection", ties="none")
    lowest, _ = _tied_unit(mb)
    _, proposal = _proposal(mb)
    assert list(proposal.candidates["nip"]) == lowest
    assert "tidak satu pun diusulkan" in _note(proposal, "OPD-T")


def test_equal_composites_are_still_ordered_by_the_other_policy_keys() -> None:
    mb = MonthBuilder()
    head = _head(mb, "OPD-A")
    same = [_staff(mb, "OPD-A", 0.45, head=head) for _ in range(2)]
    # Same composite, but worse attendance and better kinerja: 0.5*k + 0.3*h + 0.2*p equal.
    odd = mb.employee(opd="OPD-A", supervisor=head)
    mb.full_attendance(odd, absent_days=1)  # kehadiran 97: -0.9 composite
    mb.full_activities(odd, main_ratio=0.45 + 0.9 / 0.4 / 100)  # kinerja +1.8: +0.9 composite
    mb.rate_360(odd)
    lower = _staff(mb, "OPD-A", 0.1, head=head)
    mb.policy = with_changes(mb.policy, "selection", ties="none")
    scores, proposal = _proposal(mb)
    s = scores.set_index("nip")
    assert s.loc[odd, "composite"] == s.loc[same[0], "composite"]
    # lower kinerja first: the two equal ones fill the three places with `lower`; `odd` differs
    # from them in kinerja, so it is no tie and stays out.
    assert list(proposal.candidates["nip"]) == [lower, *sorted(same)]
    assert s.loc[odd, "rank_opd"] > max(s.loc[same, "rank_opd"])


def test_a_head_is_never_a_candidate_in_the_review_they_decide() -> None:
    mb = MonthBuilder()
    sekda = mb.good_employee(opd="SETDA", level="eselon_i", job_title="Sekretaris Daerah")
    setda_staff = [_staff(mb, "SETDA", 0.2, head=sekda) for _ in range(2)]
    weak_head = mb.employee(opd="OPD-A", level="eselon_ii", supervisor=sekda, job_title="Kepala")
    mb.full_attendance(weak_head, absent_days=6, late_minutes=[60] * 8)
    mb.rate_360(weak_head, score=2.0)
    team = [_staff(mb, "OPD-A", r, head=weak_head) for r in (0.1, 0.3, 1.0)]
    scores, proposal = _proposal(mb)
    cand = proposal.candidates.set_index("nip")
    assert scores.set_index("nip").loc[weak_head, "composite"] < 75
    assert weak_head not in set(cand.index[cand["review_scope"] == "OPD-A"])
    assert cand.loc[weak_head, "review_scope"] == "PIMPINAN"
    assert (cand.loc[weak_head, "scope_kind"], cand.loc[weak_head, "scope_code"]) == (
        "heads",
        "PIMPINAN",
    )
    assert set(cand.index[cand["review_scope"] == "OPD-A"]) == {team[0], team[1]}
    assert set(cand.index[cand["review_scope"] == "SETDA"]) == set(setda_staff)
    assert sekda not in cand.index  # eselon I is never proposed
    assert "dinilai pada tinjauan PIMPINAN" in _note(proposal, "OPD-A")


def test_reordering_rows_does_not_change_candidates() -> None:
    mb = MonthBuilder()
    _unit(mb, "OPD-A", [0.5, 0.5, 0.5, 0.2, 0.9])
    _, first = _proposal(mb)
    mb.employees.reverse()
    mb.attendance.reverse()
    _, again = _proposal(mb)
    pd.testing.assert_frame_equal(first.candidates, again.candidates)


def test_without_a_register_the_heads_come_from_the_scores() -> None:
    mb = MonthBuilder()
    head = mb.employee(opd="OPD-A", level="eselon_ii")
    mb.full_attendance(head, absent_days=8)
    mb.rate_360(head, score=2.0)
    _unit(mb, "OPD-B", [0.9])
    team = [_staff(mb, "OPD-A", 0.1, head=head)]
    data = mb.build()
    scores = score_month(data, mb.policy)
    cand = propose_candidates(scores, mb.policy, {})
    assert list(cand["nip"]) == team  # the head is not proposed in their own review


def test_unknown_tie_break_column_fails_clearly() -> None:
    mb = MonthBuilder()
    _unit(mb, "OPD-A", [0.3])
    mb.policy = with_changes(mb.policy, "selection", tie_break=["composite", "shoe_size"])
    with pytest.raises(ValueError, match="shoe_size"):
        _proposal(mb)


def test_an_opd_code_reserved_for_the_heads_review_is_refused() -> None:
    mb = MonthBuilder()
    _unit(mb, "PIMPINAN", [0.3])
    with pytest.raises(ValueError, match="reserved"):
        _proposal(mb)


def test_post_dates_do_not_matter_for_who_decides() -> None:
    """A head who left mid-month still heads the OPD for that month's review (the register)."""
    mb = MonthBuilder()
    head = mb.good_employee(opd="OPD-A", level="eselon_ii", end=date(2025, 10, 20))
    team = [_staff(mb, "OPD-A", 0.2, head=head)]
    _, proposal = _proposal(mb)
    assert list(proposal.candidates["nip"]) == team
