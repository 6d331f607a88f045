"""The deadline sweeper: reminders before deadlines, and waking runs whose deadline passed.

A suspended run holds no process, so nothing inside it can notice time passing. Suspending
with a Prefect timeout does not help: an expired pause only fails the run when someone tries to
resume it. Instead this sweeper (a served deployment on an interval schedule, also run by
`kinerja pending --sweep`) looks at the deadlines in the database and resumes each overdue
review with a "wake" answer; the run then records "no_decision" itself. It also resumes runs
whose review moved on while their resume was lost, a cycle whose reviews have all ended, and
reruns every cycle or review run whose process died (flows.recovery decides; this module only
reads states and carries the decisions out).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

from prefect import flow, get_run_logger
from prefect.client.schemas.objects import FlowRun
from prefect.exceptions import MissingContextError
from sqlalchemy import Engine, select

from kinerja.db import audit, reviews
from kinerja.db.decisions import last_decision_at
from kinerja.db.models import Period
from kinerja.db.periods import REVIEWING
from kinerja.db.session import session_scope
from kinerja.domain import ReviewStage, utcnow
from kinerja.notifications.service import finish_interrupted
from kinerja.review.answers import WAKE
from kinerja.review.logic import state_of
from kinerja.review.people import head_of, name_of, notify_with_link, wib
from kinerja.rules.calendar import add_workdays
from kinerja.rules.policy import Policy
from kinerja.runs.recovery import RECOVERED, Action, RunSeen, recovery_action, review_action

log = logging.getLogger(__name__)


@dataclass
class SweepReport:
    reminders: int = 0
    woken: list[str] = field(default_factory=list)
    cycles_woken: list[str] = field(default_factory=list)
    recovered: list[str] = field(default_factory=list)
    resent: int = 0  # interrupted ("uncertain") sends sent again with their idempotency key


def _reminder_due(deadline: datetime, now: datetime, policy: Policy) -> bool:
    n = policy.review.reminder_workdays_before
    return n > 0 and now < deadline <= add_workdays(now, n, policy.calendar)


def sweep(engine: Engine, policy: Policy, now: datetime | None = None) -> SweepReport:
    """Send due reminders, wake overdue or moved-on reviews, wake finished cycles."""
    from kinerja.runs.wakeup import resume, run_states, wake_cycles

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
            action = review_action(
                RunSeen(kind, paused_at),
                deadline=deadline,
                latest_decision=last_decision_at(s, review.id),
                now=now,
                all_answered=review.stage == ReviewStage.DEFENCE
                and not state.awaiting_defence
                and not state.awaiting_verdict,
            )
            if action == Action.WAKE and resume(review.flow_run_id, WAKE, wait=0):
                report.woken.append(f"{review.period}/{review.scope_code}")
    with session_scope(engine) as s:
        reviewing = s.scalars(select(Period.code).where(Period.status == REVIEWING)).all()
        done_periods = {p for p in reviewing if reviews.all_ended(s, p)} - periods
    for period in sorted(done_periods):
        if wake_cycles(period):
            report.cycles_woken.append(period)
    with session_scope(engine) as s:
        report.resent = len(finish_interrupted(s))
    report.recovered = recover_dead_runs(engine, now)
    return report


def _reruns_so_far(engine: Engine) -> dict[str, int]:
    with session_scope(engine) as s:
        before: dict[str, int] = {}
        for event in audit.events(s, action=RECOVERED):
            run_id = str(event.detail.get("flow_run_id"))
            before[run_id] = before.get(run_id, 0) + 1
    return before


def _rerun_if_dead(
    engine: Engine, run: FlowRun, seen: RunSeen, now: datetime, reruns: int, actor: str
) -> bool:
    from kinerja.runs.wakeup import rerun

    if recovery_action(seen, now, reruns) != Action.RERUN:
        return False
    reason = f"process {seen.process} is gone" if seen.kind == "RUNNING" else f"was {seen.kind}"
    rerun(run.id, reason)
    params = dict(run.parameters or {})
    with session_scope(engine) as s:
        audit.record_event(
            s,
            actor=actor,
            action=RECOVERED,
            period=params.get("period"),
            scope_code=params.get("scope_code"),
            detail={"flow_run_id": str(run.id), "name": run.name, "was": seen.kind,
                    "reason": reason},
        )  # fmt: skip
    _warn(f"reran {run.name}: {reason}")
    return True


def _warn(message: str) -> None:
    """Log where the caller is: a flow run's logger inside a run, this module's otherwise."""
    try:
        get_run_logger().warning(message)
    except MissingContextError:
        log.warning(message)


def recover_dead_runs(engine: Engine, now: datetime, actor: str = "sweeper") -> list[str]:
    """Rerun every cycle and review run whose process died; returns their names.

    Each rerun is recorded as an audit event (shown by `kinerja pending`); a run rerun
    MAX_RERUNS times already is left alone (a bug, not a crash: a person looks).
    """
    from kinerja.names import CYCLE_DEPLOYMENT, REVIEW_DEPLOYMENT
    from kinerja.runs.wakeup import unfinished_runs

    candidates = unfinished_runs([CYCLE_DEPLOYMENT, REVIEW_DEPLOYMENT])
    if not candidates:
        return []
    before = _reruns_so_far(engine)
    return [
        run.name
        for run, seen in candidates
        if _rerun_if_dead(engine, run, seen, now, before.get(str(run.id), 0), actor)
    ]


def carry_on(engine: Engine, flow_run_id: str, actor: str = "cli") -> bool:
    """Rerun this one run if its process died (`kinerja run` on a month whose cycle crashed)."""
    from kinerja.runs.wakeup import read_run

    run, seen = read_run(flow_run_id)
    reruns = _reruns_so_far(engine).get(str(run.id), 0)
    return _rerun_if_dead(engine, run, seen, utcnow(), reruns, actor)


@flow(name="review_sweeper", log_prints=False)
def review_sweeper() -> dict[str, object]:
    """Scheduled every few minutes by `kinerja serve`."""
    from kinerja.tasks.common import engine, policy

    report = sweep(engine(), policy())
    get_run_logger().info(
        "sweep: %d reminder(s), %d interrupted send(s) finished, woke %s, cycles %s, reran %s",
        report.reminders,
        report.resent,
        report.woken or "none",
        report.cycles_woken or "none",
        report.recovered or "none",
    )
    return {
        "reminders": report.reminders,
        "woken": report.woken,
        "cycles": report.cycles_woken,
        "recovered": report.recovered,
        "resent": report.resent,
    }
