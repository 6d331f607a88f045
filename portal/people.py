"""Who decides for a review (the head of its scope) and how pages name that person."""

from __future__ import annotations

from sqlalchemy.orm import Session

from kinerja.db.models import Review

# How pages name who decides a review when they cannot say more (review.deciders has the title).
DECIDER = "Kepala perangkat daerah"


def scope_head_nip(session: Session, review: Review) -> str | None:
    """The NIP of the one person who decides for this review, or None when none is recorded:
    the OPD's head (acting or not), or the Sekda for the heads' review (review.deciders)."""
    from kinerja.review.deciders import decider_for

    return decider_for(session, review).nip


def issue_refusal(
    session: Session, *, period: str, scope_code: str, purpose: str, person_nip: str
) -> str | None:
    """Why `person_nip` may not get a `purpose` link for this review, or None when they may.

    Selection and verdict links are for the scope's head only; defence links for an employee
    selected in that review. Overview links (BKD operators) are not checked here.
    """
    if purpose not in ("selection", "verdict", "defence"):
        return None
    from kinerja.portal.queries import review_for, selected_nips

    review = review_for(session, period, scope_code)
    if review is None:
        return f"tidak ada review untuk {scope_code} periode {period}"
    if purpose == "defence":
        if person_nip not in selected_nips(session, period, scope_code):
            return f"{person_nip} bukan pegawai yang dipilih dalam review {scope_code} ({period})"
        return None
    head = scope_head_nip(session, review)
    if head is None:
        return (
            f"{scope_code} belum memiliki kepala OPD tercatat; "
            f"tautan {purpose} tidak dapat diberikan"
        )
    if person_nip != head:
        return f"{person_nip} bukan kepala OPD {scope_code} (kepalanya {head})"
    from kinerja.db.candidates import candidates_for

    if head in {c.nip for c in candidates_for(session, period, scope_code)}:
        # the register changed since the proposal: nobody decides on their own case
        return f"{head} adalah kandidat dalam review {scope_code} dan tidak dapat memutusnya"
    return None


def decider_rows(session: Session) -> list[tuple[str, str, str, str | None]]:
    """(scope code, title, name, NIP) of who decides each review: every OPD's head, the Sekda
    for the heads' review and the delegate for the Sekda's; what `kinerja heads` prints."""
    from kinerja.db.organisation import opd_codes
    from kinerja.review.deciders import decider_of
    from kinerja.rules.deciders import HEADS_SCOPE, SEKDA_SCOPE

    codes = opd_codes(session)
    if not codes:
        return []
    rows = []
    for code in [*codes, HEADS_SCOPE, SEKDA_SCOPE]:
        d = decider_of(session, code)
        rows.append((code, d.title, d.name, d.nip))
    return rows
