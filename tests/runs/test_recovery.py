"""The sweeper's decisions as plain functions: which runs to wake, which dead runs to rerun."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import datetime, timedelta

from kinerja.liveness import pid_alive, process_gone, process_mark
from kinerja.runs.recovery import (
    MAX_RERUNS,
    PENDING_STALE,
    Action,
    RunSeen,
    recovery_action,
    review_action,
)

NOW = datetime(2025, 11, 10, 9, 0)
HOST = "bkd-1"


def _alive_only(*pids: int):  # type: ignore[no-untyped-def]
    return lambda pid: pid in pids


def test_a_real_process_that_exited_is_gone_and_this_one_is_alive() -> None:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    assert not pid_alive(proc.pid)
    assert pid_alive(os.getpid())
    assert process_gone(process_mark(pid=proc.pid))
    assert not process_gone(process_mark())


def test_only_a_process_of_this_host_that_is_gone_counts() -> None:
    alive = _alive_only(10)
    assert process_gone(f"{HOST}:11", HOST, alive)
    assert not process_gone(f"{HOST}:10", HOST, alive)
    assert not process_gone("other-host:11", HOST, alive)  # heartbeats judge that one
    assert not process_gone(None, HOST, alive)
    assert not process_gone("garbage", HOST, alive)
    assert not process_gone(f"{HOST}:abc", HOST, alive)


def test_dead_runs_are_rerun_live_and_finished_ones_never() -> None:
    alive = _alive_only(10)
    recent, old = NOW - timedelta(seconds=30), NOW - PENDING_STALE - timedelta(seconds=1)

    def act(run: RunSeen, reruns: int = 0) -> Action | None:
        return recovery_action(run, NOW, reruns, HOST, alive)

    assert act(RunSeen("CRASHED", recent)) == Action.RERUN
    assert act(RunSeen("RUNNING", recent, f"{HOST}:11")) == Action.RERUN
    assert act(RunSeen("RUNNING", recent, f"{HOST}:10")) is None
    assert act(RunSeen("RUNNING", old, None)) is None  # no mark: left to the heartbeats
    assert act(RunSeen("PENDING", recent)) is None
    assert act(RunSeen("PENDING", old)) == Action.RERUN  # claimed, never started
    for kind in ("PAUSED", "COMPLETED", "FAILED", "CANCELLED", "SCHEDULED"):
        assert act(RunSeen(kind, old, f"{HOST}:11")) is None
    assert act(RunSeen("CRASHED", recent), MAX_RERUNS - 1) == Action.RERUN
    assert act(RunSeen("CRASHED", recent), MAX_RERUNS) is None  # crashing again and again


def test_a_paused_review_wakes_after_its_deadline_or_when_it_moved_on() -> None:
    paused = RunSeen("PAUSED", NOW - timedelta(hours=2))
    later = NOW + timedelta(days=1)
    assert review_action(paused, deadline=later, latest_decision=None, now=NOW) is None
    assert review_action(paused, deadline=NOW - timedelta(minutes=1), latest_decision=None,
                         now=NOW) == Action.WAKE  # fmt: skip
    moved = NOW - timedelta(hours=1)
    assert review_action(paused, deadline=later, latest_decision=moved, now=NOW) == Action.WAKE
    before = NOW - timedelta(hours=3)
    assert review_action(paused, deadline=later, latest_decision=before, now=NOW) is None
    running = RunSeen("RUNNING", NOW - timedelta(hours=2))
    assert review_action(running, deadline=NOW - timedelta(days=1), latest_decision=moved,
                         now=NOW) is None  # fmt: skip
    assert review_action(paused, deadline=None, latest_decision=moved, now=NOW) is None
    # answers recorded before the run reached this pause (it was rerun after a crash)
    assert review_action(paused, deadline=later, latest_decision=before, now=NOW,
                         all_answered=True) == Action.WAKE  # fmt: skip
    assert review_action(running, deadline=later, latest_decision=None, now=NOW,
                         all_answered=True) is None  # fmt: skip
