"""Scores and candidates: saved with every component, replaced on rerun, history read back."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pandas as pd
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kinerja.db.candidates import candidates_for, review_opds
from kinerja.db.models import Candidate, Score
from kinerja.db.scores import (
    load_scores,
    previous_periods,
    save_candidates,
    save_scores,
    score_history,
)
from kinerja.rules.scoring import score_month
from kinerja.rules.selection import propose_candidates
from tests.factories import MonthBuilder, policy_with


def _scored(period: str = "2025-10", shift: float = 0.0) -> tuple[pd.DataFrame, pd.DataFrame]:
    mb = MonthBuilder(period=period)
    for opd in ("DINKES", "DISDIK"):
        mb.good_employee(opd=opd, level="eselon_ii", nip=f"{opd[:3]}99".ljust(18, "0"))
        for r in (0.1, 0.3, 0.5, 0.7):
            nip = mb.good_employee(opd=opd, nip=f"{opd[:3]}{int(r * 10):02d}".ljust(18, "0"))
            mb.full_activities(nip, main_ratio=min(r + shift, 1.0))
    thin = mb.employee(opd="DINKES")
    mb.full_attendance(thin, unobserved_days=20)
    data = mb.build()
    scores = score_month(data, mb.policy)
    return scores, propose_candidates(scores, mb.policy, data.unassessable_opds)


def test_scores_round_trip_with_components(session: Session) -> None:
    scores, _ = _scored()
    assert save_scores(session, "2025-10", scores, "jabar") == len(scores)
    session.commit()
    back = load_scores(session, "2025-10").set_index("nip").sort_index()
    mine = scores.set_index("nip").sort_index()
    for column in ("composite", "kinerja", "kehadiran", "c_main_activity", "late_count", "raters"):
        pd.testing.assert_series_equal(
            back[column].astype(float), mine[column].astype(float), check_names=False
        )
    assert (back["explanation"] == mine["explanation"]).all()
    assert (back["insufficient_reason"] == mine["insufficient_reason"]).all()
    thin = mine.index[~mine["sufficient"]][0]
    assert not back.loc[thin, "sufficient"]
    assert back.loc[thin, "c_capaian_fisik"] is None or pd.isna(back.loc[thin, "c_capaian_fisik"])
    stored = session.get(Score, ("2025-10", thin))
    assert stored is not None and stored.policy_name == "jabar"
    # written in bulk, read back by the ORM as a datetime
    assert abs(datetime.now(UTC).replace(tzinfo=None) - stored.computed_at) < timedelta(minutes=5)
    assert stored.components["workdays_expected"] == 23
    # every kept column as it went in: ranks stay whole numbers (None where unranked), flags
    for column in ("band", "position_level", "opd_code", "sufficient"):
        assert back[column].tolist() == mine[column].tolist(), column
    for column in ("rank_opd", "rank_rumpun"):
        want = [None if pd.isna(v) else int(v) for v in mine[column]]
        assert [None if pd.isna(v) else v for v in back[column]] == want, column


def test_rerun_replaces_scores_and_candidates(session: Session) -> None:
    scores, cand = _scored()
    save_scores(session, "2025-10", scores, "jabar")
    save_candidates(session, "2025-10", cand)
    session.commit()
    better, better_cand = _scored(shift=0.5)
    save_scores(session, "2025-10", better, "jabar")
    save_candidates(session, "2025-10", better_cand)
    save_candidates(session, "2025-10", better_cand)  # a crash-retry changes nothing
    session.commit()
    count = session.scalar(select(func.count()).select_from(Score))
    assert count == len(scores)
    assert session.scalar(select(func.count()).select_from(Candidate)) == len(better_cand)
    back = load_scores(session, "2025-10").set_index("nip")["composite"].sort_index()
    expected = better.set_index("nip")["composite"].sort_index()
    assert list(back) == pytest.approx(list(expected))


def test_candidates_for_one_scope_in_rank_order(session: Session) -> None:
    scores, cand = _scored()
    save_candidates(session, "2025-10", cand)
    session.commit()
    got = candidates_for(session, "2025-10", "DISDIK")
    expected = cand[cand["scope_code"] == "DISDIK"].sort_values("rank")
    assert [c.nip for c in got] == list(expected["nip"])
    assert [c.rank for c in got] == [1, 2, 3]
    assert all(c.scope_kind == "opd" and c.opd_code == "DISDIK" for c in got)
    assert candidates_for(session, "2025-09", "DISDIK") == []


def test_rumpun_ranking_still_gives_each_opd_head_only_their_own_names(session: Session) -> None:
    """With rumpun scope the lowest names are ranked across the rumpun, but reviews stay per
    OPD: one OPD's head never sees or decides on another OPD's employees."""
    mb = MonthBuilder(period="2025-10")
    for opd, ratios in (("DINKES", (0.1, 0.2, 0.9)), ("DISDIK", (0.3, 0.8, 0.95))):
        mb.good_employee(opd=opd, level="eselon_ii", nip=f"{opd[:3]}99".ljust(18, "0"))
        for i, r in enumerate(ratios):
            nip = mb.good_employee(opd=opd, nip=f"{opd[:3]}{i:02d}".ljust(18, "0"))
            mb.full_activities(nip, main_ratio=r)
    data = mb.build()
    policy = policy_with(mb.policy, "selection", scope="rumpun", count=3)
    cand = propose_candidates(score_month(data, policy), policy, data.unassessable_opds)
    assert set(cand["scope_kind"]) == {"rumpun"} and len(cand) == 3
    save_candidates(session, "2025-10", cand)
    session.commit()
    assert review_opds(session, "2025-10") == ["DINKES", "DISDIK"]
    dinkes = candidates_for(session, "2025-10", "DINKES")
    disdik = candidates_for(session, "2025-10", "DISDIK")
    assert {c.opd_code for c in dinkes} == {"DINKES"} and len(dinkes) == 2
    assert {c.opd_code for c in disdik} == {"DISDIK"} and len(disdik) == 1
    assert candidates_for(session, "2025-10", "RUMPUN-1") == []


def test_score_history_covers_the_last_months(session: Session) -> None:
    for i, period in enumerate(["2025-07", "2025-08", "2025-09", "2025-10"]):
        scores, _ = _scored(period, shift=0.1 * i)
        save_scores(session, period, scores, "jabar")
    session.commit()
    nip = "DIN01".ljust(18, "0")
    hist = score_history(session, [nip], "2025-10", months=3)
    assert list(hist["period"]) == ["2025-08", "2025-09", "2025-10"]
    assert set(hist["nip"]) == {nip}
    assert hist["composite"].is_monotonic_increasing
    assert score_history(session, [], "2025-10").empty


def test_previous_periods_cross_the_year() -> None:
    assert previous_periods("2026-02", 4) == ["2025-11", "2025-12", "2026-01", "2026-02"]
