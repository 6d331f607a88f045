"""Behaviour index: self-ratings ignored, roles weighted and renormalised, raters counted."""

from __future__ import annotations

import pytest

from tests.factories import MonthBuilder
from tests.rules.helpers import score


def test_role_means_are_weighted_and_renormalised_over_present_roles() -> None:
    mb = MonthBuilder()
    boss = mb.employee(level="eselon_iv")
    nip = mb.employee(supervisor=boss)
    mb.rate(nip, 5, role="supervisor", rater=boss)
    mb.rate(nip, 3, role="peer")
    mb.rate(nip, 2, role="peer")
    row = score(mb).loc[nip]
    # No subordinates: supervisor 0.5 and peers 0.25 become 2/3 and 1/3.
    mean = 2 / 3 * 5 + 1 / 3 * 2.5
    assert row["perilaku"] == pytest.approx(round((mean - 1) / 4 * 100, 2))
    assert row["raters"] == 3


def test_self_ratings_and_unknown_items_are_ignored() -> None:
    mb = MonthBuilder()
    nip = mb.employee()
    for _ in range(3):
        mb.rate(nip, 3, role="peer")
    mb.rate(nip, 5, role="self", rater=mb.rater())
    mb.rate(nip, 5, role="peer", rater=nip)  # rating oneself under another role
    mb.rate(nip, 5, role="peer", items=["not_an_item"])
    row = score(mb).loc[nip]
    assert row["perilaku"] == pytest.approx(50.0)
    assert row["raters"] == 3


def test_no_answers_leave_behaviour_out_and_renormalise_the_composite() -> None:
    mb = MonthBuilder()
    nip = mb.employee()
    mb.full_attendance(nip, absent_days=1)
    mb.full_activities(nip, main_ratio=0.5)
    row = score(mb).loc[nip]
    assert row["perilaku"] != row["perilaku"]  # NaN
    kinerja, kehadiran = 0.8 * 50 + 0.2 * 100, 97.0
    assert row["composite"] == pytest.approx((0.5 * kinerja + 0.3 * kehadiran) / 0.8, abs=0.01)
    assert not row["sufficient"]
    assert "penilai perilaku hanya 0 orang" in row["insufficient_reason"]


def test_outputs_carry_no_per_rater_columns() -> None:
    mb = MonthBuilder()
    nip = mb.good_employee()
    scores = score(mb)
    assert not [c for c in scores.columns if "rater_nip" in c or c.startswith("peer")]
    assert scores.loc[nip, "raters"] == 3
