"""Who a review talks to, their personal portal links, and times shown in WIB."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from db.models import Employee, Opd, Review
from kinerja.settings import get_settings


def wib(value: datetime | None) -> datetime | None:
    """Naive UTC (database) to an aware Asia/Jakarta time for messages."""
    if value is None:
        return None
    return value.replace(tzinfo=UTC).astimezone(ZoneInfo(get_settings().timezone))


def head_of(session: Session, review: Review) -> tuple[str, str, str]:
    """(recipient id, name, scope name) of who decides for this review."""
    opd = session.get(Opd, review.scope_code)
    if opd is None:
        return review.scope_code, "Kepala Perangkat Daerah", review.scope_code
    head = session.get(Employee, opd.head_nip) if opd.head_nip else None
    return (
        opd.head_nip or review.scope_code,
        head.name if head else "Kepala Perangkat Daerah",
        opd.name,
    )


def name_of(session: Session, nip: str) -> str:
    emp = session.get(Employee, nip)
    return emp.name if emp else nip


def portal_link(
    session: Session, review: Review, purpose: str, nip: str, until: datetime | None
) -> str:
    """A personal, expiring link for this review (portal.links.issue_link)."""
    from portal.links import issue_link

    return issue_link(
        session,
        period=review.period,
        scope_code=review.scope_code,
        purpose=purpose,
        person_nip=nip,
        expires_at=until,
    )
