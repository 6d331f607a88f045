"""The month from data to decisions: gather, score, one review per OPD/rumpun, then outputs.

The cycle starts the review runs (separate deployment runs, not subflows) and then suspends
itself: it holds no process while heads of OPD decide. The last review to end resumes it (and
the sweeper does too, should that resume be lost); it then produces the month's outputs.
A rerun of a period is idempotent: reviews are unique per (period, scope), review runs are
started with an idempotency key per period and scope, and candidates are frozen once reviews
exist.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from prefect import flow
from prefect.flow_runs import suspend_flow_run

from kinerja.domain import Period
from kinerja.domain import now as clock
from kinerja.names import CYCLE_FLOW
from kinerja.runs.wakeup import record_process
from kinerja.settings import get_settings
from kinerja.tasks.cycle import (
    close_period,
    fetch_month,
    open_reviews,
    report_candidates,
    report_charts,
    report_progress,
    request_selections,
    score_and_propose,
    start_reviews,
)


def previous_period(now: datetime | None = None) -> str:
    """The month before now in the local time zone (what the 1st-of-month schedule assesses)."""
    local = (now or clock()).astimezone(ZoneInfo(get_settings().timezone))
    return str(Period.of(local).previous())


def assessed_period() -> str:
    """The month a run without a period assesses: the one before its scheduled start.

    Not the one before now: a review cycle resumes days or weeks later (the flow runs again
    from the top), and must go on with the month it started. Prefect sets a run's expected
    start time once, from its first state (the schedule's time), so it holds across resumes.
    """
    from prefect.runtime import flow_run

    return previous_period(flow_run.scheduled_start_time)


def _run_name() -> str:
    from prefect.runtime import flow_run

    from kinerja.names import cycle_run_name

    return cycle_run_name(flow_run.parameters.get("period") or assessed_period())


@flow(
    name=CYCLE_FLOW,
    flow_run_name=_run_name,
    persist_result=True,
    log_prints=False,
    on_running=[record_process],
)
def monthly_cycle(period: str | None = None, gather: bool = True) -> dict[str, Any]:
    """Run a month; `gather=False` uses data already in the database (imports, demo)."""
    from kinerja.tasks.outputs import produce_outputs

    period = period or assessed_period()
    quality = fetch_month(period) if gather else None
    scored = score_and_propose(period)
    scopes = open_reviews(period)
    runs = start_reviews(period, scopes)
    request_selections(period, scopes)
    report_candidates(period, quality)
    report_charts(period)
    wait = 0
    while not report_progress(period):
        suspend_flow_run(key=f"reviews-{wait}")
        wait += 1
    outputs = produce_outputs(period)
    close_period(period)
    return {"period": period, "scored": scored, "reviews": runs, "outputs": outputs}
