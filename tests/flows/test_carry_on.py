"""A dead run is rerun once: marked Crashed, scheduled again, recorded for `kinerja pending`."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pytest
from sqlalchemy import Engine

from kinerja.flows.sweeper import carry_on
from kinerja.liveness import process_mark
from kinerja.runs.recovery import RECOVERED, recovered_runs


def _run(state: Any, process: str | None = None) -> str:
    from prefect import flow, get_client

    @flow(name="cycle-stand-in")
    def stand_in(period: str) -> None:
        pass

    with get_client(sync_client=True) as client:
        run = client.create_flow_run(stand_in, parameters={"period": "2025-10"}, name="cycle-x")
        client.set_flow_run_state(run.id, state, force=True)
        if process:
            client.update_flow_run(run.id, infrastructure_pid=process)
        return str(run.id)


def _states(run_id: str) -> list[str]:
    from uuid import UUID

    from prefect import get_client

    with get_client(sync_client=True) as client:
        return [s.name for s in client.read_flow_run_states(UUID(run_id))]


@pytest.mark.prefect
def test_a_run_whose_process_died_is_rerun_and_a_live_one_is_not(
    prefect_api: None, sqlite_engine: Engine
) -> None:
    from prefect.states import Running

    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    dead = _run(Running(), process_mark(pid=gone.pid))
    alive = _run(Running(), process_mark())
    assert carry_on(sqlite_engine, dead) is True
    assert _states(dead)[-2:] == ["Crashed", "Scheduled"]
    assert carry_on(sqlite_engine, dead) is False  # scheduled now: nothing more to do
    assert carry_on(sqlite_engine, alive) is False
    assert _states(alive)[-1] == "Running"
    (event,) = recovered_runs(sqlite_engine, "2025-10")
    assert event.action == RECOVERED and event.detail["flow_run_id"] == dead
    assert f"process {process_mark(pid=gone.pid)} is gone" in event.detail["reason"]


@pytest.mark.prefect
def test_a_crashed_run_is_rerun_at_most_five_times(
    prefect_api: None, sqlite_engine: Engine
) -> None:
    from uuid import UUID

    from prefect import get_client
    from prefect.states import Crashed

    run_id = _run(Crashed())
    reruns = 0
    while carry_on(sqlite_engine, run_id) and reruns < 10:
        reruns += 1
        with get_client(sync_client=True) as client:  # and it crashes again
            client.set_flow_run_state(UUID(run_id), Crashed(), force=True)
    assert reruns == 5
