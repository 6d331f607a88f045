"""Who decides for a review (the head of its scope) and how pages name that person."""

from __future__ import annotations

from sqlalchemy.orm import Session

from db.models import Opd, Review, Rumpun

# How the portal names the decider of a review, by scope kind.
DECIDER = {"opd": "Kepala perangkat daerah", "rumpun": "Pimpinan rumpun"}


def scope_head_nip(session: Session, review: Review) -> str | None:
    """The NIP of the one person who decides for this review, or None when none is recorded."""
    if review.scope_kind == "rumpun":
        # Rumpun.head_nip is being added by the organisation model; until then nobody decides
        # for a rumpun through the portal.
        rumpun = session.get(Rumpun, review.scope_code)
        return getattr(rumpun, "head_nip", None) if rumpun is not None else None
    opd = session.get(Opd, review.scope_code)
    return opd.head_nip if opd is not None else None


def decider_title(scope_kind: str | None) -> str:
    """'Kepala perangkat daerah' for an OPD review, 'Pimpinan rumpun' for a rumpun review."""
    return DECIDER.get(scope_kind or "opd", DECIDER["opd"])


def issue_refusal(
    session: Session, *, period: str, scope_code: str, purpose: str, person_nip: str
) -> str | None:
    """Why `person_nip` may not get a `purpose` link for this review, or None when they may.

    Selection and verdict links are for the scope's head only; defence links for an employee
    selected in that review. Overview links (BKD operators) are not checked here.
    """
    if purpose not in ("selection", "verdict", "defence"):
        return None
    from portal.queries import review_for, selected_nips

    review = review_for(session, period, scope_code)
    if review is None:
        return f"no review for {scope_code} in {period}"
    if purpose == "defence":
        if person_nip not in selected_nips(session, period, scope_code):
            return f"{person_nip} is not a selected employee of the {scope_code} review ({period})"
        return None
    head = scope_head_nip(session, review)
    title = "head of OPD" if review.scope_kind != "rumpun" else "head (pimpinan) of rumpun"
    if head is None:
        return f"{scope_code} has no {title} recorded; nobody can receive a {purpose} link"
    if person_nip != head:
        return f"{person_nip} is not the {title} {scope_code} (the head is {head})"
    return None
