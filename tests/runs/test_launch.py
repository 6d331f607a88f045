"""Review runs: one per OPD from the served deployment, each carried to its pause by the runner."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import httpx
import pytest
from sqlalchemy import Engine

from kinerja.db import reviews
from kinerja.db.session import session_scope
from kinerja.domain import utcnow
from kinerja.names import REVIEW_DEPLOYMENT
from kinerja.review.logic import open_reviews
from kinerja.review.notices import request_selections
from kinerja.runs import launch
from kinerja.runs.launch import start_review_runs
from kinerja.runs.wakeup import run_states
from kinerja.settings import get_settings
from kinerja.tasks.common import policy
from tests.review.factories import make_opd
from tests.served import Server, read_state, wait_for

PERIOD = "2025-08"  # other modules use other periods in the same Prefect session


def _settled(run_ids: list[str], timeout: float = 180) -> dict[str, str]:
    """Wait until no run is scheduled, pending or running any more; run id -> state kind."""
    end = time.monotonic() + timeout
    while True:
        kinds = {k: v[0] for k, v in run_states(run_ids).items()}
        if not {"SCHEDULED", "PENDING", "RUNNING"} & set(kinds.values()):
            return kinds
        assert time.monotonic() < end, f"runs still moving: {kinds}"
        time.sleep(1)


def test_runs_are_created_once_and_a_crashing_review_stops_no_other(
    server: Server, flow_engine: Engine
) -> None:
    scopes = ["DISKOMINFO", "DISPORA"]
    for opd in scopes:
        make_opd(flow_engine, PERIOD, opd)
    with session_scope(flow_engine) as s:  # as the cycle's tasks do before the runs start
        tz = get_settings().timezone
        open_reviews(s, PERIOD, scopes, policy=policy(), tz=tz, now=utcnow())
        assert request_selections(s, PERIOD, scopes) == 2
        assert request_selections(s, PERIOD, scopes) == 0  # each head is asked once
        briefs = {r.scope_code: r.selection_brief for r in reviews.list_reviews(s, PERIOD)}
    assert all(briefs[scope] and f"Pemilihan {scope}" in briefs[scope] for scope in scopes)

    # DISPAR has no candidates: its run fails in its first task, in a process of its own.
    started = start_review_runs(REVIEW_DEPLOYMENT, PERIOD, [*scopes, "DISPAR"])
    kinds = _settled(list(started.values()))
    assert kinds == {
        started["DISKOMINFO"]: "PAUSED",
        started["DISPORA"]: "PAUSED",
        started["DISPAR"]: "FAILED",
    }
    for scope in scopes:
        state = read_state(started[scope])
        assert state.name == "Suspended", (scope, state)

    # A rerun (a retry of the cycle's task) gets the same runs back and starts nothing new.
    again = start_review_runs(REVIEW_DEPLOYMENT, PERIOD, [*scopes, "DISPAR"])
    assert again == started
    for scope in scopes:
        wait_for(started[scope], lambda st: st.is_paused(), what="still suspended")
    with session_scope(flow_engine) as s:
        bound = {r.scope_code: r.flow_run_id for r in reviews.list_reviews(s, PERIOD)}
    # each run bound itself to its review; the failed run opened none
    assert bound == {scope: started[scope] for scope in scopes}


def test_a_review_run_imports_no_pandas() -> None:
    """A review's first execution is a fresh process: pandas (~0.3 s of CPU) stays out of it."""
    code = (
        "import sys, kinerja.flows.opd_review, kinerja.tasks.review; "
        "print(sorted(m for m in ('pandas', 'numpy') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


class _Busy(BaseHTTPRequestHandler):
    """Answers each POST with the next status of `statuses` (then 200), recording the bodies."""

    statuses: ClassVar[list[int]] = []
    bodies: ClassVar[list[bytes]] = []

    def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
        self.bodies.append(self.rfile.read(int(self.headers["Content-Length"])))
        status = self.statuses.pop(0) if self.statuses else 200
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def busy_server() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Busy)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_a_busy_server_is_asked_again_at_once(busy_server: str) -> None:
    """503 (the Prefect server's SQLite was busy a moment) is sent again; nothing else is."""
    transport = launch.QuickRetry(httpx.HTTPTransport(), pauses=(0.0, 0.0, 0.0))
    with httpx.Client(transport=transport, base_url=busy_server) as client:
        _Busy.statuses[:], _Busy.bodies[:] = [503, 503], []
        assert client.post("/flow_runs/", json={"name": "x"}).status_code == 200
        assert _Busy.bodies == [b'{"name":"x"}'] * 3  # the same request each time

        _Busy.statuses[:], _Busy.bodies[:] = [500], []
        assert client.post("/flow_runs/", json={}).status_code == 500
        assert len(_Busy.bodies) == 1

        # busy for longer than the pauses: the 503 reaches the client (its own retries)
        _Busy.statuses[:], _Busy.bodies[:] = [503] * 5, []
        assert client.post("/flow_runs/", json={}).status_code == 503
        assert len(_Busy.bodies) == 4
