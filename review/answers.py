"""The answers a paused review run receives (its run input), applied to the review.

An answer comes from the Prefect UI form or API (recorded here, channel "ui", always as a
configured BKD operator) or is a "wake" from the portal, the CLI or the sweeper, whose answer
is on record already. UI answers pass the same checks as the portal's and the CLI's
(review.validate). A refused answer is recorded as an `input_refused` audit event and returned
with its problems: the run waits again, it never fails. An accepted one is audited with its
channel. After each answer the stage's deadline is checked.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy.orm import Session

from kinerja.db import decisions as dec
from kinerja.db.audit import record_event
from kinerja.db.models import Review
from kinerja.domain import DecisionKind
from kinerja.review import validate
from kinerja.review.logic import (
    Refused,
    ReviewState,
    apply_defence,
    apply_selection,
    apply_verdict,
    close_defence_if_due,
    close_selection_if_due,
    state_of,
)
from kinerja.review.notices import tell_head_of_defences
from kinerja.rules.policy import Policy

UI_CHANNEL = "ui"  # answers applied here came through the Prefect UI form (others are recorded)
NOT_THE_FORM = "jawaban tidak sesuai formulir"


# The run input of every resume from the portal, the CLI and the sweeper: the answer is on
# record already, so it carries none of it. The forms' one required field, the operator, left
# empty: it fits whichever pause the run is at.
WAKE: dict[str, Any] = {"operator": ""}


class Action(StrEnum):
    """What an answer given at a pause asks for (the "action" of the answer dicts below)."""

    SUBMIT = "submit"  # a selection
    DEFENCE = "defence"
    VERDICT = "verdict"
    WAKE = "wake"  # nothing answered: the run looks at the database and waits again
    INVALID = "invalid"  # something filled that does not fit the form: refused, asked again


def nothing_answered() -> dict[str, Any]:
    """The answer of a resume that carries none (the run rereads the review)."""
    return {"action": Action.WAKE}


def unfit_answer() -> dict[str, Any]:
    """The answer of a form filled in a way it cannot be read (recorded as refused)."""
    return {"action": Action.INVALID}


def selection_answer(operator: str, reasons: dict[str, str]) -> dict[str, Any]:
    """A selection given at the selection pause: NIP -> reason, a reason selects."""
    return {
        "action": Action.SUBMIT,
        "operator": operator,
        "selections": [
            {"nip": nip, "selected": bool(reason), "reason": reason}
            for nip, reason in reasons.items()
        ],
    }


def defence_answer(nip: str, operator: str, text: str) -> dict[str, Any]:
    """A defence an operator enters for the employee at the defence pause."""
    return {"action": Action.DEFENCE, "nip": nip, "operator": operator, "text": text}


def verdict_answer(nip: str, operator: str, accepted: bool, reason: str) -> dict[str, Any]:
    """A verdict on one employee's defence at the defence pause."""
    return {
        "action": Action.VERDICT,
        "nip": nip,
        "operator": operator,
        "accepted": accepted,
        "reason": reason,
    }


@dataclass(frozen=True)
class Applied:
    """The review after an answer, and the problems that refused the answer (if any)."""

    state: ReviewState
    refused: list[str] = field(default_factory=list)


def record_refusal(
    session: Session, review: Review, actor: str, pause_key: str, problems: list[str]
) -> None:
    """An `input_refused` audit event for the answer given at `pause_key`."""
    record_event(
        session,
        actor=actor or "ui",
        action="input_refused",
        period=review.period,
        scope_code=review.scope_code,
        detail={"pause_key": pause_key, "problems": problems},
    )


def _behalf(
    session: Session, review: Review, answer: dict[str, Any], policy: Policy | None
) -> dict[str, str] | None:
    """{nip, note} when the operator answers at the decider's request (both are required)."""
    from kinerja.review.deciders import decider_for

    head = str(answer.get("on_behalf_of") or "")
    note = str(answer.get("note") or "")
    if not (head or note):
        return None
    who = validate.check_on_behalf(head, note, decider_for(session, review, policy).nip)
    return {"nip": who.nip, "note": who.note} if who else None


def _audit_accepted(
    session: Session,
    review: Review,
    action: str,
    operator: str,
    pause_key: str,
    behalf: dict[str, str] | None,
    **detail: Any,
) -> None:
    """The audit event of an answer accepted through the Prefect UI/API (channel "ui")."""
    record_event(
        session,
        actor=operator,
        action=action,
        period=review.period,
        scope_code=review.scope_code,
        detail={
            "channel": UI_CHANNEL,
            "pause_key": pause_key,
            **({"on_behalf_of": behalf} if behalf else {}),
            **detail,
        },
    )


