"""The warnings of one review: a warning decision, letter and notification per selected employee.

The warning is committed before any letter or message about it goes out; every event key is sent
once (review.notices says what else a review tells people).
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session

from kinerja.db import decisions as dec
from kinerja.db.models import Review
from kinerja.domain import DecisionKind, utcnow
from kinerja.notifications.service import notify
from kinerja.outputs.facts import load_facts
from kinerja.outputs.letters import (
    render_warning_letter,
    render_warning_letter_text,
    warning_letter_context,
)
from kinerja.review.deciders import decider_for
from kinerja.review.logic import issue_warnings
from kinerja.review.people import head_of, paper_link, portal_link, wib
from kinerja.rules.policy import Policy


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
    return letters
