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
from typing import NoReturn

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
) -> tuple[Decision, bool]:
    """One publication decision about `draft`, through db.decisions.record (idempotent);
    returns it and whether it is new (False: the same step was already on record)."""
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
    return decisions.record(
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


VALUE_LABELS = {
    "approved": "disetujui",
    "rejected": "ditolak",
    "reset": "kembali menunggu persetujuan",
    "withdrawn": "ditarik",
}


def describe(decision: Decision) -> str:
    """One decision as people read it: 'disetujui oleh Rani (communications) pada
    2025-11-03 16.00 WIB: Sesuai SOP'."""
    from kinerja.templates.filters import local_stamp

    label = VALUE_LABELS.get(decision.value, decision.value)
    why = f": {decision.reason}" if decision.reason else ""
    return (
        f"{label} oleh {decision.actor} ({decision.actor_role}) "
        f"pada {local_stamp(decision.created_at)}{why}"
    )


def histories(session: Session, period: str) -> dict[int, list[Decision]]:
    """Every draft's publication decisions of a period, oldest first, by draft id."""
    rows = session.scalars(
        select(Decision)
        .where(
            Decision.kind == "publication",
            Decision.period == period,
            Decision.idempotency_key.like("publication:draft:%"),
        )
        .order_by(Decision.id)
    )
    out: dict[int, list[Decision]] = {}
    for row in rows:
        out.setdefault(int(row.payload["draft_id"]), []).append(row)
    return out


def _last(session: Session, draft: Draft, value: str) -> Decision | None:
    return next((d for d in reversed(history(session, draft)) if d.value == value), None)


def _refuse_repeat(draft: Draft, value: str, earlier: Decision | None) -> NoReturn:
    said = describe(earlier) if earlier else f"{VALUE_LABELS[value]} sebelumnya"
    raise DraftError(f"draf {draft.id} sudah {said}")


def decide(
    session: Session,
    draft_id: int,
    *,
    approve: bool,
    actor: str,
    actor_role: str,
    reason: str,
    channel: str = "cli",
    reopen: bool = False,
) -> Draft:
    """Approve or reject a draft; stored on the draft and as a `publication` decision
    (db.decisions.record), so the draft's whole history stays on record.

    Only BKD or communications staff decide, and a rejection needs a reason. Deciding the same
    way twice is refused naming the earlier decision (who, when); so is approving a rejected
    draft unless `reopen` says so explicitly. Rejecting an approved draft takes it back.
    """
    draft = session.get(Draft, draft_id)
    if draft is None:
        raise DraftError(f"draf {draft_id} tidak ada")
    if actor_role not in APPROVER_ROLES:
        raise DraftError(
            f"draf {draft_id}: peran {actor_role!r} tidak boleh memutus; "
            f"yang boleh: {', '.join(APPROVER_ROLES)}"
        )
    if not actor.strip():
        raise DraftError(f"draf {draft_id}: nama yang memutus (--actor) wajib diisi")
    if draft.status == "withdrawn":
        raise DraftError(f"draf {draft_id} sudah ditarik: {draft.decision_reason}")
    value = DraftStatus.APPROVED if approve else DraftStatus.REJECTED
    if not approve and not reason.strip():
        raise DraftError(f"draf {draft_id}: penolakan wajib disertai alasan")
    if draft.status == value:
        _refuse_repeat(draft, value, _last(session, draft, value))
    if approve and draft.status == "rejected" and not reopen:
        earlier = _last(session, draft, "rejected")
        said = describe(earlier) if earlier else "ditolak sebelumnya"
        raise DraftError(
            f"draf {draft_id} sudah {said}; untuk menyetujuinya juga, buka kembali secara "
            "tegas (--reopen) dengan alasan"
        )
    if reopen and not reason.strip():
        raise DraftError(f"draf {draft_id}: membuka kembali wajib disertai alasan")
    at = now()
    row, new = _record(
        session,
        draft,
        value=value,
        actor=actor,
        actor_role=actor_role,
        reason=reason,
        at=at,
        channel=channel,
    )
    if not new:
        # Someone else decided the same way at the same moment: theirs is on record.
        _refuse_repeat(draft, value, row)
    draft.status, draft.decided_by, draft.decided_at = value, actor, at
    draft.decision_reason = reason
    session.flush()
    return draft
