"""Periods (months of assessment): create once, track the cycle's status."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from kinerja.db.models import Period
from kinerja.domain import Period as Month
from kinerja.domain import PeriodStatus

# The statuses under their short names (callers that import them from here).
OPEN, REVIEWING, CLOSED = PeriodStatus.OPEN, PeriodStatus.REVIEWING, PeriodStatus.CLOSED


def ensure_period(session: Session, period: str, policy_name: str | None = None) -> Period:
    """The period row, created on first use; a malformed period raises ValueError."""
    row = session.get(Period, period)
    if row is None:
        start, end = Month.parse(period).bounds()
        row = Period(
            code=period, start_date=start, end_date=end, status=OPEN, policy_name=policy_name
        )
        try:
            with session.begin_nested():  # two runs starting together: one inserts, one reads
                session.add(row)
        except IntegrityError:
            found = session.get(Period, period)
            assert found is not None
            row = found
    if policy_name and not row.policy_name:
        row.policy_name = policy_name
    return row


def set_status(session: Session, period: str, status: PeriodStatus) -> None:
    """Move a period to `open`, `reviewing` or `closed`."""
    ensure_period(session, period).status = PeriodStatus(status)
