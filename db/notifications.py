"""Data access for the notification log: one row per event and channel, claimed before a send."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from kinerja.db.models import Notification
from kinerja.domain import NotificationStatus
from kinerja.domain import utcnow as now


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
    """The row for a send about to happen (or the existing one, refreshed for a retry).

    A concurrent insert of the same key loses on the unique event_key and uses the winner's row.
    """
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
            status=NotificationStatus.PENDING,
            attempts=0,
            created_at=now(),
        )
        try:
            with session.begin_nested():
                session.add(row)
        except IntegrityError:
            found = get_by_key(session, event_key)
            if found is None:
                raise
            return found
    elif row.status in (NotificationStatus.PENDING, NotificationStatus.FAILED):
        row.subject, row.body = subject[:300], body
    session.flush()
    return row


def claim(session: Session, row: Notification, stale_after: timedelta) -> bool:
    """Atomically take `row` for sending; False if it is sent or another process holds it.

    One UPDATE ... WHERE decides: a "pending" or "failed" row, or a "sending" claim older than
    `stale_after` (its process died mid-send), becomes "sending" with claimed_at = now. Under
    concurrency the database lets exactly one UPDATE match. The caller commits.
    """
    at = now()
    result = session.execute(
        update(Notification)
        .where(
            Notification.id == row.id,
            or_(
                Notification.status.in_((NotificationStatus.PENDING, NotificationStatus.FAILED)),
                (Notification.status == NotificationStatus.SENDING)
                & (
                    Notification.claimed_at.is_(None) | (Notification.claimed_at < at - stale_after)
                ),
            ),
        )
        .values(status=NotificationStatus.SENDING, claimed_at=at)
        .execution_options(synchronize_session=False)
    )
    session.refresh(row)
    return bool(getattr(result, "rowcount", 0) == 1)


def mark_sent(session: Session, row: Notification, attempts: int) -> None:
    row.status, row.attempts, row.error, row.sent_at = (
        NotificationStatus.SENT,
        attempts,
        None,
        now(),
    )
    row.claimed_at = None
    session.flush()


def mark_failed(session: Session, row: Notification, attempts: int, error: str) -> None:
    row.status, row.attempts, row.error = NotificationStatus.FAILED, attempts, error[:2000]
    row.claimed_at = None
    session.flush()


def for_period(session: Session, period: str) -> list[Notification]:
    stmt = select(Notification).where(Notification.period == period).order_by(Notification.id)
    return list(session.scalars(stmt))
