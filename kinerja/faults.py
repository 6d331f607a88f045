"""Test-only fault injection: the process group dies at the point KINERJA_FAULT_POINT names."""

from __future__ import annotations

import os
import signal
from pathlib import Path

POINTS = (
    "gathering",  # the month's data fetched and stored, the gathering task not yet done
    "scored",  # scores and candidates saved, no review yet
    "selection_recorded",  # a selection committed, its run not yet resumed (the deciding process)
    "between_pauses",  # the review run awake between its selection and defence pauses
    "warning_sent",  # the first warning of a review notified, the others not yet
    "outputs",  # the month's drafts saved, letters and recap not yet written
)


def fault_point(name: str) -> None:
    """SIGKILL this process's whole group when KINERJA_FAULT_POINT is `name` (tests only).

    The whole group, as a power cut would: a served run executes in a subprocess of the
    serving process, in its process group. Never set KINERJA_FAULT_POINT in production; the
    fault suite (tests/faults/) starts each process it kills in a session of its own and sets
    KINERJA_FAULT_MARKER to a file that records which point fired.
    """
    if os.environ.get("KINERJA_FAULT_POINT") != name:
        return
    marker = os.environ.get("KINERJA_FAULT_MARKER")
    if marker:
        Path(marker).write_text(name, encoding="utf-8")
    os.killpg(os.getpgrp(), signal.SIGKILL)
