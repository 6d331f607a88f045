"""The served deployments: the monthly cycle (monthly schedule), reviews, and the sweeper."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kinerja.names import CYCLE_SERVED, REVIEW_SERVED, SWEEPER_SERVED
from kinerja.settings import get_settings

if TYPE_CHECKING:
    from prefect.settings import Setting

log = logging.getLogger(__name__)


HEARTBEAT_SECONDS = 30  # Prefect's minimum between a running flow run's heartbeats


def results_settings(var_dir: Path | None = None) -> dict[Setting, Any]:
    """Prefect settings for served runs: persisted results under var_dir/prefect-results, beats.

    Persisted results let a suspended (or crashed) run resume in any serving process. Served
    runs execute in subprocesses; Prefect's runner passes its current settings to each of them
    as environment variables. Heartbeats (PREFECT_FLOWS_HEARTBEAT_FREQUENCY) show in the UI
    that a run is alive; deadness itself is judged by the sweeper from the run's process mark.
    """
    from prefect.settings import (
        PREFECT_FLOWS_HEARTBEAT_FREQUENCY,
        PREFECT_LOCAL_STORAGE_PATH,
        PREFECT_RESULTS_PERSIST_BY_DEFAULT,
    )

    root = Path(var_dir or get_settings().var_dir).resolve() / "prefect-results"
    root.mkdir(parents=True, exist_ok=True)
    return {
        PREFECT_LOCAL_STORAGE_PATH: str(root),
        PREFECT_RESULTS_PERSIST_BY_DEFAULT: True,
        PREFECT_FLOWS_HEARTBEAT_FREQUENCY: HEARTBEAT_SECONDS,
    }


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
            paused=False,
        ),
        opd_review.to_deployment(name=REVIEW_SERVED, tags=["kinerja"], paused=False),
        review_sweeper.to_deployment(
            name=SWEEPER_SERVED,
            schedules=[Interval(timedelta(seconds=sweep_seconds))] if schedule else None,
            tags=["kinerja"],
            paused=False,
        ),
    ]


def serve_all(limit: int = 4, sweep_seconds: int = 300, schedule: bool = True) -> None:
    """Serve every deployment until SIGINT or SIGTERM; suspended runs hold no process meanwhile.

    Both signals stop the runner the same way (its task is cancelled: it pauses the schedules
    and leaves): Prefect's own SIGTERM handler calls a coroutine it never awaits and exits
    from inside the event loop, which hangs or prints tracebacks. Suspended runs stay
    suspended; they wait for their answers in the Prefect database, not in this process.
    """
    from prefect.runner import Runner
    from prefect.settings import temporary_settings

    served = deployments(sweep_seconds, schedule)
    with temporary_settings(updates=results_settings()):
        if get_settings().recover_at_start:
            recover_at_start()
        # Stopping must not pause the deployments: the next `kinerja serve` (a restart, a
        # deploy) would serve deployments whose runs nobody starts, and the month's schedule
        # would stop. Every start also un-pauses them (`paused=False`), whoever paused them.
        runner = Runner(limit=limit, pause_on_shutdown=False)
        for deployment in served:
            runner.add_deployment(deployment)
        with contextlib.suppress(KeyboardInterrupt):
            asyncio.run(_run_until_signalled(runner))
        log.info("stopped serving")


def recover_at_start() -> list[str]:
    """Rerun the runs a previous serving process left dead, before serving (they start first).

    A crash of the serving process is the usual way runs die; this does not wait for the
    sweeper's schedule. Never stops serving: the sweeper tries again.
    """
    from kinerja.domain import utcnow
    from kinerja.flows.sweeper import recover_dead_runs
    from kinerja.tasks.common import engine

    try:
        return recover_dead_runs(engine(), utcnow(), actor="serve")
    except Exception:
        log.warning("could not look for runs left dead; the sweeper will", exc_info=True)
        return []


async def _run_until_signalled(runner: Any) -> None:
    """Run `runner.start()` and cancel it on SIGINT or SIGTERM."""
    loop = asyncio.get_running_loop()
    task = asyncio.ensure_future(runner.start())
    await asyncio.sleep(0)  # runner.start() installs its SIGTERM handler before its first await
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, task.cancel)
    try:
        await task
    except asyncio.CancelledError:
        pass
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)
