"""`kinerja bench cycle`: time from starting a month to every selection pause, and run counts.

The whole stack is real (simulator over HTTP, local Prefect server, served deployments). It
prints the seconds to gather+score, to all reviews suspended at the selection pause, and the
number of flow runs and task runs the Prefect server recorded: the cost that grows with OPDs,
never with employees.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import UTC
from pathlib import Path
from typing import Any

from sqlalchemy import Engine


@dataclass
class CycleBench:
    employees: int
    opds: int
    reviews: int
    seconds_to_pauses: float
    seconds_total: float
    flow_runs: int
    task_runs: int
    timed_out: bool
    steps: dict[str, float] = field(default_factory=dict)  # cycle task -> seconds it ran


def _counts(run_ids: list[str]) -> tuple[int, int]:
    """Flow runs the server recorded, and task runs of the month's runs (`run_ids`)."""
    from uuid import UUID

    from prefect import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

    wanted = FlowRunFilter(id=FlowRunFilterId(any_=[UUID(i) for i in run_ids]))
    tasks = 0
    with get_client(sync_client=True) as client:
        flows = client.count_flow_runs()
        while page := client.read_task_runs(flow_run_filter=wanted, limit=200, offset=tasks):
            tasks += len(page)
    return flows, tasks


def _reviews_seconds(run_id: str, review_ids: list[str]) -> float:
    """From the start of the cycle's start_reviews task to the last review's pause."""
    from uuid import UUID

    from prefect import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

    from kinerja.runs.wakeup import run_states

    with get_client(sync_client=True) as client:
        runs = client.read_task_runs(
            flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[UUID(run_id)]))
        )
    starts = [r.start_time for r in runs if r.name.startswith("start_reviews") and r.start_time]
    paused = [t for _, t in run_states(review_ids).values() if t is not None]
    if not starts or not paused:
        return 0.0
    first = min(starts).astimezone(UTC).replace(tzinfo=None)
    return (max(paused) - first).total_seconds()


def _steps(run_id: str) -> dict[str, float]:
    """Seconds each of the cycle run's tasks took, from the server's task run records."""
    from uuid import UUID

    from prefect import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

    with get_client(sync_client=True) as client:
        runs = client.read_task_runs(
            flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[UUID(run_id)]))
        )
    return {
        r.name.rsplit("-", 1)[0]: (r.end_time - r.start_time).total_seconds()
        for r in runs
        if r.start_time and r.end_time
    }


def _review_runs(engine: Engine, period: str) -> list[str]:
    from kinerja.db import reviews
    from kinerja.db.session import session_scope

    with session_scope(engine) as s:
        return [str(r.flow_run_id) for r in reviews.list_reviews(s, period) if r.flow_run_id]


def _all_paused(engine: Engine, period: str) -> tuple[bool, int]:
    from sqlalchemy.exc import OperationalError

    from kinerja.db import reviews
    from kinerja.db.session import session_scope
    from kinerja.runs.wakeup import run_states

    try:
        with session_scope(engine) as s:
            run_ids = [r.flow_run_id for r in reviews.list_reviews(s, period)]
    except OperationalError:  # SQLite: the gathering holds the write lock; look again later
        return False, 0
    if not run_ids:
        return False, 0
    if not all(run_ids):
        return False, len(run_ids)
    # one API call a second: the benchmark must not load the server it measures
    states = run_states([str(i) for i in run_ids])
    return all(kind == "PAUSED" for kind, _ in states.values()), len(run_ids)


def run(
    employees: int,
    seed: int,
    period: str,
    root: Path,
    timeout: float = 900,
    database_url: str | None = None,
) -> CycleBench:
    """Start the cycle and wait until every review is suspended waiting for its head."""
    from kinerja.flows.demo import running_stack, start_cycle
    from kinerja.names import CYCLE_DEPLOYMENT, cycle_run_name
    from kinerja.runs.wakeup import run_state

    t_start = time.monotonic()
    timed_out = True
    opds = reviews_n = 0
    t_pauses = 0.0
    with running_stack(
        root / "var", root / "out", period=period, employees=employees, seed=seed,
        say=lambda _: None, database_url=database_url,
    ) as engine:  # fmt: skip
        t0 = time.monotonic()
        run_id = start_cycle(CYCLE_DEPLOYMENT, period, cycle_run_name(period))
        while time.monotonic() - t0 < timeout:
            kind, _ = run_state(run_id)
            if kind in ("FAILED", "CRASHED", "CANCELLED"):
                raise RuntimeError(f"cycle run {run_id} ended {kind}; see {root}/var/serve.log")
            done, reviews_n = _all_paused(engine, period)
            if done and kind == "PAUSED":
                timed_out = False
                break
            time.sleep(1)
        t_pauses = time.monotonic() - t0
        review_ids = _review_runs(engine, period)
        flow_runs, task_runs = _counts([run_id, *review_ids])
        steps = _steps(run_id)
        steps["reviews: start_reviews -> last review suspended"] = _reviews_seconds(
            run_id, review_ids
        )
        from sqlalchemy import func, select

        from kinerja.db.models import Opd
        from kinerja.db.session import session_scope

        with session_scope(engine) as s:
            opds = s.scalar(select(func.count()).select_from(Opd)) or 0
    return CycleBench(
        employees=employees,
        opds=opds,
        reviews=reviews_n,
        seconds_to_pauses=t_pauses,
        seconds_total=time.monotonic() - t_start,
        flow_runs=flow_runs,
        task_runs=task_runs,
        timed_out=timed_out,
        steps=steps,
    )


def report(result: CycleBench, database: str = "sqlite") -> str:
    steps = ", ".join(f"{name} {sec:.1f} s" for name, sec in result.steps.items())
    lines: list[Any] = [
        f"cycle benchmark: {result.employees} employees, {result.opds} OPDs, "
        f"{result.reviews} reviews, database {database}",
        f"  start -> every review suspended at selection: {result.seconds_to_pauses:.1f} s"
        + ("  (TIMED OUT)" if result.timed_out else ""),
        f"  cycle steps: {steps}",
        f"  flow runs: {result.flow_runs}   task runs: {result.task_runs}",
        f"  wall time including setup (simulate, Prefect server): {result.seconds_total:.1f} s",
    ]
    return "\n".join(str(x) for x in lines)
