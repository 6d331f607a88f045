"""The one way people act on a paused review (portal, CLI): validate, record, then resume.

Each function checks the input (review.validate: the same checks as an answer through the
Prefect UI), the actor (a CLI actor must be a configured BKD operator), that the review's run
was not cancelled or deleted, then the review's current state and that OPD's own candidates;
it records the Decision (who, when, input, reason, channel) and an audit event, commits, and
only then wakes the suspended run (run input answers.WAKE: names and texts stay in our
database). The run reads the new state, so a lost resume loses nothing: the deadline sweeper
wakes any run whose review moved on. Refusals raise `Refused` (a ValueError) naming the
problems; nothing is changed then.

The service never talks to Prefect itself: whoever composes it (the CLI, the portal) passes a
`PausedRuns`, the one small interface through which it wakes and reads a run (kinerja.runs.paused).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from kinerja.db import decisions as dec
from kinerja.db import reviews
from kinerja.db.audit import record_event
from kinerja.db.models import Review
from kinerja.db.session import session_scope
from kinerja.domain import utcnow
from kinerja.faults import fault_point
from kinerja.review import validate
from kinerja.review.answers import WAKE
from kinerja.review.corrections import ObjectionInput
from kinerja.review.deciders import active_policy
from kinerja.review.evidence import Checked, Limits, Upload, check_uploads, evidence_root, store
from kinerja.review.logic import (
    Refused,
    ReviewState,
    apply_defence,
    apply_selection,
    apply_verdict,
    extend,
    extension_key,
    state_of,
)
from kinerja.review.people import notify_awaited
from kinerja.rules.policy import Policy
from kinerja.settings import get_settings

log = logging.getLogger(__name__)
SERVICE_CHANNELS = frozenset({"cli", "portal"})

__all__ = [
    "PausedRuns",
    "Refused",
    "extend_deadline",
    "review_state",
    "submit_defence",
    "submit_selection",
    "submit_verdict",
]


class PausedRuns(Protocol):
    """The paused review runs, as the service sees them (implemented by kinerja.runs.paused)."""

    def resume(self, run_id: str, answer: dict[str, Any] | None) -> bool:
        """Wake the paused run with `answer` as its input; False if it is not paused (ended)."""
        ...

    def state(self, run_id: str) -> tuple[str, datetime | None]:
        """(state type, when it began as naive UTC) of the run, e.g. ("PAUSED", ...)."""
        ...

    def presence(self, run_id: str) -> str:
        """The run's state type, or "DELETED" when the API no longer knows it."""
        ...


def _policy() -> Policy:
    return active_policy()


def _resume(runs: PausedRuns | None, flow_run_id: str | None, run_input: dict[str, Any]) -> bool:
    """Wake the run; the decision is already committed, so a failure here loses nothing.

    Without `runs` (a caller with no run API, e.g. a test of the rules) nothing is woken: the
    deadline sweeper resumes any run whose review moved on.
    """
    if not flow_run_id or runs is None:
        return False  # the run has not started yet; it reads the decision when it does
    try:
        return runs.resume(flow_run_id, run_input)
    except Exception as exc:  # the API is down or refused: the sweeper wakes the run later
        log.warning("could not resume run %s (%s); the sweeper will", flow_run_id, exc)
        return False


GONE_STATES = ("CANCELLED", "CANCELLING")


def _check_channel(channel: str) -> None:
    # "ui" answers come only through the paused run's form, which the flow records itself.
    if channel not in SERVICE_CHANNELS:
        raise ValueError(f"channel {channel!r} is not one of {sorted(SERVICE_CHANNELS)}")


def _check_actor(actor: str, channel: str, on_behalf_of: str | None, note: str) -> None:
    """A CLI actor is a configured operator; only the CLI may act on behalf of a head."""
    if channel == "cli":
        validate.check_operator(actor, get_settings().operators)
    elif on_behalf_of or note:
        raise Refused(["keputusan atas nama kepala hanya dapat dicatat oleh operator BKD"])


def run_gone(runs: PausedRuns | None, flow_run_id: str | None) -> str | None:
    """Why a review's run can take no answer (cancelled or deleted in Prefect), else None.

    An unreachable API is not a refusal: the answer is recorded and the sweeper wakes the run.
    """
    if not flow_run_id or runs is None:
        return None
    try:
        kind = runs.presence(flow_run_id)
    except Exception as exc:  # the API is down: record, the sweeper resumes later
        log.warning("could not read run %s (%s); recording anyway", flow_run_id, exc)
        return None
    if kind == "DELETED":
        return "dihapus"
    return "dibatalkan" if kind in GONE_STATES else None


def _refuse_if_gone(engine: Engine, period: str, scope_code: str, runs: PausedRuns | None) -> None:
    """Refused when the review's run was cancelled or deleted (asked before any write lock)."""
    with session_scope(engine) as s:
        run_id = reviews.require_review(s, period, scope_code).flow_run_id
    why = run_gone(runs, run_id)
    if why is not None:
        raise Refused(
            [
                f"proses tinjauan {scope_code} {period} telah {why} di Prefect; "
                "jawaban tidak dicatat. Hubungi BKD untuk memulai ulang tinjauan ini"
            ]
        )


