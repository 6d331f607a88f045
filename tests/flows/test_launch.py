"""Review runs are created once per OPD and carried to their first pause in the caller's process."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from prefect import get_client
from prefect.states import Pending
from sqlalchemy import Engine

from db import reviews
from db.session import session_scope
from flows.launch import LEFT_TO_RUNNER, STARTED_HERE, create_review_runs, run_to_first_pause
from flows.opd_review import opd_review
from tests.review.factories import make_opd
from tests.served import read_state

PERIOD = "2025-08"  # other modules use other periods in the same Prefect session


def _deployment() -> str:
    """The review deployment, registered but not served: nothing but this test runs it."""
    opd_review.to_deployment(name="review-launch-test").apply()
    return "opd_review/review-launch-test"


def _claim_for_runner(run_id: Any) -> None:
    from prefect.utilities.engine import propose_state_sync

    with get_client(sync_client=True) as client:
        assert propose_state_sync(client, Pending(), flow_run_id=run_id).is_pending()


def test_runs_reach_their_pause_here_once_and_runner_claims_are_respected(
    prefect_api: None, flow_engine: Engine, flow_settings: dict[str, str], flow_home: Path
) -> None:
    from prefect.settings import temporary_settings

    from flows.serve import results_settings

    for opd in ("DISKOMINFO", "DISPORA", "DISPAR"):
        make_opd(flow_engine, PERIOD, opd)
    scopes = ["DISKOMINFO", "DISPORA", "DISPAR"]
    name = _deployment()
    with temporary_settings(updates=results_settings(flow_home / "var")):
        runs = create_review_runs(name, PERIOD, scopes)
        assert len({r.id for r in runs.values()}) == 3
        _claim_for_runner(runs["DISPAR"].id)  # the runner got there first

        outcome = run_to_first_pause(opd_review, list(runs.values()), workers=2)
        assert outcome == {
            str(runs["DISKOMINFO"].id): STARTED_HERE,
            str(runs["DISPORA"].id): STARTED_HERE,
            str(runs["DISPAR"].id): LEFT_TO_RUNNER,
        }
        for scope in ("DISKOMINFO", "DISPORA"):
            state = read_state(str(runs[scope].id))
            assert state.is_paused() and state.name == "Suspended", (scope, state)
        assert read_state(str(runs["DISPAR"].id)).is_pending()  # untouched

        # A rerun finds the same runs and starts nothing again.
        again = create_review_runs(name, PERIOD, scopes)
        assert {s: r.id for s, r in again.items()} == {s: r.id for s, r in runs.items()}
        assert set(run_to_first_pause(opd_review, list(again.values())).values()) == {
            LEFT_TO_RUNNER
        }
    with session_scope(flow_engine) as s:
        bound = {r.scope_code: r.flow_run_id for r in reviews.list_reviews(s, PERIOD)}
    # each run opened its own review and bound itself to it; no review for the untouched run
    assert bound == {
        "DISKOMINFO": str(runs["DISKOMINFO"].id),
        "DISPORA": str(runs["DISPORA"].id),
    }
