"""Who a review talks to, their personal portal links, and times shown in WIB."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from kinerja.db.models import Employee, Review
from kinerja.domain import NotificationStatus
from kinerja.settings import get_settings


def wib(value: datetime | None) -> datetime | None:
    """Naive UTC (database) to an aware Asia/Jakarta time for messages."""
    if value is None:
        return None
    return value.replace(tzinfo=UTC).astimezone(ZoneInfo(get_settings().timezone))


def head_of(session: Session, review: Review) -> tuple[str, str, str]:
    """(recipient id, name, scope name) of who decides this review (review.deciders): the
    OPD's head, or the Sekda for the heads' review."""
    from kinerja.review.deciders import decider_for

    who = decider_for(session, review)
    return who.nip or review.scope_code, who.name, who.scope_name


def name_of(session: Session, nip: str) -> str:
    emp = session.get(Employee, nip)
    return emp.name if emp else nip


def portal_link(
    session: Session, review: Review, purpose: str, nip: str, until: datetime | None
) -> str:
    """A personal, expiring link for this review (review.links.issue_link)."""
    from kinerja.review.links import issue_link

    return issue_link(
        session,
        period=review.period,
        scope_code=review.scope_code,
        purpose=purpose,
        person_nip=nip,
        expires_at=until,
    )


def paper_link(session: Session, url: str) -> str:
    """The short form of a personal link, for letters (review.links.short_url)."""
    from kinerja.review.links import short_url

    return short_url(session, url)


def already_sent(session: Session, event_key: str, recipient_role: str) -> bool:
    """Whether every channel of the role already sent `event_key` (notify would send nothing)."""
    from kinerja.db import notifications as store
    from kinerja.notifications.recipients import channels_for, load_recipients_config
    from kinerja.notifications.service import channel_key

    settings = get_settings()
    names = channels_for(
        recipient_role, settings, load_recipients_config(settings.recipients_config)
    )
    rows = [store.get_by_key(session, channel_key(event_key, n)) for n in names]
    return bool(rows) and all(r is not None and r.status == NotificationStatus.SENT for r in rows)


def notify_with_link(
    session: Session,
    review: Review,
    *,
    purpose: str,
    nip: str,
    until: datetime | None,
    event_key: str,
    recipient_role: str,
    template: str,
    context: dict[str, Any],
) -> bool:
    """Issue a personal link and notify, unless this event was already sent; True if sent now.

    Checking first matters: notify drops a duplicate, but a link issued for it would still be
    one more live token for that person.
    """
    from kinerja.domain import naive_utc, utcnow
    from kinerja.notifications.service import notify

    if already_sent(session, event_key, recipient_role):
        return False
    if until is not None and naive_utc(until) <= utcnow():
        # the deadline passed while the run was on its way here: nothing can be answered any
        # more, and the caller's deadline check records what that means
        return False
    link = portal_link(session, review, purpose, nip, until)
    session.commit()  # notify commits too; the link is on record before anything is sent
    rows = notify(
        session,
        event_key=event_key,
        recipient_role=recipient_role,
        recipient=nip,
        template=template,
        context={**context, "link": link},
        period=review.period,
    )
    return any(r.status == NotificationStatus.SENT for r in rows)


def notify_awaited(session: Session, review: Review, deadline: datetime) -> int:
    """New links (valid to `deadline`) and a message to everyone the open stage still awaits.

    Used after an extension: the links sent before expire at the old deadline. The event keys
    include the deadline, so a retry sends nothing twice. Returns the messages sent now.
    """
    from kinerja.domain import ReviewStage
    from kinerja.review.logic import state_of

    state = state_of(session, review)
    head, head_name, scope_name = head_of(session, review)
    at = f"{deadline:%Y%m%d%H%M}"
    base = f"deadline_extended:{review.period}:{review.scope_code}"
    sent = 0
    if review.stage == ReviewStage.SELECTION:
        sent += notify_with_link(
            session, review, purpose="selection", nip=head, until=deadline,
            event_key=f"{base}:selection:{head}:{at}", recipient_role="head_of_opd",
            template="selection_reminder",
            context={"recipient_name": head_name, "scope_name": scope_name,
                     "deadline": wib(deadline)},
        )  # fmt: skip
    if review.stage == ReviewStage.DEFENCE:
        for nip in state.awaiting_defence:
            sent += notify_with_link(
                session, review, purpose="defence", nip=nip, until=deadline,
                event_key=f"{base}:defence:{nip}:{at}", recipient_role="employee",
                template="defence_reminder",
                context={"recipient_name": name_of(session, nip), "deadline": wib(deadline)},
            )  # fmt: skip
        for nip in state.awaiting_verdict:
            sent += notify_with_link(
                session, review, purpose="verdict", nip=head, until=deadline,
                event_key=f"{base}:verdict:{nip}:{at}", recipient_role="head_of_opd",
                template="defence_received",
                context={"recipient_name": head_name, "employee_name": name_of(session, nip),
                         "employee_nip": nip, "deadline": wib(deadline)},
            )  # fmt: skip
    return sent
