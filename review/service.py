"""The one way people act on a paused review (portal, CLI): validate, record, then resume.

Each function checks the input against the review's current state and that OPD's own
candidates, records the Decision (who, when, input, reason, channel) and an audit event, commits,
and only then resumes the suspended run with the same answer as run input. The run re-applies
it idempotently (same decision keys), so a lost resume loses nothing: the deadline sweeper wakes
any run whose review moved on. Refusals raise `Refused` (a ValueError) naming the problems;
nothing is changed then.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from kinerja.db import decisions as dec
from kinerja.db import reviews
from kinerja.db.audit import record_event
from kinerja.db.models import Review
from kinerja.db.session import session_scope
from kinerja.review.corrections import ObjectionInput
from kinerja.review.evidence import Checked, Limits, Upload, check_uploads, evidence_root, store
from kinerja.review.logic import (
    Choice,
    Refused,
    ReviewState,
    apply_defence,
    apply_selection,
    apply_verdict,
    extend,
    extension_key,
    state_of,
    utcnow,
)
from kinerja.review.people import notify_awaited
from kinerja.rules.policy import Policy
from kinerja.settings import get_settings

ReviewRefused = Refused  # the name the portal looks for
log = logging.getLogger(__name__)
SERVICE_CHANNELS = frozenset({"cli", "portal"})

__all__ = [
    "Refused",
    "ReviewRefused",
    "extend_deadline",
    "review_state",
    "submit_defence",
    "submit_selection",
    "submit_verdict",
]


def _policy() -> Policy:
    from kinerja.tasks.common import policy

    return policy()


def _resume(flow_run_id: str | None) -> bool:
    """Wake the run; the decision is already committed, so a failure here loses nothing."""
    if not flow_run_id:
        return False  # the run has not started yet; it reads the decision when it does
    from kinerja.flows.forms import WAKE
    from kinerja.flows.wakeup import resume

    try:
        return resume(flow_run_id, WAKE)
    except Exception as exc:  # the API is down or refused: the sweeper wakes the run later
        log.warning("could not resume run %s (%s); the sweeper will", flow_run_id, exc)
        return False


def _check_channel(channel: str) -> None:
    # "ui" answers come only through the paused run's form, which the flow records itself.
    if channel not in SERVICE_CHANNELS:
        raise ValueError(f"channel {channel!r} is not one of {sorted(SERVICE_CHANNELS)}")


def review_state(engine: Engine, period: str, scope_code: str) -> ReviewState:
    """The review's stage, deadlines and who is waiting for what."""
    with session_scope(engine) as s:
        return state_of(s, reviews.require_review(s, period, scope_code))


def _submit(
    engine: Engine,
    period: str,
    scope_code: str,
    *,
    action: str,
    actor: str,
    channel: str,
    apply: Callable[[Session, Review], ReviewState],
    detail: Callable[[ReviewState], dict[str, Any]],
) -> ReviewState:
    """Apply one answer to the review, audit it and commit; then wake the run (forms.WAKE).

    The run reads the answer from the database, so the run input carries none of it (a
    defence's text may hold health reasons: it stays in our database).
    """
    _check_channel(channel)
    with session_scope(engine) as s:
        review = reviews.require_review(s, period, scope_code)
        state = apply(s, review)
        record_event(
            s,
            actor=actor,
            action=action,
            period=period,
            scope_code=scope_code,
            detail={"channel": channel, **detail(state)},
        )
        run_id = review.flow_run_id
    _resume(run_id)
    return state


def submit_selection(
    engine: Engine,
    period: str,
    scope_code: str,
    actor: str,
    selections: dict[str, tuple[bool, str]],
    channel: str,
    *,
    now: datetime | None = None,
) -> ReviewState:
    """The head's choice among the OPD's candidates: NIP -> (selected, reason)."""
    choices = {nip: Choice(sel, reason) for nip, (sel, reason) in selections.items()}
    return _submit(
        engine,
        period,
        scope_code,
        action="submit_selection",
        actor=actor,
        channel=channel,
        apply=lambda s, review: apply_selection(
            s,
            review,
            choices,
            actor=actor,
            channel=channel,
            policy=_policy(),
            tz=get_settings().timezone,
            now=now or utcnow(),
        ),
        detail=lambda state: {"selected": state.selected},
    )


