"""Data access for gathering bookkeeping: batches, quarantined rows, row changes, OPD status."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from kinerja.db.models import OpdPeriodStatus, QuarantinedRow, RowChange, SourceBatch
from kinerja.domain import DeliveryStatus


def scope_batches(
    session: Session, period: str, kind: str, source: str, opd: str | None
) -> list[SourceBatch]:
    """Every batch delivered for this scope, newest first."""
    opd_clause = SourceBatch.opd_code.is_(None) if opd is None else SourceBatch.opd_code == opd
    stmt = (
        select(SourceBatch)
        .where(
            SourceBatch.period == period,
            SourceBatch.kind == kind,
            SourceBatch.source == source,
            opd_clause,
        )
        .order_by(SourceBatch.id.desc())
    )
    return list(session.scalars(stmt))


def create_batch(
    session: Session,
    *,
    period: str,
    source: str,
    kind: str,
    opd: str | None,
    checksum: str,
    received_at: datetime,
    status: str = DeliveryStatus.LOADED,
    error: str | None = None,
) -> SourceBatch:
    batch = SourceBatch(
        period=period,
        source=source,
        kind=kind,
        opd_code=opd,
        received_at=received_at,
        checksum=checksum,
        status=status,
        error=error,
        rows_received=0,
        rows_loaded=0,
        rows_rejected=0,
    )
    session.add(batch)
    session.flush()
    return batch


def _jsonable(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, float) and np.isnan(value):
        return None
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, date | datetime):
        return value.isoformat()
    return value


def quarantine(
    session: Session,
    rejected: pd.DataFrame,
    *,
    period: str,
    batch_id: int | None,
    source: str,
    kind: str,
    received_at: datetime,
) -> int:
    """Store rejected rows as received, each with its reason and detail."""
    if rejected.empty:
        return 0
    meta = {"row_key", "reason", "detail"}
    row_cols = [c for c in rejected.columns if c not in meta]
    rows = []
    for rec in rejected.to_dict("records"):
        rows.append(
            {
                "period": period,
                "batch_id": batch_id,
                "source": source,
                "kind": kind,
                "row_key": str(rec.get("row_key") or "")[:200],
                "row": {c: _jsonable(rec[c]) for c in row_cols},
                "reason": rec["reason"],
                "detail": str(rec.get("detail") or ""),
                "received_at": received_at,
            }
        )
    session.execute(insert(QuarantinedRow), rows)
    return len(rows)


def reasons_of_batch(session: Session, batch_id: int) -> dict[str, int]:
    stmt = (
        select(QuarantinedRow.reason, func.count())
        .where(QuarantinedRow.batch_id == batch_id)
        .group_by(QuarantinedRow.reason)
    )
    return {r: int(n) for r, n in session.execute(stmt).all()}


def quarantined_rows(session: Session, period: str) -> list[QuarantinedRow]:
    stmt = select(QuarantinedRow).where(QuarantinedRow.period == period).order_by(QuarantinedRow.id)
    return list(session.scalars(stmt))


def record_changes(
    session: Session,
    changes: list[tuple[str, dict[str, Any], dict[str, Any]]],
    *,
    period: str,
    kind: str,
    batch_id: int | None,
    at: datetime,
) -> int:
    """One row_change per replaced row: before and after (after = {} when removed)."""
    if not changes:
        return 0
    session.execute(
        insert(RowChange),
        [
            {
                "period": period,
                "kind": kind,
                "row_key": key[:200],
                "before": {k: _jsonable(v) for k, v in before.items()},
                "after": {k: _jsonable(v) for k, v in after.items()},
                "batch_id": batch_id,
                "changed_at": at,
            }
            for key, before, after in changes
        ],
    )
    return len(changes)


def row_changes(session: Session, period: str) -> list[RowChange]:
    stmt = select(RowChange).where(RowChange.period == period).order_by(RowChange.id)
    return list(session.scalars(stmt))


def set_opd_status(session: Session, period: str, statuses: dict[str, tuple[bool, str]]) -> None:
    """Replace the period's assessability for these OPDs: {opd: (assessable, reason)}."""
    if not statuses:
        return
    session.execute(
        delete(OpdPeriodStatus).where(
            OpdPeriodStatus.period == period, OpdPeriodStatus.opd_code.in_(list(statuses))
        )
    )
    session.execute(
        insert(OpdPeriodStatus),
        [
            {"period": period, "opd_code": opd, "assessable": ok, "reason": reason}
            for opd, (ok, reason) in sorted(statuses.items())
        ],
    )


def unassessable_opds(session: Session, period: str) -> dict[str, str]:
    """OPDs not assessable this month and why (what scoring and selection must respect)."""
    stmt = select(OpdPeriodStatus.opd_code, OpdPeriodStatus.reason).where(
        OpdPeriodStatus.period == period, OpdPeriodStatus.assessable.is_(False)
    )
    return {o: r for o, r in session.execute(stmt).all()}
