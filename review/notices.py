"""What one review tells people: the selection request, defences received, results.

The warnings, with their letters, are outputs (outputs.warnings).

Each function commits what it records before it notifies: notify commits too, and a decision or
link must be on record before any message about it goes out. Every event key is sent once.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy.orm import Session

from kinerja.db import decisions as dec
from kinerja.db import reviews
from kinerja.db.candidates import notes_for
from kinerja.db.models import Employee, Review
from kinerja.domain import DecisionKind, ReviewStage
from kinerja.notifications.service import notify, notify_role
from kinerja.review.describe import candidate_rows, selection_markdown
from kinerja.review.logic import state_of
from kinerja.review.people import (
    already_sent,
    head_of,
    name_of,
    notify_with_link,
    portal_link,
    wib,
)


def request_selection(
    session: Session, review: Review, rows: list[dict[str, Any]] | None = None
) -> int:
    """Ask the head of the OPD to choose, with a personal portal link; returns messages sent.

    `rows` are the review's describe.candidate_rows when the caller already has them.
    """
    head, head_name, scope_name = head_of(session, review)
    if rows is None:
        rows = candidate_rows(session, review.period, review.scope_code)
    note = notes_for(session, review.period).get(review.scope_code)
    link = portal_link(session, review, "selection", head, review.selection_deadline)
    session.commit()
    sent = notify(
        session,
        event_key=selection_request_key(review.period, review.scope_code),
        recipient_role="head_of_opd",
        recipient=head,
        template="selection_request",
        context={
            "recipient_name": head_name,
            "scope_name": scope_name,
            "candidates": [
                {
                    "name": r["name"],
                    "nip": r["nip"],
                    "job_title": r["job_title"],
                    "composite": r["composite"],
                    "explanation": r["explanation"],
                }
                for r in rows
            ],
            "deadline": wib(review.selection_deadline),
            "link": link,
            "note": note.note if note is not None else "",
        },
        period=review.period,
    )
    return len(sent)


def request_selections(session: Session, period: str, scopes: Iterable[str]) -> int:
    """Ask the head of every review still at its selection stage; returns how many were asked.

    Also keeps each review's selection brief (the Markdown above its form), from the same
    rows the head is sent, so a review run's first execution only reads it. Idempotent: a
    head already asked is not asked again (no new link, no message), a brief is kept.
    """
    asked = 0
    for scope in scopes:
        review = reviews.require_review(session, period, scope)
        if state_of(session, review).stage != ReviewStage.SELECTION:
            continue
        if already_sent(session, selection_request_key(period, scope), "head_of_opd"):
            continue
        rows = candidate_rows(session, period, scope)
        if review.selection_brief is None:
            review.selection_brief = selection_markdown(rows, period, scope)
        request_selection(session, review, rows)
        asked += 1
    return asked


def selection_request_key(period: str, scope_code: str) -> str:
    """The event key of the request a review's head receives (sent once)."""
    return f"selection_request:{period}:{scope_code}"


def tell_head_of_defences(session: Session, review: Review, nips: list[str]) -> None:
    """Tell the head of each defence in `nips` (awaiting their verdict), with a verdict link."""
    head, head_name, _ = head_of(session, review)
    session.commit()
    for nip in nips:
        # a wake-up calls this again for the same defences: no second link, no second message
        notify_with_link(
            session,
            review,
            purpose="verdict",
            nip=head,
            until=review.defence_deadline,
            event_key=f"defence_received:{review.period}:{review.scope_code}:{nip}",
            recipient_role="head_of_opd",
            template="defence_received",
            context={
                "recipient_name": head_name,
                "employee_name": name_of(session, nip),
                "employee_nip": nip,
                "deadline": wib(review.defence_deadline),
            },
        )


def send_result(session: Session, review: Review) -> str:
    """Tell each selected employee the outcome; on no_decision tell BKD and the head.

    Returns the review's final stage.
    """
    period, scope_code = review.period, review.scope_code
    head, head_name, scope_name = head_of(session, review)
    outcomes = dec.effective(session, period, scope_code, DecisionKind.OUTCOME)
    state = state_of(session, review)
    session.commit()
    for nip in state.selected:
        out = outcomes.get(nip)
        if out is None:
            continue
        emp = session.get(Employee, nip)
        notify(
            session,
            event_key=f"outcome:{period}:{scope_code}:{nip}",
            recipient_role="employee",
            recipient=nip,
            template="outcome",
            context={
                "recipient_name": emp.name if emp else nip,
                "outcome": out.value,
                "reason": out.reason,
                "opd_name": scope_name,
            },
            period=period,
        )
    if review.stage == ReviewStage.NO_DECISION:
        nd = dec.effective(session, period, scope_code, DecisionKind.NO_DECISION).get(None)
        stage = nd.value if nd else "selection"
        passed = review.selection_deadline if stage == "selection" else review.defence_deadline
        ctx = {"scope_name": scope_name, "stage": stage, "deadline": wib(passed)}
        notify_role(
            session,
            event_key=f"deadline_passed:{period}:{scope_code}",
            role="bkd",
            template="deadline_passed",
            context=ctx,
            period=period,
        )
        notify(
            session,
            event_key=f"deadline_passed:{period}:{scope_code}:head",
            recipient_role="head_of_opd",
            recipient=head,
            template="deadline_passed",
            context={"recipient_name": head_name, **ctx},
            period=period,
        )
    return review.stage