def apply_selection_answer(
    session: Session,
    review: Review,
    pause_key: str,
    answer: dict[str, Any],
    *,
    policy: Policy,
    tz: str,
    now: datetime,
    operators: Sequence[str] = (),
) -> Applied:
    """Apply one selection-pause answer (refused ones change nothing), then check the deadline.

    The answer is an operator's (one of `operators`), checked as the portal's and the CLI's are
    (review.validate); it is recorded as the operator's, or the head's at their request.
    """
    refused: list[str] = []
    if answer.get("action") == Action.SUBMIT:
        items = answer.get("selections") or []
        operator = str(answer.get("operator") or "")
        try:
            validate.check_operator(operator, operators)
            choices = validate.check_selection(
                [
                    (str(i.get("nip") or ""), bool(i.get("selected")), str(i.get("reason") or ""))
                    for i in items
                ]
            )
            behalf = _behalf(session, review, answer, policy)
            new = not dec.effective(
                session, review.period, review.scope_code, DecisionKind.SELECTION
            )
            with session.begin_nested():  # a refused answer leaves none of its rows
                state = apply_selection(
                    session, review, choices, actor=operator, channel=UI_CHANNEL, policy=policy,
                    tz=tz, now=now, replay=True, on_behalf=behalf,
                )  # fmt: skip
            if new:
                _audit_accepted(
                    session, review, "submit_selection", operator, pause_key, behalf,
                    selected=state.selected,
                )  # fmt: skip
        except Refused as exc:
            refused = exc.problems
            record_refusal(session, review, operator, pause_key, refused)
    elif answer.get("action") == Action.INVALID:
        refused = [NOT_THE_FORM]
        record_refusal(session, review, "", pause_key, refused)
    close_selection_if_due(session, review, now)
    return Applied(state_of(session, review), refused)


def apply_defence_answer(
    session: Session,
    review: Review,
    pause_key: str,
    answer: dict[str, Any],
    *,
    now: datetime,
    operators: Sequence[str] = (),
) -> Applied:
    """Apply one defence-pause answer (defence or verdict), tell the head, check the deadline.

    The answer is an operator's (one of `operators`): a defence they enter for the employee, or
    a verdict recorded as theirs, or the head's at the head's request. The head hears of every
    defence still awaiting a verdict (each event is sent once).
    """
    action = answer.get("action")
    nip = str(answer.get("nip") or "")
    operator = str(answer.get("operator") or "")
    refused: list[str] = []
    try:
        if action in (Action.DEFENCE, Action.VERDICT):
            validate.check_operator(operator, operators)
        if action == Action.DEFENCE:
            text = validate.check_defence(str(answer.get("text") or ""))
            new = nip not in dec.effective(
                session, review.period, review.scope_code, DecisionKind.DEFENCE
            )
            apply_defence(
                session, review, nip, text, actor=operator, channel=UI_CHANNEL, now=now,
                replay=True,
            )  # fmt: skip
            if new:
                _audit_accepted(
                    session, review, "submit_defence", operator, pause_key, None, nip=nip
                )
        elif action == Action.VERDICT:
            reason = str(answer.get("reason") or "")
            validate.check_verdict(nip, reason)
            behalf = _behalf(session, review, answer, None)
            new = nip not in dec.effective(
                session, review.period, review.scope_code, DecisionKind.VERDICT
            )
            accepted = bool(answer.get("accepted"))
            apply_verdict(
                session, review, nip, accepted, reason, actor=operator, channel=UI_CHANNEL,
                now=now, replay=True, on_behalf=behalf,
            )  # fmt: skip
            if new:
                _audit_accepted(
                    session, review, "submit_verdict", operator, pause_key, behalf, nip=nip,
                    accepted=accepted,
                )  # fmt: skip
        elif action == Action.INVALID:
            raise Refused([NOT_THE_FORM])
    except Refused as exc:
        refused = exc.problems
        record_refusal(session, review, operator, pause_key, refused)
    tell_head_of_defences(session, review, state_of(session, review).awaiting_verdict)
    close_defence_if_due(session, review, now)
    return Applied(state_of(session, review), refused)
