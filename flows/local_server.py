"""A local Prefect server (SQLite under var_dir) and the serving process, as subprocesses."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class LocalPrefect:
    """`prefect server start` with its own PREFECT_HOME; `.api_url` once healthy."""

    def __init__(self, home: Path, port: int | None = None, ui: bool = True) -> None:
        self.home = home
        self.port = port or free_port()
        self.ui = ui
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api"

    @property
    def ui_url(self) -> str:
        """The classic UI (V1) the server opens at "/"; flow runs at /runs/flow-run/<id>."""
        return f"http://127.0.0.1:{self.port}"

    def env(self) -> dict[str, str]:
        return {
            "PREFECT_HOME": str(self.home),
            "PREFECT_API_URL": self.api_url,
            "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
            "DO_NOT_TRACK": "1",
        }

    def start(self, timeout: float = 90) -> LocalPrefect:
        """Launch and wait until healthy."""
        return self.launch().wait_healthy(timeout)

    def launch(self) -> LocalPrefect:
        """Launch without waiting (do other work, then `wait_healthy`)."""
        self.home.mkdir(parents=True, exist_ok=True)
        env = {**os.environ, **self.env(), "PREFECT_UI_ENABLED": str(self.ui).lower()}
        env.pop("PREFECT_API_URL")
        # The UI asks the server where its API is; unset, the server answers port 4200
        # whatever port it listens on, and the UI cannot connect.
        env["PREFECT_UI_API_URL"] = self.api_url
        # The classic UI (V1) at "/": its flow-run page has the Resume button and renders the
        # pause forms and the artifacts' Markdown; the newer UI stays reachable under /v2.
        env["PREFECT_SERVER_UI_V2_ENABLED"] = "false"
        log = (self.home / "server.log").open("ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1",
             "--port", str(self.port)],
            env=env, stdout=log, stderr=log,
        )  # fmt: skip
        return self

    def wait_healthy(self, timeout: float = 90) -> LocalPrefect:
        assert self.proc is not None, "launch() first"
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if self.proc.poll() is not None:
                raise RuntimeError(f"Prefect server exited; see {self.home / 'server.log'}")
            try:
                if httpx.get(f"{self.api_url}/health", timeout=2).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        self.stop()
        raise RuntimeError(f"Prefect server not healthy after {timeout:.0f} s")

    def stop(self) -> None:
        stop_process(self.proc)
        self.proc = None


def start_serving(env: dict[str, str], log: Path, limit: int = 4) -> subprocess.Popen[bytes]:
    """Serve the deployments in a subprocess with `env` (KINERJA_*, PREFECT_API_URL)."""
    code = f"from kinerja.flows.serve import serve_all; serve_all(limit={limit}, schedule=False)"
    with log.open("ab") as fh:  # the child keeps its own copy of the descriptor
        return subprocess.Popen(
            [sys.executable, "-c", code],
            cwd=ROOT,
            env={**os.environ, "PREFECT_RUNNER_POLL_FREQUENCY": "2", **env},
            stdout=fh,
            stderr=fh,
        )


def wait_served(
    api_url: str, deployments: list[str], proc: subprocess.Popen[bytes], timeout: float = 90
) -> None:
    """Wait until the serving process polls for each deployment (Prefect marks it READY)."""
    end = time.monotonic() + timeout
    pending = list(deployments)
    while pending:
        if proc.poll() is not None:
            raise RuntimeError("the serving process exited before serving; see its log")
        for name in list(pending):
            try:
                found = httpx.get(f"{api_url}/deployments/name/{name}", timeout=5)
            except httpx.HTTPError:
                continue
            if found.status_code == 200 and found.json().get("status") == "READY":
                pending.remove(name)
        if pending:
            if time.monotonic() > end:
                raise RuntimeError(f"deployments not served after {timeout:.0f} s: {pending}")
            time.sleep(0.5)


def stop_process(proc: subprocess.Popen[bytes] | None) -> None:
    if proc is None or proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
