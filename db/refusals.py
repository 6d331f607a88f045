"""Data access for anonymous refusals: one counter per minute, source and reason (bounded)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from kinerja.db.models import RefusalCount

MAX_SOURCES_PER_MINUTE = 200  # beyond this, a minute's further sources share one counter
OTHER_SOURCES = "(lainnya)"


def _bump(session: Session, minute: datetime, source: str, reason: str) -> bool:
    done = session.execute(
        update(RefusalCount)
        .where(
            RefusalCount.minute == minute,
            RefusalCount.source == source,
            RefusalCount.reason == reason,
        )
        .values(count=RefusalCount.count + 1)
    )
    return bool(getattr(done, "rowcount", 0))


def count_refusal(session: Session, *, source: str, reason: str, at: datetime) -> None:
    """Add one to the counter of `at`'s minute (naive UTC), `source` and `reason`."""
    minute = at.replace(second=0, microsecond=0)
    source, reason = source[:64], reason[:32]
    if _bump(session, minute, source, reason):
        return
    sources = session.scalar(
        select(func.count(func.distinct(RefusalCount.source))).where(RefusalCount.minute == minute)
    )
    if (sources or 0) >= MAX_SOURCES_PER_MINUTE:
        source = OTHER_SOURCES
        if _bump(session, minute, source, reason):
            return
    try:
        with session.begin_nested():
            session.add(RefusalCount(minute=minute, source=source, reason=reason, count=1))
    except IntegrityError:  # another request created it meanwhile
        _bump(session, minute, source, reason)


def refusal_counts(session: Session, since: datetime | None = None) -> list[RefusalCount]:
    """The counters (since a time), oldest first."""
    stmt = select(RefusalCount)
    if since is not None:
        stmt = stmt.where(RefusalCount.minute >= since)
    return list(session.scalars(stmt.order_by(RefusalCount.minute, RefusalCount.source)))
