"""What the sweeper does with each run, as plain functions of run states and review stages.

No Prefect here: flows.sweeper reads the run states from the API, asks these functions, and
carries out the answer (wake a paused run with an answer, or rerun a dead one).

A run is dead when Prefect says Crashed (its heartbeats stopped, or the runner saw its process
die), or when it says Running but the process that recorded itself on the run (host:pid, see
runs.wakeup.record_process) is gone from this host: a `kill -9` or a power cut of the serving
process leaves its runs Running forever otherwise. A dead run is rerun from the top; every task
before the point it died is cached per flow run with a persisted result, and every answer it
already received is kept by Prefect under its pause key, so the rerun changes nothing twice.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import Engine

from kinerja.db import audit
from kinerja.db.models import AuditEvent
from kinerja.db.session import session_scope
from kinerja.liveness import pid_alive, process_gone

RECOVERED = "run_recovered"  # audit action of a dead run scheduled again
# A claimed run (Pending) that never started: its process died between claim and start.
PENDING_STALE = timedelta(minutes=5)
# A run crashing again and again (a bug, not a power cut) is left for a person after this many.
MAX_RERUNS = 5


class Action(StrEnum):
    WAKE = "wake"  # resume a paused run with a "wake" answer
    RERUN = "rerun"  # set a dead run back to Scheduled: the runner starts it again


@dataclass(frozen=True)
class RunSeen:
    """What the sweeper knows of one flow run."""

    kind: str  # Prefect state type: PAUSED, RUNNING, CRASHED, COMPLETED, ...
    since: datetime | None  # when that state began (naive UTC)
    process: str | None = None  # "host:pid" of the process executing it, if it said


def is_dead(
    run: RunSeen,
    now: datetime,
    host: str | None = None,
    alive: Callable[[int], bool] = pid_alive,
) -> bool:
    """Crashed, Running in a process that is gone, or claimed and never started.

    A Running run that recorded no process, or one of another host, is not judged here (one
    serving host per Prefect server; Crashed by anyone else, it is rerun at the next sweep).
    """
    if run.kind == "CRASHED":
        return True
    if run.kind == "RUNNING":
        return process_gone(run.process, host, alive)
    if run.kind == "PENDING":
        return run.since is not None and now - run.since > PENDING_STALE
    return False


def recovery_action(
    run: RunSeen,
    now: datetime,
    reruns_so_far: int = 0,
    host: str | None = None,
    alive: Callable[[int], bool] = pid_alive,
) -> Action | None:
    """RERUN a dead run (cycle or review) unless it was rerun MAX_RERUNS times already."""
    if reruns_so_far >= MAX_RERUNS:
        return None
    return Action.RERUN if is_dead(run, now, host, alive) else None


def review_action(
    run: RunSeen,
    *,
    deadline: datetime | None,
    latest_decision: datetime | None,
    now: datetime,
    all_answered: bool = False,
) -> Action | None:
    """WAKE a paused review run whose deadline passed or whose review moved on meanwhile.

    "Moved on": a decision was recorded after the run paused, so its own resume was lost
    (the answer came while the run was awake, or the resume call failed); or every answer its
    pause waits for is already on record (`all_answered`: e.g. a defence and its verdict came
    while the run was still before that pause, after a crash), so it waits for nothing.
    """
    if run.kind != "PAUSED" or deadline is None:
        return None
    moved_on = latest_decision is not None and run.since is not None and latest_decision > run.since
    return Action.WAKE if now > deadline or moved_on or all_answered else None


def recovered_runs(engine: Engine, period: str | None = None) -> list[AuditEvent]:
    """Runs the sweeper (or `kinerja run`) reran after a crash, oldest first."""
    with session_scope(engine) as s:
        found = audit.events(s, period=period, action=RECOVERED)
        s.expunge_all()
    return found
