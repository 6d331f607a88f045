"""A cycle started without a period assesses the month before its schedule, on every resume."""

from __future__ import annotations

from datetime import UTC, datetime

from prefect import flow, get_client
from prefect.flow_engine import run_flow
from prefect.states import Scheduled

from kinerja.flows.monthly_cycle import assessed_period, previous_period


@flow
def _which_month() -> str:
    return assessed_period()


def test_month_before_the_local_date() -> None:
    # 1 Dec 00:30 WIB is still 30 Nov in UTC: the schedule's local date decides
    assert previous_period(datetime(2025, 11, 30, 17, 30, tzinfo=UTC)) == "2025-11"
    assert previous_period(datetime(2026, 1, 1, 0, 0, tzinfo=UTC)) == "2025-12"


def test_a_run_scheduled_for_november_assesses_october_whenever_it_runs(
    prefect_api: None,
) -> None:
    """The run executes (or resumes) now, a year later: it still assesses October 2025."""
    on_schedule = datetime(2025, 11, 1, 0, 0, tzinfo=UTC)  # 07:00 WIB on the 1st
    with get_client(sync_client=True) as client:
        run = client.create_flow_run(_which_month, state=Scheduled(scheduled_time=on_schedule))
    assert run_flow(_which_month, flow_run=run) == "2025-10"
    assert previous_period() != "2025-10"  # what the old code would have taken
