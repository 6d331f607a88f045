"""Data access for the notification log: one row per event and channel, claimed before a send."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update
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
    elif row.status in (
        NotificationStatus.PENDING,
        NotificationStatus.FAILED,
        NotificationStatus.UNCERTAIN,
    ):
        row.subject, row.body = subject[:300], body
    session.flush()
    return row


def mark_uncertain(
    session: Session, row: Notification, dead_claim: bool, stale_after: timedelta
) -> bool:
    """Record that `row`'s send was interrupted: its claim's process is gone, or it is stale.

    The send may or may not have reached the channel; "uncertain" rows are sent again with the
    same idempotency key (the channel drops a duplicate), never silently. One UPDATE decides,
    so only one caller records it. `dead_claim`: the caller saw the claimant's process gone
    (kinerja.liveness); otherwise only a claim older than `stale_after` counts. The caller
    commits.
    """
    at = now()
    taken = (
        Notification.claimed_by == row.claimed_by
        if dead_claim and row.claimed_by
        else (Notification.claimed_at.is_(None) | (Notification.claimed_at < at - stale_after))
    )
    result = session.execute(
        update(Notification)
        .where(Notification.id == row.id, Notification.status == NotificationStatus.SENDING, taken)
        .values(
            status=NotificationStatus.UNCERTAIN, uncertain_at=at, claimed_at=None, claimed_by=None
        )
        .execution_options(synchronize_session=False)
    )
    session.refresh(row)
    return bool(getattr(result, "rowcount", 0) == 1)


def claim(session: Session, row: Notification, by: str) -> bool:
    """Atomically take `row` for sending; False if it is sent or another process holds it.

    One UPDATE ... WHERE decides: a "pending", "failed" or "uncertain" row becomes "sending"
    with claimed_at = now and claimed_by = `by` ("host:pid"). Under concurrency the database
    lets exactly one UPDATE match. A "sending" row is never taken here: mark_uncertain first.
    The caller commits.
    """
    result = session.execute(
        update(Notification)
        .where(
            Notification.id == row.id,
            Notification.status.in_(
                (
                    NotificationStatus.PENDING,
                    NotificationStatus.FAILED,
                    NotificationStatus.UNCERTAIN,
                )
            ),
        )
        .values(status=NotificationStatus.SENDING, claimed_at=now(), claimed_by=by)
        .execution_options(synchronize_session=False)
    )
    session.refresh(row)
    return bool(getattr(result, "rowcount", 0) == 1)


def interrupted(session: Session) -> list[Notification]:
    """Rows left "sending" (their process may be gone) or "uncertain": sends to finish."""
    stmt = select(Notification).where(
        Notification.status.in_((NotificationStatus.SENDING, NotificationStatus.UNCERTAIN))
    )
    return list(session.scalars(stmt.order_by(Notification.id)))


def mark_sent(session: Session, row: Notification, attempts: int) -> None:
    row.status, row.attempts, row.error, row.sent_at = (
        NotificationStatus.SENT,
        attempts,
        None,
        now(),
    )
    row.claimed_at = row.claimed_by = None
    session.flush()


def mark_failed(session: Session, row: Notification, attempts: int, error: str) -> None:
    row.status, row.attempts, row.error = NotificationStatus.FAILED, attempts, error[:2000]
    row.claimed_at = row.claimed_by = None
    session.flush()


def for_period(session: Session, period: str) -> list[Notification]:
    stmt = select(Notification).where(Notification.period == period).order_by(Notification.id)
    return list(session.scalars(stmt))
