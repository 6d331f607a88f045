"""Decisions, append-only and idempotent: who decided what about whom, when and why."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from kinerja.db.models import Decision


def key_for(kind: str, period: str, scope_code: str, nip: str | None = None) -> str:
    """The idempotency key of the first decision of a kind for a person (or a whole review)."""
    return f"{kind}:{period}:{scope_code}:{nip or '-'}"


def get_by_key(session: Session, key: str) -> Decision | None:
    return session.scalars(select(Decision).where(Decision.idempotency_key == key)).one_or_none()


def record(
    session: Session,
    *,
    key: str,
    period: str,
    scope_code: str,
    kind: str,
    value: str,
    actor: str,
    actor_role: str,
    now: datetime,
    review_id: int | None = None,
    nip: str | None = None,
    reason: str = "",
    payload: dict[str, Any] | None = None,
    channel: str = "system",
    supersedes_id: int | None = None,
) -> tuple[Decision, bool]:
    """Insert a decision unless one with `key` exists; return it and whether it is new.

    A rerun or a crash-retry replays the same key and changes nothing.
    """
    existing = get_by_key(session, key)
    if existing is not None:
        return existing, False
    row = Decision(
        idempotency_key=key,
        period=period,
        review_id=review_id,
        scope_code=scope_code,
        nip=nip,
        kind=kind,
        value=value,
        reason=reason,
        payload=payload or {},
        actor=actor,
        actor_role=actor_role,
        channel=channel,
        created_at=now,
        supersedes_id=supersedes_id,
    )
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        found = get_by_key(session, key)
        if found is None:
            raise
        return found, False
    return row, True


def correct(
    session: Session,
    old: Decision,
    *,
    value: str,
    reason: str,
    actor: str,
    actor_role: str,
    now: datetime,
    channel: str = "system",
    payload: dict[str, Any] | None = None,
    request_id: str | None = None,
) -> Decision:
    """Record a correction: a new row pointing at `old`; `old` itself is never changed.

    Keyed on the caller's `request_id`, else on the old decision and the new value, so a
    retried correction returns the row recorded the first time instead of adding another.
    """
    if not reason.strip():
        raise ValueError(f"a correction of decision {old.id} needs a reason")
    row, _ = record(
        session,
        key=f"{old.idempotency_key}:correction:{request_id or value}",
        period=old.period,
        scope_code=old.scope_code,
        kind=old.kind,
        value=value,
        actor=actor,
        actor_role=actor_role,
        now=now,
        review_id=old.review_id,
        nip=old.nip,
        reason=reason,
        payload=payload,
        channel=channel,
        supersedes_id=old.id,
    )
    return row


def effective(
    session: Session, period: str, scope_code: str, kind: str
) -> dict[str | None, Decision]:
    """The decision in force per person (latest, following corrections) for one kind."""
    rows = list(
        session.scalars(
            select(Decision)
            .where(
                Decision.period == period,
                Decision.scope_code == scope_code,
                Decision.kind == kind,
            )
            .order_by(Decision.id)
        )
    )
    superseded = {r.supersedes_id for r in rows if r.supersedes_id is not None}
    return {r.nip: r for r in rows if r.id not in superseded}


def history(session: Session, period: str, scope_code: str | None = None) -> list[Decision]:
    """Every decision of a period (optionally one scope), oldest first, corrections included."""
    stmt = select(Decision).where(Decision.period == period).order_by(Decision.id)
    if scope_code is not None:
        stmt = stmt.where(Decision.scope_code == scope_code)
    return list(session.scalars(stmt))


def last_decision_at(session: Session, review_id: int) -> datetime | None:
    """When the latest decision of a review was recorded."""
    return session.scalar(
        select(func.max(Decision.created_at)).where(Decision.review_id == review_id)
    )
