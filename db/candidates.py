"""A period's proposed candidates and selection notes, as read by reviews (no frames here).

Kept apart from db.scores, which saves the month's frames, so that a review run, which only
reads these, never imports pandas.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from kinerja.db.models import Candidate, SelectionNote


def candidates_for(session: Session, period: str, review_scope: str) -> list[Candidate]:
    """One review's candidates (its OPD's, or the heads' review's), lowest composite first.

    Reviews are per OPD whatever the selection scope: with rumpun scope the names are ranked
    across the rumpun, but each OPD's head sees and decides only their own OPD's names; a head
    of OPD is decided in the heads' review by their superior, never in their own OPD's.
    """
    stmt = (
        select(Candidate)
        .where(Candidate.period == period, Candidate.review_scope == review_scope)
        .order_by(Candidate.rank, Candidate.nip)
    )
    return list(session.scalars(stmt))


def review_opds(session: Session, period: str) -> list[str]:
    """Every review scope with candidates this period, sorted: the reviews opened."""
    stmt = (
        select(Candidate.review_scope)
        .where(Candidate.period == period)
        .distinct()
        .order_by(Candidate.review_scope)
    )
    return list(session.scalars(stmt))


def notes_for(session: Session, period: str) -> dict[str, SelectionNote]:
    """review scope -> why it holds as many names as it does."""
    stmt = select(SelectionNote).where(SelectionNote.period == period)
    return {n.review_scope: n for n in session.scalars(stmt)}
