"""Data access for portal links: store issued links, claim one for its single action, release."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from kinerja.db.models import PortalLink


def add_link(
    session: Session,
    *,
    link_id: str,
    period: str,
    scope_code: str,
    purpose: str,
    person_nip: str,
    issued_at: datetime,
    expires_at: datetime,
    short_code: str | None = None,
) -> PortalLink:
    """Record a newly issued link (the caller commits)."""
    link = PortalLink(
        id=link_id,
        period=period,
        scope_code=scope_code,
        purpose=purpose,
        person_nip=person_nip,
        issued_at=issued_at,
        expires_at=expires_at,
        short_code=short_code,
    )
    session.add(link)
    session.flush()
    return link


def get_link(session: Session, link_id: str) -> PortalLink | None:
    return session.get(PortalLink, link_id)


def link_by_code(session: Session, short_code: str) -> PortalLink | None:
    """The link whose short form has this code, if any."""
    return session.scalars(select(PortalLink).where(PortalLink.short_code == short_code)).first()


def claim_link(session: Session, link_id: str, action: str, at: datetime) -> bool:
    """Mark the link used, atomically: True only for the one caller that got it first."""
    result = session.execute(
        update(PortalLink)
        .where(PortalLink.id == link_id, PortalLink.used_at.is_(None))
        .values(used_at=at, used_action=action)
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0) == 1)


def release_link(session: Session, link_id: str, action: str) -> None:
    """Undo a claim whose action was refused, so the person can correct the form and resend."""
    session.execute(
        update(PortalLink)
        .where(PortalLink.id == link_id, PortalLink.used_action == action)
        .values(used_at=None, used_action=None)
        .execution_options(synchronize_session=False)
    )


def links_for(session: Session, period: str, scope_code: str | None = None) -> list[PortalLink]:
    """Every link issued for a period (optionally one scope), oldest first."""
    stmt = select(PortalLink).where(PortalLink.period == period)
    if scope_code is not None:
        stmt = stmt.where(PortalLink.scope_code == scope_code)
    return list(session.scalars(stmt.order_by(PortalLink.issued_at, PortalLink.id)))
