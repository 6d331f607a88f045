"""A national month: one unit of work per agency on a Dask cluster (prefect-dask).

A LocalCluster by default; an existing scheduler when KINERJA_DASK_ADDRESS is set (see
docs/nation.md for a Kubernetes cluster with dask-kubernetes). A province on one machine keeps
using flows.monthly_cycle, unchanged.
"""

from __future__ import annotations

from typing import Any

from prefect import flow

from kinerja.settings import Settings, get_settings
from kinerja.tasks.nation import gather_agency_task, list_agencies, report_nation, score_agency_task


@flow(name="national_month", persist_result=False, log_prints=False)
def national_month(period: str, gather: bool = True) -> dict[str, Any]:
    """Each agency gathered then scored as soon as its own gathering is done."""
    agencies = list_agencies()
    name = get_settings().policy
    gathered = [gather_agency_task.submit(a, period, name) if gather else None for a in agencies]
    scored = [
        score_agency_task.submit(
            a, period, name, return_state=False, wait_for=[g] if g is not None else []
        )
        for a, g in zip(agencies, gathered, strict=True)
    ]
    return report_nation(period, [f.result() for f in scored])


def dask_runner(settings: Settings | None = None, workers: int | None = None) -> Any:
    """The DaskTaskRunner: the scheduler at KINERJA_DASK_ADDRESS, else a LocalCluster of
    `workers` (KINERJA_DASK_WORKERS) single-threaded worker processes."""
    from prefect_dask import DaskTaskRunner

    settings = settings or get_settings()
    if settings.dask_address:
        return DaskTaskRunner(address=settings.dask_address)
    return DaskTaskRunner(
        cluster_class="distributed.LocalCluster",
        cluster_kwargs={
            "n_workers": workers or settings.dask_workers,
            "threads_per_worker": 1,
            "processes": True,
            "dashboard_address": None,
        },
    )


def run_national_month(period: str, gather: bool = True, workers: int | None = None) -> Any:
    """Run the national month on the configured Dask cluster."""
    return national_month.with_options(task_runner=dask_runner(workers=workers))(period, gather)
