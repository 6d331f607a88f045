"""Reviews: one per period and OPD (or rumpun), created once, with its stage and deadlines."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from kinerja.db.models import Review
from kinerja.domain import ReviewStage

OPEN_STAGES = (ReviewStage.SELECTION, ReviewStage.DEFENCE)
ENDED_STAGES = (ReviewStage.DONE, ReviewStage.NO_DECISION, ReviewStage.NOT_ASSESSABLE)


class ReviewNotFound(LookupError):
    """No review exists for that period and scope."""


def get_review(session: Session, period: str, scope_code: str) -> Review | None:
    return session.scalars(
        select(Review).where(Review.period == period, Review.scope_code == scope_code)
    ).one_or_none()


def require_review(session: Session, period: str, scope_code: str) -> Review:
    """The review, or a ReviewNotFound naming the period and scope."""
    review = get_review(session, period, scope_code)
    if review is None:
        raise ReviewNotFound(f"tidak ada review untuk periode {period} dan lingkup {scope_code}")
    return review


def ensure_review(
    session: Session,
    *,
    period: str,
    scope_kind: str,
    scope_code: str,
    selection_deadline: datetime,
    now: datetime,
) -> tuple[Review, bool]:
    """The review for (period, scope), created if missing; the bool says whether it was created.

    unique(period, scope_code) makes a concurrent or repeated call return the same row.
    """
    existing = get_review(session, period, scope_code)
    if existing is not None:
        return existing, False
    review = Review(
        period=period,
        scope_kind=scope_kind,
        scope_code=scope_code,
        stage=ReviewStage.SELECTION,
        selection_deadline=selection_deadline,
        created_at=now,
        updated_at=now,
    )
    try:
        with session.begin_nested():
            session.add(review)
    except IntegrityError:
        return require_review(session, period, scope_code), False
    return review, True


def set_stage(session: Session, review: Review, stage: ReviewStage, now: datetime) -> None:
    review.stage = stage
    review.updated_at = now
    session.flush()


def list_reviews(
    session: Session, period: str | None = None, stages: Iterable[str] | None = None
) -> list[Review]:
    """Reviews, optionally of one period and in the given stages, ordered by period and scope."""
    stmt = select(Review).order_by(Review.period, Review.scope_code)
    if period is not None:
        stmt = stmt.where(Review.period == period)
    if stages is not None:
        stmt = stmt.where(Review.stage.in_([str(s) for s in stages]))
    return list(session.scalars(stmt))


def all_ended(session: Session, period: str) -> bool:
    """True when no review of the period is still waiting for a person."""
    return not list_reviews(session, period, OPEN_STAGES)
