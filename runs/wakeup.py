"""Waking runs: resume a paused run with input, find the month's cycle run, rerun a dead run."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from prefect import get_client
from prefect.client.schemas.filters import (
    DeploymentFilter,
    DeploymentFilterName,
    FlowRunFilter,
    FlowRunFilterId,
    FlowRunFilterName,
    FlowRunFilterState,
    FlowRunFilterStateType,
)
from prefect.client.schemas.objects import FlowRun, State, StateType
from prefect.exceptions import NotPausedError, ObjectNotFound
from prefect.flow_runs import resume_flow_run
from prefect.states import Crashed, Scheduled

from kinerja.liveness import process_mark
from kinerja.names import cycle_run_name
from kinerja.runs.recovery import RunSeen


def _kind_and_time(state: State | None) -> tuple[str, datetime | None]:
    if state is None:
        return ("NONE", None)
    return (state.type.value, state.timestamp.astimezone(UTC).replace(tzinfo=None))


def run_state(flow_run_id: str | UUID) -> tuple[str, datetime | None]:
    """(state type, when the state began as naive UTC) of a flow run, e.g. ("PAUSED", ...)."""
    with get_client(sync_client=True) as client:
        return _kind_and_time(client.read_flow_run(UUID(str(flow_run_id))).state)


def run_presence(flow_run_id: str | UUID) -> str:
    """The run's state type, or "DELETED" when the API no longer knows the run."""
    try:
        return run_state(flow_run_id)[0]
    except ObjectNotFound:
        return "DELETED"


def run_states(flow_run_ids: list[str]) -> dict[str, tuple[str, datetime | None]]:
    """run_state of many runs in one API call (a month has dozens of reviews to look at)."""
    states: dict[str, tuple[str, datetime | None]] = {}
    ids = [UUID(str(i)) for i in flow_run_ids]
    with get_client(sync_client=True) as client:
        for start in range(0, len(ids), 200):
            chunk = ids[start : start + 200]
            runs = client.read_flow_runs(
                flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=chunk)), limit=len(chunk)
            )
            states.update({str(r.id): _kind_and_time(r.state) for r in runs})
    return {str(i): states.get(str(i), ("NONE", None)) for i in flow_run_ids}


def resume(flow_run_id: str | UUID, run_input: dict[str, Any] | None, wait: float = 30.0) -> bool:
    """Resume a paused run; while it is awake (it will pause again soon) retry for `wait` s.

    Returns False when the run ended or never paused again in time; the caller's decision is
    already in the database, and the sweeper resumes any run whose review moved on meanwhile.
    """
    deadline = time.monotonic() + wait
    while True:
        kind, _ = run_state(flow_run_id)
        if kind == "PAUSED":
            try:
                resume_flow_run(UUID(str(flow_run_id)), run_input=run_input)
                return True
            except (RuntimeError, NotPausedError):
                # someone else resumed it between our look and Prefect's: wait for the next
                # pause rather than abort (a sweep resumes many runs; one race must not stop it)
                if run_state(flow_run_id)[0] == "PAUSED":
                    raise
        elif kind in ("COMPLETED", "FAILED", "CANCELLED", "CRASHED"):
            return False
        if time.monotonic() > deadline:
            return False
        time.sleep(0.5)


def find_run_ids(name: str) -> list[str]:
    """Flow runs with this exact name, newest first (a rerun of a period shares the name)."""
    with get_client(sync_client=True) as client:
        runs = client.read_flow_runs(
            flow_run_filter=FlowRunFilter(name=FlowRunFilterName(any_=[name])), limit=20
        )
    runs = sorted(runs, key=lambda r: str(r.created), reverse=True)
    return [str(r.id) for r in runs]


def wake_cycles(period: str) -> list[str]:
    """Resume every suspended cycle run of the period; returns those resumed."""
    woken = []
    for run_id in find_run_ids(cycle_run_name(period)):
        if run_state(run_id)[0] == "PAUSED" and resume(run_id, None, wait=0):
            woken.append(run_id)
    return woken


def record_process(flow: Any, flow_run: FlowRun, state: State) -> None:
    """on_running hook: note on the run which process executes it (its liveness signal).

    Prefect's runner does not record its subprocesses; the sweeper compares this "host:pid"
    with the processes of its host (flows.recovery.process_gone).
    """
    from prefect.context import SyncClientContext

    with SyncClientContext.get_or_create() as ctx:
        ctx.client.update_flow_run(flow_run.id, infrastructure_pid=process_mark())


def _seen(run: FlowRun) -> RunSeen:
    kind, since = _kind_and_time(run.state)
    return RunSeen(kind=kind, since=since, process=run.infrastructure_pid)


def read_run(flow_run_id: str | UUID) -> tuple[FlowRun, RunSeen]:
    with get_client(sync_client=True) as client:
        run = client.read_flow_run(UUID(str(flow_run_id)))
    return run, _seen(run)


def unfinished_runs(deployments: list[str]) -> list[tuple[FlowRun, RunSeen]]:
    """Runs of these deployments ("flow/deployment") that are Running, Pending or Crashed."""
    names = [d.split("/", 1)[1] for d in deployments]
    kinds = [StateType.RUNNING, StateType.PENDING, StateType.CRASHED]
    with get_client(sync_client=True) as client:
        runs = client.read_flow_runs(
            flow_run_filter=FlowRunFilter(
                state=FlowRunFilterState(type=FlowRunFilterStateType(any_=kinds))
            ),
            deployment_filter=DeploymentFilter(name=DeploymentFilterName(any_=names)),
            limit=200,
        )
    return [(run, _seen(run)) for run in runs]


def rerun(flow_run_id: str | UUID, reason: str) -> None:
    """Mark a dead run Crashed (as the UI then shows it) and schedule it again from the top."""
    with get_client(sync_client=True) as client:
        run_id = UUID(str(flow_run_id))
        state = client.read_flow_run(run_id).state
        if state is not None and not state.is_crashed():
            client.set_flow_run_state(run_id, Crashed(message=reason), force=True)
        client.set_flow_run_state(
            run_id, Scheduled(message=f"rerun after a crash: {reason}"), force=True
        )
