"""Defence evidence, data objections and the corrections accepted ones make to raw rows."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kinerja.db.models import (
    Activity,
    AttendanceRecord,
    DataCorrection,
    DataObjection,
    Evidence,
    RowChange,
)


def add_evidence(
    session: Session,
    *,
    period: str,
    scope_code: str,
    nip: str,
    defence_id: int,
    filename: str,
    media_type: str,
    size: int,
    sha256: str,
    stored_as: str,
    by: str,
    now: datetime,
) -> Evidence:
    row = Evidence(
        period=period,
        scope_code=scope_code,
        nip=nip,
        defence_id=defence_id,
        filename=filename,
        media_type=media_type,
        size=size,
        sha256=sha256,
        stored_as=stored_as,
        uploaded_at=now,
        uploaded_by=by,
    )
    session.add(row)
    session.flush()
    return row


def add_objection(
    session: Session,
    *,
    period: str,
    scope_code: str,
    nip: str,
    defence_id: int,
    kind: str,
    row_ref: str,
    claim: str,
    note: str,
    by: str,
    now: datetime,
) -> DataObjection:
    row = DataObjection(
        period=period,
        scope_code=scope_code,
        nip=nip,
        defence_id=defence_id,
        kind=kind,
        row_ref=row_ref,
        claim=claim,
        note=note,
        created_at=now,
        created_by=by,
    )
    session.add(row)
    session.flush()
    return row


def evidence_of(session: Session, period: str, scope_code: str, nip: str) -> list[Evidence]:
    stmt = (
        select(Evidence)
        .where(Evidence.period == period, Evidence.scope_code == scope_code, Evidence.nip == nip)
        .order_by(Evidence.id)
    )
    return list(session.scalars(stmt))


def objections_of(session: Session, period: str, scope_code: str, nip: str) -> list[DataObjection]:
    stmt = (
        select(DataObjection)
        .where(
            DataObjection.period == period,
            DataObjection.scope_code == scope_code,
            DataObjection.nip == nip,
        )
        .order_by(DataObjection.id)
    )
    return list(session.scalars(stmt))


def corrections_of(session: Session, period: str, nip: str) -> list[DataCorrection]:
    stmt = (
        select(DataCorrection)
        .where(DataCorrection.period == period, DataCorrection.nip == nip)
        .order_by(DataCorrection.id)
    )
    return list(session.scalars(stmt))


def attendance_day(session: Session, period: str, nip: str, day: date) -> AttendanceRecord | None:
    stmt = select(AttendanceRecord).where(
        AttendanceRecord.period == period,
        AttendanceRecord.nip == nip,
        AttendanceRecord.work_date == day,
    )
    return session.scalars(stmt).one_or_none()


def activity_of(session: Session, period: str, nip: str, activity_id: int) -> Activity | None:
    row = session.get(Activity, activity_id)
    return row if row is not None and (row.period, row.nip) == (period, nip) else None


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date | time | datetime) else value


def correct_row(
    session: Session,
    objection: DataObjection,
    row: AttendanceRecord | Activity,
    changes: dict[str, Any],
    *,
    ruling_id: int,
    actor: str,
    now: datetime,
) -> DataCorrection:
    """Apply `changes` to the raw row and record it twice: a row_change (what gathering writes
    for a corrected re-delivery) and a data_correction naming the objection and the ruling.

    Idempotent per objection: a second call returns the correction recorded the first time.
    """
    done = session.scalars(
        select(DataCorrection).where(DataCorrection.objection_id == objection.id)
    ).one_or_none()
    if done is not None:
        return done
    if isinstance(row, AttendanceRecord):
        kind, key = "attendance", f"{row.nip}|{row.work_date.isoformat()}"
    else:
        kind, key = "activities", row.external_id
    before = {f: _plain(getattr(row, f)) for f in changes}
    for f, v in changes.items():
        setattr(row, f, v)
    after = {f: _plain(v) for f, v in changes.items()}
    session.add(
        RowChange(
            period=objection.period,
            kind=kind,
            row_key=key[:200],
            before=before,
            after=after,
            batch_id=None,
            changed_at=now,
        )
    )
    correction = DataCorrection(
        period=objection.period,
        nip=objection.nip,
        objection_id=objection.id,
        ruling_id=ruling_id,
        kind=kind,
        row_key=key[:200],
        before=before,
        after=after,
        actor=actor,
        created_at=now,
    )
    session.add(correction)
    session.flush()
    return correction