def _on_behalf(
    session: Session, review: Review, on_behalf_of: str | None, note: str
) -> dict[str, str] | None:
    """The {nip, note} of a head's decision an operator enters at the head's request."""
    from kinerja.review.deciders import decider_for

    if not (on_behalf_of or note):
        return None
    who = validate.check_on_behalf(on_behalf_of, note, decider_for(session, review).nip)
    return {"nip": who.nip, "note": who.note} if who else None


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
    apply: Callable[[Session, Review, dict[str, str] | None], ReviewState],
    detail: Callable[[ReviewState], dict[str, Any]],
    on_behalf_of: str | None = None,
    note: str = "",
    runs: PausedRuns | None = None,
) -> ReviewState:
    """Apply one answer to the review, audit it and commit; then wake the run (answers.WAKE).

    The run reads the answer from the database, so the run input carries none of it (a
    defence's text may hold health reasons: it stays in our database).
    """
    _check_channel(channel)
    _check_actor(actor, channel, on_behalf_of, note)
    _refuse_if_gone(engine, period, scope_code, runs)
    with session_scope(engine) as s:
        review = reviews.require_review(s, period, scope_code)
        behalf = _on_behalf(s, review, on_behalf_of, note)
        state = apply(s, review, behalf)
        record_event(
            s,
            actor=actor,
            action=action,
            period=period,
            scope_code=scope_code,
            detail={"channel": channel, **({"on_behalf_of": behalf} if behalf else {}),
                    **detail(state)},
        )  # fmt: skip
        run_id = review.flow_run_id
    if action == "submit_selection":
        fault_point("selection_recorded")
    _resume(runs, run_id, WAKE)
    return state


def submit_selection(
    engine: Engine,
    period: str,
    scope_code: str,
    actor: str,
    selections: Mapping[str, tuple[bool, str]] | Sequence[tuple[str, bool, str]],
    channel: str,
    *,
    now: datetime | None = None,
    on_behalf_of: str | None = None,
    note: str = "",
    runs: PausedRuns | None = None,
) -> ReviewState:
    """The head's choice among the OPD's candidates: NIP -> (selected, reason), or rows
    (nip, selected, reason) as typed (a NIP named twice is refused, never collapsed).

    Through the CLI the actor is a configured operator; `on_behalf_of` (the head's NIP) with
    a `note` records that the head asked the operator to enter it.
    """
    rows = (
        [(nip, sel, reason) for nip, (sel, reason) in selections.items()]
        if isinstance(selections, Mapping)
        else list(selections)
    )
    _check_channel(channel)
    choices = validate.check_selection(rows)
    return _submit(
        engine,
        period,
        scope_code,
        action="submit_selection",
        actor=actor,
        channel=channel,
        apply=lambda s, review, behalf: apply_selection(
            s,
            review,
            choices,
            actor=actor,
            channel=channel,
            policy=_policy(),
            tz=get_settings().timezone,
            now=now or utcnow(),
            on_behalf=behalf,
        ),
        detail=lambda state: {"selected": state.selected},
        on_behalf_of=on_behalf_of,
        note=note,
        runs=runs,
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
    runs: PausedRuns | None = None,
    evidence: list[Upload] | None = None,
    objections: list[ObjectionInput] | None = None,
) -> ReviewState:
    """A selected employee's written defence, before the defence deadline, once.

    `evidence`: files as received (PDF, JPEG, PNG by content, within the size limits), kept
    under the evidence folder with their SHA-256; `objections`: rows of their month marked
    wrong. Anything refused refuses the whole defence and stores nothing.
    """
    _check_channel(channel)
    text = validate.check_defence(text)
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
        apply=lambda s, review, _: apply_defence(
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
        runs=runs,
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
    runs: PausedRuns | None = None,
    rulings: dict[int, tuple[bool, str]] | None = None,
    on_behalf_of: str | None = None,
    note: str = "",
) -> ReviewState:
    """The head's verdict on a defence: accepted (not published) or rejected (published).

    `rulings` (objection id -> (accepted, reason)) decide each data objection of the defence;
    accepted ones correct their rows and rescore the person (review.corrections).
    `on_behalf_of`/`note` as for submit_selection.
    """
    _check_channel(channel)
    validate.check_verdict(nip, reason, rulings)
    return _submit(
        engine,
        period,
        scope_code,
        action="submit_verdict",
        actor=actor,
        channel=channel,
        apply=lambda s, review, behalf: apply_verdict(
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
            on_behalf=behalf,
        ),  # fmt: skip
        detail=lambda _: {
            "nip": nip,
            "accepted": accepted,
            "rulings": {str(k): ok for k, (ok, _) in (rulings or {}).items()},
        },
        on_behalf_of=on_behalf_of,
        note=note,
        runs=runs,
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
    channel: str = "cli",
) -> datetime:
    """An operator extends the open stage's deadline by `workdays`; returns the new deadline.

    The run stays suspended: deadlines live in the database and the sweeper reads them there.
    A retry with the same `request_id` changes and records nothing and returns the same deadline.
    """
    _check_channel(channel)
    validate.check_operator(actor, get_settings().operators)
    validate.check_extension(workdays, reason)
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
            channel=channel,
        )
        if not retry:
            record_event(
                s,
                actor=actor,
                action="extend_deadline",
                period=period,
                scope_code=scope_code,
                detail={
                    "channel": channel,
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
