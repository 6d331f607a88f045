"""Starting the month's review runs: create them from the deployment, carry each to its pause.

A served deployment runs every flow run in a fresh process; for a review that only opens, sends
the head's link and suspends, the process start (Python, Prefect, pandas: ~2.5 s of CPU) costs
far more than the work. So the cycle creates the runs from the review deployment (idempotency
keys: a rerun finds the same runs), claims each still-scheduled run exactly as Prefect's runner
does (proposing Pending, which only one claimant can win), and runs it in a thread of its own
process until it suspends. Every later wake-up (an answer, a deadline) is executed by the served
deployment as usual. A run the runner claimed first is simply left to the runner.
A run claimed but never started (this process died in between) is handed back to the runner
by the next attempt (a task retry or a rerun of the cycle) once STALE has passed.
"""

from __future__ import annotations

import contextlib
import logging
import random
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextvars import copy_context
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar
from uuid import UUID

import httpx
from prefect import get_client
from prefect.client.orchestration import SyncPrefectClient
from prefect.client.schemas.objects import FlowRun
from prefect.context import SettingsContext, SyncClientContext
from prefect.exceptions import Abort, Pause, PrefectHTTPStatusError
from prefect.settings import PREFECT_CLIENT_MAX_RETRIES, temporary_settings
from prefect.states import Pending, Scheduled

from flows.wakeup import review_run_name

log = logging.getLogger(__name__)

STALE = timedelta(minutes=5)  # a claimed run not started by then goes back to the runner
STARTED_HERE = "started"  # claimed and carried to its first pause in this process


def create_review_runs(
    deployment_name: str, period: str, scopes: list[str]
) -> tuple[dict[str, FlowRun], list[FlowRun]]:
    """One flow run per OPD from the review deployment (the same runs again on a rerun).

    Returns every scope's run and the runs claimed here (Pending) for run_to_first_pause. Each
    new run is claimed right after it is created, so the runner, which polls every few seconds,
    rarely sees it; if it does, it simply runs it itself. A run claimed long ago and never
    started (its claimant died) is handed back to the runner.
    """
    now = datetime.now(UTC)
    with (
        temporary_settings(updates={PREFECT_CLIENT_MAX_RETRIES: 0}),  # see _soon
        get_client(sync_client=True) as client,
    ):
        deployment = _soon(lambda: client.read_deployment_by_name(deployment_name))

        def create(scope: str) -> tuple[FlowRun, bool]:
            run = _soon(
                lambda: client.create_flow_run_from_deployment(
                    deployment.id,
                    parameters={"period": period, "scope_code": scope},
                    name=review_run_name(period, scope),
                    tags=[f"opd:{scope}", f"period:{period}", "review"],
                    idempotency_key=f"review:{period}:{scope}",
                )
            )
            state = run.state
            if state is not None and state.is_scheduled():
                mine = _soon(lambda: _claim(client, run.id))
                if mine is not None:
                    return mine, True
            elif state is not None and state.is_pending() and now - state.timestamp > STALE:
                _soon(lambda: client.set_flow_run_state(run.id, Scheduled(), force=True))
            return run, False

        # Round trips side by side (one client, as Prefect's own threads share one): a month
        # has dozens of OPDs, and each run is three calls to the server. Each thread runs in
        # a copy of this context, so that it has the settings above.
        with ThreadPoolExecutor(max_workers=4, thread_name_prefix="kinerja-create") as pool:
            futures = [pool.submit(copy_context().run, create, scope) for scope in scopes]
            made = dict(zip(scopes, (f.result() for f in futures), strict=True))
    runs = {scope: run for scope, (run, _) in made.items()}
    claimed = [run for run, mine in made.values() if mine]
    return runs, claimed


T = TypeVar("T")
RETRY_PAUSES = (0.05, 0.1, 0.2, 0.3, 0.5, 0.8, 1.0, 1.5, 2.0, 3.0)  # seconds, 9.45 s in all


def _soon(call: Callable[[], T]) -> T:
    """`call()`, tried again within a fraction of a second while the server answers 503.

    A Prefect server on SQLite answers 503 when another of its writers (events, logs, its
    services, the other creations) committed while a request was under way. Prefect's client
    then waits 2 s, and 4 and 8 s if the same call is refused again: creating a month's runs
    took 7-25 s in our benchmark, mostly asleep. With its retries off (the caller's settings)
    it still waits 2 s once; then we try again within a fraction of a second. A dropped
    connection is retried too. The calls are idempotent (idempotency key, state proposals).
    """
    for pause in RETRY_PAUSES:
        try:
            return call()
        except (PrefectHTTPStatusError, httpx.TransportError) as exc:
            if isinstance(exc, PrefectHTTPStatusError) and exc.response.status_code != 503:
                raise
            log.debug("Prefect API busy (%s); trying again in %.2f s", type(exc).__name__, pause)
            time.sleep(pause * random.uniform(0.8, 1.2))  # jitter: threads must not collide
    return call()


def _claim(client: SyncPrefectClient, flow_run_id: UUID) -> FlowRun | None:
    """Move a scheduled run to Pending, as the runner does before it starts one; None if taken."""
    from prefect.utilities.engine import propose_state_sync

    try:
        state = propose_state_sync(client, Pending(), flow_run_id=flow_run_id)
    except (Abort, Pause):  # already running, or already waiting at a pause
        return None
    if not state.is_pending():
        return None
    return client.read_flow_run(flow_run_id)


def _run_to_pause(
    flow: Any, run: FlowRun, settings: SettingsContext, client: SyncClientContext | None
) -> str:
    from prefect.flow_engine import run_flow

    # The caller's Prefect settings (API, result storage) and API client, but none of its run
    # context; Pause is the intended end here: the run then waits for its head without holding
    # a process. Sharing the client, as Prefect's thread pool task runner shares a flow's, spares
    # every run a new one (~0.15 s of CPU each, mostly loading CA certificates).
    token = SyncClientContext.__var__.set(client) if client is not None else None
    try:
        with (
            SettingsContext(profile=settings.profile, settings=settings.settings),
            contextlib.suppress(Pause),
        ):
            run_flow(flow, flow_run=run, parameters=dict(run.parameters), return_type="state")
    finally:
        if token is not None:
            SyncClientContext.__var__.reset(token)
    return STARTED_HERE


def run_to_first_pause(flow: Any, runs: list[FlowRun], workers: int = 16) -> dict[str, str]:
    """Run the runs claimed by create_review_runs here, in threads, until each suspends.

    Returns flow run id -> STARTED_HERE. Threads start without the caller's run context (only
    its settings and API client), so each run is a top-level run of its own, not a subflow. A
    run whose own code fails ends Failed in Prefect as it would under the runner; it never
    stops the others.
    """
    outcome: dict[str, str] = {}
    if not runs:
        return outcome
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="kinerja-review") as pool:
        settings = SettingsContext.get()
        assert settings is not None
        client = SyncClientContext.get()
        futures = {str(r.id): pool.submit(_run_to_pause, flow, r, settings, client) for r in runs}
        for run_id, future in futures.items():
            try:
                outcome[run_id] = future.result()
            # Prefect's Abort/Pause are BaseExceptions: one escaping here would stop the caller
            except (Exception, Abort, Pause):  # recorded on the run itself; the others go on
                log.exception("review run %s failed before its first pause", run_id)
                outcome[run_id] = STARTED_HERE
    return outcome
