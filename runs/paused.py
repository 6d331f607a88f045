"""The Prefect side of review.service.PausedRuns: wake and read paused runs via Prefect's API."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from kinerja.runs import wakeup


class PrefectPausedRuns:
    """Paused runs on the Prefect API of the current settings (PREFECT_API_URL)."""

    def __init__(self, wait: float = 30.0) -> None:
        self.wait = wait  # seconds a resume waits for a run that is awake to pause again

    def resume(self, run_id: str, answer: dict[str, Any] | None) -> bool:
        return wakeup.resume(run_id, answer, wait=self.wait)

    def state(self, run_id: str) -> tuple[str, datetime | None]:
        return wakeup.run_state(run_id)

    def presence(self, run_id: str) -> str:
        return wakeup.run_presence(run_id)
