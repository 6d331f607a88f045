"""The answers a paused review run receives (its run input), applied to the review.

An answer may come from the Prefect UI form (recorded here, channel "ui") or be the replay of
one the portal or CLI recorded already (then it changes nothing). A refused answer is recorded
as an `input_refused` audit event and returned with its problems: the run waits again, it never
fails. After each answer the stage's deadline is checked.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from kinerja.db.audit import record_event
from kinerja.db.models import Review
from kinerja.review.logic import (
    Choice,
    Refused,
    ReviewState,
    apply_defence,
    apply_selection,
    apply_verdict,
    close_defence_if_due,
    close_selection_if_due,
    defence_text,
    state_of,
)
from kinerja.review.notices import tell_head_of_defences
from kinerja.rules.policy import Policy

UI_CHANNEL = "ui"  # answers applied here came through the Prefect UI form (others are recorded)
NOT_THE_FORM = "jawaban tidak sesuai formulir"


def selection_payload(actor: str, selections: dict[str, tuple[bool, str]]) -> dict[str, Any]:
    """The run input the portal and CLI resume a selection pause with."""
    return {
        "decided_by": actor,
        "selections": [
            {"nip": nip, "selected": sel, "reason": reason}
            for nip, (sel, reason) in selections.items()
        ],
        "action": "submit",
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


def apply_selection_answer(
    session: Session,
    review: Review,
    pause_key: str,
    answer: dict[str, Any],
    *,
    policy: Policy,
    tz: str,
    now: datetime,
) -> Applied:
    """Apply one selection-pause answer (refused ones change nothing), then check the deadline."""
    refused: list[str] = []
    if answer.get("action") == "submit":
        items = answer.get("selections") or []
        nips = [str(i.get("nip")) for i in items]
        actor = str(answer.get("decided_by", ""))
        try:
            if len(set(nips)) != len(nips):
                raise Refused(["setiap NIP hanya boleh muncul sekali"])
            with session.begin_nested():  # a refused answer leaves none of its rows
                apply_selection(
                    session,
                    review,
                    {
                        str(i["nip"]): Choice(bool(i.get("selected")), str(i.get("reason", "")))
                        for i in items
                    },
                    actor=actor,
                    channel=UI_CHANNEL,
                    policy=policy,
                    tz=tz,
                    now=now,
                    replay=True,
                )
        except Refused as exc:
            refused = exc.problems
            record_refusal(session, review, actor, pause_key, refused)
    elif answer.get("action") == "invalid":
        refused = [NOT_THE_FORM]
        record_refusal(session, review, "", pause_key, refused)
    close_selection_if_due(session, review, now)
    return Applied(state_of(session, review), refused)


def apply_defence_answer(
    session: Session, review: Review, pause_key: str, answer: dict[str, Any], *, now: datetime
) -> Applied:
    """Apply one defence-pause answer (defence or verdict), tell the head, check the deadline.

    The head hears of every defence still awaiting a verdict (each event is sent once).
    """
    action = answer.get("action")
    nip = str(answer.get("nip") or "")
    actor = str(answer.get("actor", ""))
    refused: list[str] = []
    try:
        if action == "defence":
            # Run inputs carry no defence text: it is read back from the recorded defence.
            text = str(answer.get("text") or defence_text(session, review, nip))
            apply_defence(
                session, review, nip, text,
                actor=actor or nip, channel=UI_CHANNEL, now=now, replay=True,
            )  # fmt: skip
        elif action == "verdict":
            apply_verdict(
                session, review, nip, bool(answer.get("accepted")), str(answer.get("reason", "")),
                actor=actor, channel=UI_CHANNEL, now=now, replay=True,
            )  # fmt: skip
        elif action == "invalid":
            raise Refused([NOT_THE_FORM])
    except Refused as exc:
        refused = exc.problems
        record_refusal(session, review, actor, pause_key, refused)
    tell_head_of_defences(session, review, state_of(session, review).awaiting_verdict)
    close_defence_if_due(session, review, now)
    return Applied(state_of(session, review), refused)
