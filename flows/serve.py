"""The served deployments: the monthly cycle (monthly schedule), reviews, and the sweeper."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kinerja.names import CYCLE_SERVED, REVIEW_SERVED, SWEEPER_SERVED
from kinerja.settings import get_settings

if TYPE_CHECKING:
    from prefect.settings import Setting


def results_settings(var_dir: Path | None = None) -> dict[Setting, Any]:
    """Prefect settings that persist flow and task results under var_dir/prefect-results.

    So a suspended run can resume in any serving process. Served runs execute in subprocesses;
    Prefect's runner passes its current settings to each of them as environment variables.
    """
    from prefect.settings import PREFECT_LOCAL_STORAGE_PATH, PREFECT_RESULTS_PERSIST_BY_DEFAULT

    root = Path(var_dir or get_settings().var_dir).resolve() / "prefect-results"
    root.mkdir(parents=True, exist_ok=True)
    return {PREFECT_LOCAL_STORAGE_PATH: str(root), PREFECT_RESULTS_PERSIST_BY_DEFAULT: True}


def deployments(sweep_seconds: int = 300, schedule: bool = True) -> list[Any]:
    """Runner deployments: cycle at 07:00 WIB on the 1st, sweeper every `sweep_seconds`."""
    from prefect.schedules import Cron, Interval

    from kinerja.flows.monthly_cycle import monthly_cycle
    from kinerja.flows.opd_review import opd_review
    from kinerja.flows.sweeper import review_sweeper

    tz = get_settings().timezone
    return [
        monthly_cycle.to_deployment(
            name=CYCLE_SERVED,
            schedules=[Cron("0 7 1 * *", timezone=tz)] if schedule else None,
            tags=["kinerja"],
        ),
        opd_review.to_deployment(name=REVIEW_SERVED, tags=["kinerja"]),
        review_sweeper.to_deployment(
            name=SWEEPER_SERVED,
            schedules=[Interval(timedelta(seconds=sweep_seconds))] if schedule else None,
            tags=["kinerja"],
        ),
    ]


def serve_all(limit: int = 4, sweep_seconds: int = 300, schedule: bool = True) -> None:
    """Serve every deployment until interrupted; suspended runs hold no process meanwhile."""
    from prefect import serve
    from prefect.settings import temporary_settings

    served = deployments(sweep_seconds, schedule)
    with temporary_settings(updates=results_settings()):
        serve(*served, limit=limit, print_starting_message=True)