def submit_defence(
    engine: Engine,
    period: str,
    scope_code: str,
    nip: str,
    actor: str,
    text: str,
    channel: str,
    *,
    now: datetime | None = None,
    evidence: list[Upload] | None = None,
    objections: list[ObjectionInput] | None = None,
) -> ReviewState:
    """A selected employee's written defence, before the defence deadline, once.

    `evidence`: files as received (PDF, JPEG, PNG by content, within the size limits), kept
    under the evidence folder with their SHA-256; `objections`: rows of their month marked
    wrong. Anything refused refuses the whole defence and stores nothing.
    """
    checked, problems = check_uploads(evidence or [], Limits.from_settings())
    if problems:
        raise Refused(problems)
    root = evidence_root()

    def store_file(file: Checked) -> str:
        return store(root, period, nip, file)

    return _submit(
        engine,
        period,
        scope_code,
        action="submit_defence",
        actor=actor,
        channel=channel,
        apply=lambda s, review: apply_defence(
            s,
            review,
            nip,
            text,
            actor=actor,
            channel=channel,
            now=now or utcnow(),
            evidence=checked,
            objections=objections,
            store_file=store_file,
        ),  # fmt: skip
        detail=lambda _: {
            "nip": nip,
            "evidence": [
                {"file": f.filename, "sha256": f.sha256, "bytes": f.size} for f in checked
            ],
            "objections": [{"kind": o.kind, "row": o.row_ref} for o in objections or []],
        },
    )


def submit_verdict(
    engine: Engine,
    period: str,
    scope_code: str,
    nip: str,
    actor: str,
    accepted: bool,
    reason: str,
    channel: str,
    *,
    now: datetime | None = None,
    rulings: dict[int, tuple[bool, str]] | None = None,
) -> ReviewState:
    """The head's verdict on a defence: accepted (not published) or rejected (published).

    `rulings` (objection id -> (accepted, reason)) decide each data objection of the defence;
    accepted ones correct their rows and rescore the person (review.corrections).
    """
    return _submit(
        engine,
        period,
        scope_code,
        action="submit_verdict",
        actor=actor,
        channel=channel,
        apply=lambda s, review: apply_verdict(
            s,
            review,
            nip,
            accepted,
            reason,
            actor=actor,
            channel=channel,
            now=now or utcnow(),
            rulings=rulings,
            policy=_policy(),
        ),  # fmt: skip
        detail=lambda _: {
            "nip": nip,
            "accepted": accepted,
            "rulings": {str(k): ok for k, (ok, _) in (rulings or {}).items()},
        },
    )


def extend_deadline(
    engine: Engine,
    period: str,
    scope_code: str,
    actor: str,
    workdays: int,
    reason: str,
    *,
    request_id: str,
    now: datetime | None = None,
) -> datetime:
    """An operator extends the open stage's deadline by `workdays`; returns the new deadline.

    The run stays suspended: deadlines live in the database and the sweeper reads them there.
    A retry with the same `request_id` changes and records nothing and returns the same deadline.
    """
    with session_scope(engine) as s:
        review = reviews.require_review(s, period, scope_code)
        # A retry records nothing new (extend returns the deadline it set); messages that a
        # crash cut short are still sent below.
        retry = dec.get_by_key(s, extension_key(review, request_id)) is not None
        new = extend(
            s,
            review,
            actor=actor,
            workdays=workdays,
            reason=reason,
            policy=_policy(),
            tz=get_settings().timezone,
            now=now or utcnow(),
            request_id=request_id,
        )
        if not retry:
            record_event(
                s,
                actor=actor,
                action="extend_deadline",
                period=period,
                scope_code=scope_code,
                detail={
                    "workdays": workdays,
                    "new_deadline": new.isoformat(),
                    "request_id": request_id,
                },
            )
    _announce_extension(engine, period, scope_code, new)
    return new


def _announce_extension(engine: Engine, period: str, scope_code: str, new: datetime) -> None:
    """New links and messages for whoever is awaited; the extension is already committed."""
    with session_scope(engine) as s:
        review = reviews.require_review(s, period, scope_code)
        sent = notify_awaited(s, review, new)
    log.info("extension of %s %s: %d message(s) with new links", scope_code, period, sent)
