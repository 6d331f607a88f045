"""resume: a run resumed by someone else in the meantime is waited for, not an error."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from prefect.exceptions import NotPausedError

import kinerja.runs.wakeup as wakeup

RUN = "00000000-0000-0000-0000-000000000001"


def test_a_resume_that_loses_a_race_waits_for_the_next_pause(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # what the server reports, one look at a time: paused, then awake (another caller resumed
    # it first), then paused again at its next question
    states: Iterator[str] = iter(["PAUSED", "RUNNING", "RUNNING", "PAUSED"])
    resumed: list[dict[str, Any] | None] = []

    def resume_once_raced(_run_id: Any, run_input: dict[str, Any] | None = None) -> None:
        if not resumed:
            resumed.append(None)
            raise NotPausedError("Cannot resume a run that isn't paused!")
        resumed.append(run_input)

    monkeypatch.setattr(wakeup, "run_state", lambda _id: (next(states), None))
    monkeypatch.setattr(wakeup, "resume_flow_run", resume_once_raced)
    monkeypatch.setattr(wakeup.time, "sleep", lambda _s: None)
    assert wakeup.resume(RUN, {"action": "wake"}, wait=30) is True
    assert resumed == [None, {"action": "wake"}]  # delivered at the next pause
