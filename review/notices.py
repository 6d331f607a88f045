"""What one review tells people: the selection request, warnings, defences received, results.

Each function commits what it records before it notifies: notify commits too, and a decision or
link must be on record before any message about it goes out. Every event key is sent once.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from kinerja.db import decisions as dec
from kinerja.db.models import Employee, Review
from kinerja.db.scores import notes_for
from kinerja.domain import DecisionKind, ReviewStage
from kinerja.faults import fault_point
from kinerja.notifications.service import notify, notify_role
from kinerja.outputs.facts import load_facts
from kinerja.outputs.letters import (
    render_warning_letter,
    render_warning_letter_text,
    warning_letter_context,
)
from kinerja.review.deciders import decider_for
from kinerja.review.describe import candidate_rows
from kinerja.review.logic import issue_warnings, state_of, utcnow
from kinerja.review.people import (
    head_of,
    name_of,
    notify_with_link,
    paper_link,
    portal_link,
    wib,
)
from kinerja.rules.policy import Policy


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
        event_key=f"selection_request:{review.period}:{review.scope_code}",
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


def send_warnings(session: Session, review: Review, policy: Policy, out_dir: Path) -> list[str]:
    """A warning decision, letter (HTML and text) and notification per selected employee.

    Returns the HTML letters written, under `out_dir/<period>/letters/<nip>/`.
    """
    period, scope_code = review.period, review.scope_code
    _, _, scope_name = head_of(session, review)
    decider = decider_for(session, review).title
    sel = dec.effective(session, period, scope_code, DecisionKind.SELECTION)
    selected = issue_warnings(session, review, utcnow())
    # The warning is on record before any letter or message goes out.
    session.commit()
    facts = load_facts(session, period)
    folder = out_dir / period / "letters"
    letters: list[str] = []
    for nip in selected:
        link = portal_link(session, review, "defence", nip, review.defence_deadline)
        # Paper gets the short form (typed from the page, or scanned from its QR code).
        ctx = warning_letter_context(
            facts, nip, policy, {scope_code: review}, paper_link(session, link)
        )
        html = folder / nip / "peringatan.html"
        html.parent.mkdir(parents=True, exist_ok=True)
        html.write_text(render_warning_letter(ctx), encoding="utf-8")
        html.with_suffix(".txt").write_text(render_warning_letter_text(ctx), encoding="utf-8")
        letters.append(str(html))
        session.commit()
        notify(
            session,
            event_key=f"warning:{period}:{scope_code}:{nip}",
            recipient_role="employee",
            recipient=nip,
            template="warning",
            context={
                "recipient_name": ctx["employee"]["name"],
                "opd_name": scope_name,
                "decider": decider,
                "indicators": [
                    {
                        "label": i["label"],
                        "value": i["value"],
                        "note": "perlu ditingkatkan" if i["low"] else "memadai",
                    }
                    for i in ctx["indicators"]
                ],
                "reason": sel[nip].reason,
                "deadline": wib(review.defence_deadline),
                "link": link,
            },
            period=period,
        )
        fault_point("warning_sent")
    return letters


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
