"""Waiting for the serving process: a month starts only once its deployments are served."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

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


@pytest.mark.prefect
def test_the_ui_of_a_server_on_any_port_calls_that_ports_api(tmp_path: Path) -> None:
    """`kinerja serve --port N`: the UI must not call port 4200's API."""
    import httpx

    from kinerja.flows.local_server import LocalPrefect, free_port

    server = LocalPrefect(tmp_path / "prefect", port=free_port(), ui=True).start()
    try:
        found = httpx.get(f"http://127.0.0.1:{server.port}/ui-settings", timeout=10)
        assert found.status_code == 200
        assert found.json()["api_url"] == f"http://127.0.0.1:{server.port}/api"
    finally:
        server.stop()
