"""Starting the month's review runs: create them from the deployment, carry each to its pause.

A served deployment runs every flow run in a fresh process; for a review that only opens, sends
the head's link and suspends, the process start (Python, Prefect, pandas: ~2.5 s of CPU) costs
far more than the work. So the cycle creates the runs from the review deployment in one request
(idempotency keys: a rerun finds the same runs), already claimed (Pending: the runner starts
only scheduled runs), claims any older still-scheduled run exactly as Prefect's runner does
(proposing Pending, which only one claimant can win), and runs each in a thread of its own
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
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import timedelta
from typing import Any
from uuid import UUID, uuid4

import httpx
from prefect.client.orchestration import SyncPrefectClient
from prefect.client.schemas.objects import FlowRun
from prefect.context import SettingsContext, SyncClientContext
from prefect.exceptions import Abort, Pause
from prefect.states import Pending, Scheduled

from kinerja.domain import now as clock
from kinerja.names import review_run_name

log = logging.getLogger(__name__)

STALE = timedelta(minutes=5)  # a claimed run not started by then goes back to the runner
STARTED_HERE = "started"  # claimed and carried to its first pause in this process
BULK = 100  # runs per creation request: the server's limit
CLAIM_MARK = "claimed to run by the monthly cycle: "  # + a token per call, in the Pending state
RETRY_PAUSES = (0.05, 0.1, 0.2, 0.3, 0.5, 0.8, 1.0, 1.5, 2.0, 3.0)  # seconds, 9.45 s in all


class QuickRetry(httpx.BaseTransport):
    """A transport that sends a request again within a fraction of a second on a 503.

    A Prefect server on SQLite answers 503 when another of its writers (events, logs, its
    services, our other calls) committed while a request was under way. Prefect's client then
    sleeps 2 s, and 4 and 8 s if refused again, even when told not to retry (its loop sleeps
    before it gives up): starting a month's reviews took 7-25 s, mostly asleep. Below the
    client, this transport asks again at once; only a server busy for longer than `pauses`
    reaches the client's own retries. Every call the reviews make while starting is safe to
    repeat (idempotency keys, state proposals).
    """

    def __init__(self, inner: httpx.BaseTransport, pauses: tuple[float, ...] = RETRY_PAUSES):
        self.inner = inner
        self.pauses = pauses

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        for pause in self.pauses:
            response = self.inner.handle_request(request)
            if response.status_code != 503:
                return response
            response.read()
            response.close()
            log.debug("Prefect API busy; %s %s again in %.2f s", request.method, request.url, pause)
            time.sleep(pause * random.uniform(0.8, 1.2))  # jitter: threads must not collide
        return self.inner.handle_request(request)

    def close(self) -> None:
        self.inner.close()


@contextmanager
def api_client() -> Iterator[SyncClientContext]:
    """The Prefect client context for starting reviews: a 503 is sent again at once."""
    transport = QuickRetry(httpx.HTTPTransport(retries=3))
    with SyncClientContext(httpx_settings={"transport": transport}) as ctx:
        # Prefect's own code in the runs asks for a client with no settings (get_client()) and
        # takes the context's only if the settings match. Ours differ from the default in the
        # transport alone: let them share it. A new client costs an SSL context, about 35 ms
        # of CPU under the interpreter lock, several times per run.
        ctx._httpx_settings = None
        yield ctx


def create_review_runs(
    deployment_name: str, period: str, scopes: list[str]
) -> tuple[dict[str, FlowRun], list[FlowRun]]:
    """One flow run per OPD from the review deployment (the same runs again on a rerun).

    Returns every scope's run and the runs claimed here (Pending) for run_to_first_pause. New
    runs are created claimed: Pending, marked with this call's token, so the runner (which
    starts only scheduled runs) never takes them. A run that already existed keeps its state:
    still scheduled, it is claimed as the runner would; claimed by someone else, it is theirs,
    unless that claim is older than STALE (its claimant died): then it goes back to the runner.
    All runs are created in one request, in one transaction of the server: one at a time,
    a Prefect server on SQLite refused about one creation in two (503). Uses the caller's
    client context (`api_client`), or a plain one.
    """
    from prefect.client.schemas.actions import DeploymentFlowRunCreate
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId
    from prefect.states import to_state_create

    now = clock()
    token = f"{CLAIM_MARK}{uuid4().hex}"
    with SyncClientContext.get_or_create() as ctx:
        client = ctx.client
        deployment = client.read_deployment_by_name(deployment_name)
        wanted = [
            DeploymentFlowRunCreate(
                parameters={"period": period, "scope_code": scope},
                name=review_run_name(period, scope),
                tags=[f"opd:{scope}", f"period:{period}", "review"],
                idempotency_key=f"review:{period}:{scope}",
                state=to_state_create(Pending(message=token)),
            ).model_dump(mode="json", exclude_unset=True)
            for scope in scopes
        ]
        ids: list[UUID] = []
        for start in range(0, len(wanted), BULK):
            response = client.request(
                "POST",
                "/deployments/{id}/create_flow_run/bulk",  # type: ignore[arg-type]
                path_params={"id": deployment.id},
                json=wanted[start : start + BULK],
            )
            response.raise_for_status()
            for scope, made in zip(
                scopes[start : start + BULK], response.json()["results"], strict=True
            ):
                if made.get("status") != "CREATED":
                    raise RuntimeError(f"review run for {scope}: {made.get('error')}")
                ids.append(UUID(made["flow_run_id"]))
        found = {
            r.id: r
            for r in client.read_flow_runs(
                flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=ids)), limit=len(ids)
            )
        }
        runs: dict[str, FlowRun] = {}
        claimed: list[FlowRun] = []
        for scope, run_id in zip(scopes, ids, strict=True):
            run = found[run_id]
            state = run.state
            if state is not None and state.is_pending() and state.message == token:
                claimed.append(run)
            elif state is not None and state.is_scheduled():
                mine = _claim(client, run.id)
                if mine is not None:
                    run = mine
                    claimed.append(run)
            elif state is not None and state.is_pending() and now - state.timestamp > STALE:
                client.set_flow_run_state(run.id, Scheduled(), force=True)
            runs[scope] = run
    return runs, claimed


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
