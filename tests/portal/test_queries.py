"""Behaviour data leaves the portal only aggregated, and only with enough raters to hide each."""

from __future__ import annotations

from sqlalchemy.orm import Session

from kinerja.db.models import BehaviourAnswer
from kinerja.portal.queries import MIN_RATERS_FOR_BREAKDOWN, behaviour_summary


def _answers(session: Session, nip: str, raters: dict[str, float]) -> None:
    for rater, score in raters.items():
        for item in ("akuntabel", "harmonis"):
            session.add(
                BehaviourAnswer(
                    period="2025-10",
                    nip=nip,
                    rater_nip=rater,
                    rater_role="peer",
                    item=item,
                    score=score + (0.5 if item == "harmonis" else 0.0),
                    source="test",
                )
            )
    session.flush()


def test_item_means_over_all_raters(session: Session) -> None:
    _answers(session, "N1", {"R1": 1.0, "R2": 2.0, "R3": 4.5})
    summary = behaviour_summary(session, "2025-10", "N1")
    assert summary.raters == 3 == MIN_RATERS_FOR_BREAKDOWN
    assert summary.items == [("akuntabel", 2.5), ("harmonis", 3.0)]
    assert summary.overall == 2.75


def test_too_few_raters_show_no_breakdown_and_no_mean(session: Session) -> None:
    # With two raters a mean and one's own answer would give away the other's.
    _answers(session, "N2", {"R1": 1.0, "R2": 2.0})
    summary = behaviour_summary(session, "2025-10", "N2")
    assert summary.raters == 2
    assert summary.items == [] and summary.overall is None


def test_no_answers_at_all(session: Session) -> None:
    summary = behaviour_summary(session, "2025-10", "NOBODY")
    assert (summary.raters, summary.items, summary.overall) == (0, [], None)
