"""The deadline sweeper: reminders before deadlines, and waking runs whose deadline passed.

A suspended run holds no process, so nothing inside it can notice time passing. Suspending
with a Prefect timeout does not help: an expired pause only fails the run when someone tries to
resume it. Instead this sweeper (a served deployment on an interval schedule, also run by
`kinerja pending --sweep`) looks at the deadlines in the database and resumes each overdue
review with a wake-up answer (forms.WAKE); the run then records "no_decision" itself. It also
resumes runs whose review moved on while their resume was lost, and a cycle whose reviews have
all ended.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from prefect import flow, get_run_logger
from sqlalchemy import Engine, select

from kinerja.db import reviews
from kinerja.db.decisions import last_decision_at
from kinerja.db.models import Period
from kinerja.db.periods import REVIEWING
from kinerja.db.session import session_scope
from kinerja.domain import ReviewStage
from kinerja.flows.forms import WAKE
from kinerja.review.logic import state_of, utcnow
from kinerja.review.people import head_of, name_of, notify_with_link, wib
from kinerja.rules.calendar import add_workdays
from kinerja.rules.policy import Policy


@dataclass
class SweepReport:
    reminders: int = 0
    woken: list[str] = field(default_factory=list)
    cycles_woken: list[str] = field(default_factory=list)


def _reminder_due(deadline: datetime, now: datetime, policy: Policy) -> bool:
    n = policy.review.reminder_workdays_before
    return n > 0 and now < deadline <= add_workdays(now, n, policy.calendar)


def sweep(engine: Engine, policy: Policy, now: datetime | None = None) -> SweepReport:
    """Send due reminders, wake overdue or moved-on reviews, wake finished cycles."""
    from kinerja.flows.wakeup import resume, run_states, wake_cycles

    now = now or utcnow()
    report = SweepReport()
    periods: set[str] = set()
    with session_scope(engine) as s:
        open_reviews = reviews.list_reviews(s, stages=reviews.OPEN_STAGES)
        states = run_states([r.flow_run_id for r in open_reviews if r.flow_run_id])
        for review in open_reviews:
            periods.add(review.period)
            state = state_of(s, review)
            head, head_name, scope_name = head_of(s, review)
            deadline = (
                review.selection_deadline
                if review.stage == ReviewStage.SELECTION
                else review.defence_deadline
            )
            if deadline is None:
                continue
            if _reminder_due(deadline, now, policy):
                # Only a reminder not sent before gets a link and counts.
                if review.stage == ReviewStage.SELECTION and notify_with_link(
                    s,
                    review,
                    purpose="selection",
                    nip=head,
                    until=deadline,
                    event_key=f"selection_reminder:{review.period}:{review.scope_code}:"
                    f"{deadline:%Y%m%d%H%M}",
                    recipient_role="head_of_opd",
                    template="selection_reminder",
                    context={
                        "recipient_name": head_name,
                        "scope_name": scope_name,
                        "deadline": wib(deadline),
                    },
                ):
                    report.reminders += 1
                for nip in state.awaiting_defence if review.stage == ReviewStage.DEFENCE else []:
                    if notify_with_link(
                        s,
                        review,
                        purpose="defence",
                        nip=nip,
                        until=deadline,
                        event_key=f"defence_reminder:{review.period}:{nip}:{deadline:%Y%m%d%H%M}",
                        recipient_role="employee",
                        template="defence_reminder",
                        context={"recipient_name": name_of(s, nip), "deadline": wib(deadline)},
                    ):
                        report.reminders += 1
            if not review.flow_run_id:
                continue
            kind, paused_at = states[review.flow_run_id]
            # Wake when the deadline passed, or when a decision came after the run paused
            # (its own resume was lost while the run was awake).
            latest = last_decision_at(s, review.id)
            moved_on = latest is not None and paused_at is not None and latest > paused_at
            if (
                kind == "PAUSED"
                and (now > deadline or moved_on)
                and resume(review.flow_run_id, WAKE, wait=0)
            ):
                report.woken.append(f"{review.period}/{review.scope_code}")
    with session_scope(engine) as s:
        reviewing = s.scalars(select(Period.code).where(Period.status == REVIEWING)).all()
        done_periods = {p for p in reviewing if reviews.all_ended(s, p)} - periods
    for period in sorted(done_periods):
        if wake_cycles(period):
            report.cycles_woken.append(period)
    return report


@flow(name="review_sweeper", log_prints=False)
def review_sweeper() -> dict[str, object]:
    """Scheduled every few minutes by `kinerja serve`."""
    from kinerja.tasks.common import engine, policy

    report = sweep(engine(), policy())
    get_run_logger().info(
        "sweep: %d reminder(s), woke %s, cycles %s",
        report.reminders,
        report.woken or "none",
        report.cycles_woken or "none",
    )
    return {"reminders": report.reminders, "woken": report.woken, "cycles": report.cycles_woken}
