"""The served deployments: the monthly cycle (monthly schedule), reviews, and the sweeper."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from typing import Any

from kinerja.settings import get_settings

CYCLE_DEPLOYMENT = "monthly_cycle/monthly"
REVIEW_DEPLOYMENT = "opd_review/review"
SWEEPER_DEPLOYMENT = "review_sweeper/sweep"


def configure_results(var_dir: Path | None = None) -> Path:
    """Persist flow and task results under var_dir, so a suspended run can resume anywhere.

    Set in the environment because served runs execute in subprocesses that inherit it.
    """
    root = Path(var_dir or get_settings().var_dir).resolve() / "prefect-results"
    root.mkdir(parents=True, exist_ok=True)
    os.environ["PREFECT_LOCAL_STORAGE_PATH"] = str(root)
    os.environ["PREFECT_RESULTS_PERSIST_BY_DEFAULT"] = "true"
    return root


def deployments(sweep_seconds: int = 300, schedule: bool = True) -> list[Any]:
    """Runner deployments: cycle at 07:00 WIB on the 1st, sweeper every `sweep_seconds`."""
    from prefect.schedules import Cron, Interval

    from flows.monthly_cycle import monthly_cycle
    from flows.opd_review import opd_review
    from flows.sweeper import review_sweeper

    tz = get_settings().timezone
    return [
        monthly_cycle.to_deployment(
            name="monthly",
            schedules=[Cron("0 7 1 * *", timezone=tz)] if schedule else None,
            tags=["kinerja"],
        ),
        opd_review.to_deployment(name="review", tags=["kinerja"]),
        review_sweeper.to_deployment(
            name="sweep",
            schedules=[Interval(timedelta(seconds=sweep_seconds))] if schedule else None,
            tags=["kinerja"],
        ),
    ]


def serve_all(limit: int = 4, sweep_seconds: int = 300, schedule: bool = True) -> None:
    """Serve every deployment until interrupted; suspended runs hold no process meanwhile."""
    from prefect import serve

    configure_results()
    serve(*deployments(sweep_seconds, schedule), limit=limit, print_starting_message=True)
