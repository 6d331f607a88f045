"""Data access for the audit trail: who did what, when, through which link or command."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kinerja.db.models import AuditEvent
from kinerja.domain import utcnow


def record_event(
    session: Session,
    *,
    actor: str,
    action: str,
    period: str | None = None,
    scope_code: str | None = None,
    link_id: str | None = None,
    detail: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> AuditEvent:
    """Append one audit event (naive UTC time; the caller commits)."""
    event = AuditEvent(
        at=at or utcnow(),
        actor=actor,
        action=action,
        period=period,
        scope_code=scope_code,
        link_id=link_id,
        detail=detail or {},
    )
    session.add(event)
    session.flush()
    return event


def events(
    session: Session,
    *,
    period: str | None = None,
    link_id: str | None = None,
    action: str | None = None,
) -> list[AuditEvent]:
    """Audit events matching the filters, in the order they happened."""
    stmt = select(AuditEvent)
    if period is not None:
        stmt = stmt.where(AuditEvent.period == period)
    if link_id is not None:
        stmt = stmt.where(AuditEvent.link_id == link_id)
    if action is not None:
        stmt = stmt.where(AuditEvent.action == action)
    return list(session.scalars(stmt.order_by(AuditEvent.at, AuditEvent.id)))
