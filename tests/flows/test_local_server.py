"""Waiting for the serving process: a month starts only once its deployments are served."""

from __future__ import annotations

import subprocess
import sys

import pytest

from kinerja.flows.local_server import wait_served


def test_a_serving_process_that_died_is_reported_at_once() -> None:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    with pytest.raises(RuntimeError, match="exited before serving"):
        wait_served("http://127.0.0.1:9/api", ["monthly_cycle/monthly"], proc, timeout=30)


def test_a_deployment_nobody_serves_is_named_when_waiting_gives_up(prefect_api: None) -> None:
    from prefect.settings import PREFECT_API_URL

    alive = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        with pytest.raises(RuntimeError, match="nobody/serves-this"):
            wait_served(str(PREFECT_API_URL.value()), ["nobody/serves-this"], alive, timeout=1)
    finally:
        alive.kill()
        alive.wait()
