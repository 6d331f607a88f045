"""Data access for the notification log: one row per event and channel."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import Notification


def now() -> datetime:
    """Naive UTC, as every DateTime column stores it."""
    return datetime.now(UTC).replace(tzinfo=None)


def get_by_key(session: Session, event_key: str) -> Notification | None:
    return session.scalars(select(Notification).where(Notification.event_key == event_key)).first()


def record_pending(
    session: Session,
    *,
    event_key: str,
    period: str | None,
    channel: str,
    recipient: str,
    recipient_role: str,
    subject: str,
    body: str,
) -> Notification:
    """The row for a send about to happen (or the existing one, refreshed for a retry)."""
    row = get_by_key(session, event_key)
    if row is None:
        row = Notification(
            event_key=event_key,
            period=period,
            channel=channel,
            recipient=recipient,
            recipient_role=recipient_role,
            subject=subject[:300],
            body=body,
            status="pending",
            attempts=0,
            created_at=now(),
        )
        session.add(row)
    else:
        row.subject, row.body = subject[:300], body
    session.flush()
    return row


def mark_sent(session: Session, row: Notification, attempts: int) -> None:
    row.status, row.attempts, row.error, row.sent_at = "sent", attempts, None, now()
    session.flush()


def mark_failed(session: Session, row: Notification, attempts: int, error: str) -> None:
    row.status, row.attempts, row.error = "failed", attempts, error[:2000]
    session.flush()


def for_period(session: Session, period: str) -> list[Notification]:
    stmt = select(Notification).where(Notification.period == period).order_by(Notification.id)
    return list(session.scalars(stmt))
