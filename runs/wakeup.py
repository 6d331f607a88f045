"""Waking suspended runs: resume a paused run with input, or find the month's cycle run."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from prefect import get_client
from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId, FlowRunFilterName
from prefect.client.schemas.objects import State
from prefect.exceptions import NotPausedError, ObjectNotFound
from prefect.flow_runs import resume_flow_run

from kinerja.names import cycle_run_name


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
