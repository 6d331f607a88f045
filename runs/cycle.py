"""Starting the month's cycle run on its served deployment (a rerun returns the same run)."""

from __future__ import annotations

from typing import Any

from kinerja.names import CYCLE_DEPLOYMENT, cycle_run_name


def start_cycle(period: str, gather: bool = True) -> tuple[str, str]:
    """Create the cycle run of `period` and return (run id, state name) without waiting for it."""
    from prefect.deployments import run_deployment

    run: Any = run_deployment(
        CYCLE_DEPLOYMENT,
        parameters={"period": period, "gather": gather},
        flow_run_name=cycle_run_name(period),
        idempotency_key=f"cycle:{period}",
        as_subflow=False,
        timeout=0,
    )
    return str(run.id), str(run.state_name)
