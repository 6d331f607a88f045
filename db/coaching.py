"""Data access for coaching assignments (the month after publication)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kinerja.db.models import CoachingAssignment
from kinerja.domain import utcnow


def upsert_assignment(
    session: Session,
    *,
    period: str,
    source_period: str,
    nip: str,
    coach_role: str,
    coach_nip: str | None,
    goals: list[dict[str, Any]],
    checkin_dates: list[str],
    baseline: dict[str, Any],
) -> CoachingAssignment:
    """One assignment per (coaching month, NIP); a rerun refreshes it in place."""
    row = session.scalars(
        select(CoachingAssignment).where(
            CoachingAssignment.period == period, CoachingAssignment.nip == nip
        )
    ).first()
    if row is None:
        row = CoachingAssignment(period=period, nip=nip, created_at=utcnow())
        session.add(row)
    row.source_period = source_period
    row.coach_role, row.coach_nip = coach_role, coach_nip
    row.goals, row.checkin_dates, row.baseline = goals, checkin_dates, baseline
    session.flush()
    return row


def for_period(session: Session, period: str) -> list[CoachingAssignment]:
    """Assignments whose coaching happens in `period`."""
    stmt = (
        select(CoachingAssignment)
        .where(CoachingAssignment.period == period)
        .order_by(CoachingAssignment.nip)
    )
    return list(session.scalars(stmt))


def from_source(session: Session, source_period: str) -> list[CoachingAssignment]:
    """Assignments created from the outcomes of `source_period`."""
    stmt = (
        select(CoachingAssignment)
        .where(CoachingAssignment.source_period == source_period)
        .order_by(CoachingAssignment.nip)
    )
    return list(session.scalars(stmt))


def remove_stale(session: Session, source_period: str, keep_nips: set[str]) -> int:
    """A correction un-published someone: their assignment from that month goes."""
    stale = [a for a in from_source(session, source_period) if a.nip not in keep_nips]
    for a in stale:
        session.delete(a)
    session.flush()
    return len(stale)
