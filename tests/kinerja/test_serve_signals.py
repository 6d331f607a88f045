"""`kinerja serve` stops within 10 s on Ctrl-C and on SIGTERM, and suspended runs stay so."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from uuid import UUID

import httpx
import pytest

from kinerja.flows.local_server import free_port, wait_served
from kinerja.names import CYCLE_DEPLOYMENT, REVIEW_DEPLOYMENT

KINERJA = str(Path(sys.executable).with_name("kinerja"))
AUTH = "kinerja:serve-signals-test"
LOGIN = ("kinerja", "serve-signals-test")


def _serve(home: Path, port: int) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "KINERJA_DATABASE_URL": f"sqlite:///{home / 'kinerja.db'}",
        "KINERJA_VAR_DIR": str(home / "var"),
        "KINERJA_OUT_DIR": str(home / "out"),
        "KINERJA_PREFECT_AUTH": AUTH,  # the server `kinerja serve` starts requires a login
    }
    env.pop("PREFECT_API_URL", None)
    with (home / "serve.log").open("ab") as log:
        return subprocess.Popen(
            [KINERJA, "serve", "--port", str(port)],
            env=env,
            stdout=log,
            stderr=log,
            # a background job ignores SIGINT; a terminal's Ctrl-C is not ignored
            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
        )


def _suspended_run(api: str) -> UUID:
    """A review run suspended at its selection pause, as the cycle leaves 35 of them."""
    from prefect.client.orchestration import SyncPrefectClient
    from prefect.states import Suspended

    with SyncPrefectClient(api, auth_string=AUTH) as client:
        deployment = client.read_deployment_by_name(REVIEW_DEPLOYMENT)
        run = client.create_flow_run_from_deployment(
            deployment.id, parameters={"period": "2025-10", "scope_code": "DISHUB"}
        )
        client.set_flow_run_state(run.id, Suspended(pause_key="selection-0"), force=True)
        return run.id


def _state(api: str, run_id: UUID) -> str:
    found = httpx.get(f"{api}/flow_runs/{run_id}", timeout=10, auth=LOGIN).json()
    return str(found["state"]["type"])


@pytest.mark.slow
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_serve_stops_within_10_s_and_leaves_suspended_runs_suspended(
    tmp_path: Path, sig: signal.Signals
) -> None:
    port = free_port()
    api = f"http://127.0.0.1:{port}/api"
    proc = _serve(tmp_path, port)
    try:
        wait_served(api, [CYCLE_DEPLOYMENT, REVIEW_DEPLOYMENT], proc, timeout=150, auth=AUTH)
        run_id = _suspended_run(api)
        assert _state(api, run_id) == "PAUSED"
        started = time.monotonic()
        proc.send_signal(sig)
        proc.wait(timeout=30)
        took = time.monotonic() - started
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    log = (tmp_path / "serve.log").read_text(errors="replace")
    assert took < 10, f"stopping took {took:.1f} s\n{log[-3000:]}"
    assert proc.returncode == 0, log[-3000:]
    assert "Traceback" not in log and "NoEventLoopError" not in log, log[-3000:]
    assert "stopped" in log
    # The Prefect server stopped with it; a fresh one on the same database sees the run.
    restarted = _serve(tmp_path, port)
    try:
        wait_served(api, [REVIEW_DEPLOYMENT], restarted, timeout=150, auth=AUTH)
        assert _state(api, run_id) == "PAUSED"
    finally:
        restarted.send_signal(signal.SIGTERM)
        restarted.wait(timeout=30)
