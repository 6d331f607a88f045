"""An outage is not leave: a working day without observation scores the same whether the source
reports connectivity_gap rows or sends no rows at all."""

from __future__ import annotations

import pandas as pd

from kinerja.rules.scoring import score_month
from kinerja.rules.selection import propose
from tests.factories import MonthBuilder

OUTAGE_DAYS = 10


def _office(gap_rows: bool) -> tuple[MonthBuilder, list[str]]:
    """One OPD whose attendance devices were offline for the last 10 working days."""
    mb = MonthBuilder()
    head = mb.good_employee(opd="LEBAK", level="eselon_ii")
    team = []
    for ratio in (1.0, 0.8, 0.6):
        nip = mb.employee(opd="LEBAK", supervisor=head)
        mb.full_attendance(nip, late_minutes=[10, 20])
        # the work went on during the outage: activities every working day
        mb.full_activities(nip, main_ratio=ratio)
        mb.rate_360(nip)
        team.append(nip)
    for nip in [head, *team]:
        mb.full_attendance(nip, unobserved_days=OUTAGE_DAYS, late_minutes=[10, 20])
        if gap_rows:
            for day in mb.workdays(nip)[-OUTAGE_DAYS:]:
                mb.attend(nip, day, status="connectivity_gap")
    return mb, [head, *team]


def _scores(gap_rows: bool) -> pd.DataFrame:
    mb, _ = _office(gap_rows)
    return score_month(mb.build(), mb.policy).set_index("nip").sort_index()


def test_gap_rows_and_missing_rows_give_identical_scores() -> None:
    with_rows, without = _scores(True), _scores(False)
    pd.testing.assert_frame_equal(with_rows, without)
    row = with_rows.iloc[1]
    assert (row["days_observed"], row["days_excused"]) == (23 - OUTAGE_DAYS, 0)


def test_an_outage_day_stays_in_the_activity_target() -> None:
    mb, nips = _office(gap_rows=True)
    scores = score_month(mb.build(), mb.policy).set_index("nip")
    full = scores.loc[nips[1]]
    # activities were entered on every working day, outage included: 100%, not more, and the
    # target is the whole month (a shrunk target would give the same 100% for 13 days' work)
    assert full["main_pct"] == 100.0
    mb.activities = [
        a for a in mb.activities if a["nip"] != nips[1] or a["work_date"] < mb.workdays()[-10]
    ]
    fewer = score_month(mb.build(), mb.policy).set_index("nip").loc[nips[1]]
    assert fewer["main_pct"] == round(100 * 13 / 23, 2)


def test_a_long_outage_counts_towards_too_little_data_either_way() -> None:
    for gap_rows in (True, False):
        mb = MonthBuilder()
        nip = mb.good_employee(opd="LEBAK")
        mb.full_attendance(nip, unobserved_days=14)
        if gap_rows:
            for day in mb.workdays(nip)[-14:]:
                mb.attend(nip, day, status="connectivity_gap")
        row = score_month(mb.build(), mb.policy).set_index("nip").loc[nip]
        assert not row["sufficient"]
        assert row["insufficient_reason"] == "data kehadiran hanya ada untuk 9 dari 23 hari kerja"


def test_both_styles_propose_the_same_people() -> None:
    got = []
    for gap_rows in (True, False):
        mb, _ = _office(gap_rows)
        data = mb.build()
        scores = score_month(data, mb.policy)
        got.append(propose(scores, mb.policy, {}, data.employees).candidates)
    pd.testing.assert_frame_equal(got[0], got[1])
