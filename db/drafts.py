"""Data access for announcement and recognition drafts and their approval (who, when, why).

Every change of a draft's standing is a `publication` decision recorded through
db.decisions.record: "approved" / "rejected" (BKD or communications staff), "withdrawn" (no
decision backs the draft any more) and "reset" (the text or names changed after a decision, so
it waits for a new approval). Keys are `publication:draft:<id>:<n>:<value>`, n counting the
draft's earlier publication decisions, so a rerun or a crash-retry records nothing twice.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kinerja.db import decisions
from kinerja.db.models import Decision, Draft
from kinerja.domain import DraftStatus
from kinerja.domain import utcnow as now

APPROVER_ROLES = ("bkd", "communications")
STATUSES = (DraftStatus.DRAFT, DraftStatus.APPROVED, DraftStatus.REJECTED, DraftStatus.WITHDRAWN)
SYSTEM = "system"
RESET_REASON = "teks atau daftar nama berubah setelah keputusan; perlu persetujuan baru"
WITHDRAW_REASON = "tidak ada lagi keputusan yang mendasari draf ini"


class DraftError(ValueError):
    """A draft action that cannot be done; the message names the draft and the reason."""


def body_hash(body: str) -> str:
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def _key_prefix(draft: Draft) -> str:
    return f"publication:draft:{draft.id}:"


def history(session: Session, draft: Draft) -> list[Decision]:
    """The publication decisions about one draft, oldest first."""
    return list(
        session.scalars(
            select(Decision)
            .where(
                Decision.kind == "publication",
                Decision.period == draft.period,
                Decision.idempotency_key.like(_key_prefix(draft) + "%"),
            )
            .order_by(Decision.id)
        )
    )


def _record(
    session: Session,
    draft: Draft,
    *,
    value: str,
    actor: str,
    actor_role: str,
    reason: str,
    at: datetime,
    channel: str = SYSTEM,
    previous_status: str | None = None,
) -> Decision:
    """One publication decision about `draft`, through db.decisions.record (idempotent)."""
    n = (
        session.scalar(
            select(func.count())
            .select_from(Decision)
            .where(
                Decision.kind == "publication",
                Decision.period == draft.period,
                Decision.idempotency_key.like(_key_prefix(draft) + "%"),
            )
        )
        or 0
    )
    row, _ = decisions.record(
        session,
        key=f"{_key_prefix(draft)}{n}:{value}",
        period=draft.period,
        scope_code=draft.scope_code,
        kind="publication",
        value=value,
        actor=actor,
        actor_role=actor_role,
        now=at,
        reason=reason,
        payload={
            "draft_id": draft.id,
            "purpose": draft.purpose,
            "fmt": draft.fmt,
            "nips": list(draft.nips),
            "body_sha256": body_hash(draft.body),
            "previous_status": previous_status or draft.status,
        },
        channel=channel,
    )
    return row


def upsert_draft(
    session: Session,
    *,
    period: str,
    scope_kind: str,
    scope_code: str,
    purpose: str,
    fmt: str,
    body: str,
    nips: list[str],
) -> Draft:
    """Create or refresh a draft; a changed text after a decision needs a new approval."""
    draft = session.scalars(
        select(Draft).where(
            Draft.period == period,
            Draft.scope_code == scope_code,
            Draft.purpose == purpose,
            Draft.fmt == fmt,
        )
    ).first()
    if draft is None:
        draft = Draft(
            period=period,
            scope_kind=scope_kind,
            scope_code=scope_code,
            purpose=purpose,
            fmt=fmt,
            body=body,
            nips=list(nips),
            status=DraftStatus.DRAFT,
            created_at=now(),
        )
        session.add(draft)
    elif draft.body != body or list(draft.nips) != list(nips) or draft.status == "withdrawn":
        # The content is not what was approved (or rejected): it goes back to the queue, and
        # the end of the earlier decision is itself on record.
        previous = draft.status
        if previous != "draft":
            # Recorded before the change, so the payload names the content that was decided.
            at = now()
            _record(
                session,
                draft,
                value="reset",
                actor=SYSTEM,
                actor_role=SYSTEM,
                reason=f"{RESET_REASON} (sebelumnya: {previous})",
                at=at,
                previous_status=previous,
            )
        draft.body, draft.nips, draft.scope_kind = body, list(nips), scope_kind
        draft.status, draft.decided_by, draft.decided_at = DraftStatus.DRAFT, None, None
        draft.decision_reason = ""
    session.flush()
    return draft


def withdraw_others(session: Session, period: str, purpose: str, keep_ids: set[int]) -> list[Draft]:
    """Drafts of the period no longer backed by any decision are withdrawn, never deleted."""
    stmt = select(Draft).where(
        Draft.period == period, Draft.purpose == purpose, Draft.status != DraftStatus.WITHDRAWN
    )
    gone = [d for d in session.scalars(stmt) if d.id not in keep_ids]
    at = now()
    for d in gone:
        _record(
            session,
            d,
            value=DraftStatus.WITHDRAWN,
            actor=SYSTEM,
            actor_role=SYSTEM,
            reason=WITHDRAW_REASON,
            at=at,
        )
        d.status, d.decided_by, d.decided_at = DraftStatus.WITHDRAWN, SYSTEM, at
        d.decision_reason = WITHDRAW_REASON
    session.flush()
    return gone


def list_drafts(
    session: Session, period: str | None = None, status: str | None = None
) -> list[Draft]:
    stmt = select(Draft).order_by(Draft.period, Draft.purpose, Draft.scope_code, Draft.fmt)
    if period:
        stmt = stmt.where(Draft.period == period)
    if status:
        stmt = stmt.where(Draft.status == status)
    return list(session.scalars(stmt))


def decide(
    session: Session,
    draft_id: int,
    *,
    approve: bool,
    actor: str,
    actor_role: str,
    reason: str,
    channel: str = "cli",
) -> Draft:
    """Approve or reject a draft; stored on the draft and as a `publication` decision
    (db.decisions.record).

    Deciding the same way twice is a no-op. Only BKD or communications staff decide, and a
    rejection needs a reason.
    """
    draft = session.get(Draft, draft_id)
    if draft is None:
        raise DraftError(f"draft {draft_id} does not exist")
    if actor_role not in APPROVER_ROLES:
        raise DraftError(
            f"draft {draft_id}: role {actor_role!r} may not decide; allowed: {APPROVER_ROLES}"
        )
    if not actor.strip():
        raise DraftError(f"draft {draft_id}: the deciding person (actor) is required")
    if draft.status == "withdrawn":
        raise DraftError(f"draft {draft_id} was withdrawn: {draft.decision_reason}")
    value = DraftStatus.APPROVED if approve else DraftStatus.REJECTED
    if not approve and not reason.strip():
        raise DraftError(f"draft {draft_id}: a rejection needs a reason")
    if draft.status == value:
        return draft
    at = now()
    _record(
        session,
        draft,
        value=value,
        actor=actor,
        actor_role=actor_role,
        reason=reason,
        at=at,
        channel=channel,
    )
    draft.status, draft.decided_by, draft.decided_at = value, actor, at
    draft.decision_reason = reason
    session.flush()
    return draft
