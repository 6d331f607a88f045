"""Review runs are created once per OPD and carried to their first pause in the caller's process."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import httpx
import pytest
from sqlalchemy import Engine

from kinerja.db import reviews
from kinerja.db.session import session_scope
from kinerja.flows.opd_review import opd_review
from kinerja.runs import launch
from kinerja.runs.launch import STARTED_HERE, create_review_runs, run_to_first_pause
from kinerja.runs.wakeup import run_states
from tests.review.factories import make_opd
from tests.served import read_state

PERIOD = "2025-08"  # other modules use other periods in the same Prefect session


def _deployment() -> str:
    """The review deployment, registered but not served: nothing but this test runs it."""
    opd_review.to_deployment(name="review-launch-test").apply()
    return "opd_review/review-launch-test"


def test_runs_reach_their_pause_here_once_and_runner_claims_are_respected(
    prefect_api: None,
    flow_engine: Engine,
    flow_settings: dict[str, str],
    flow_home: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from prefect.settings import temporary_settings

    from kinerja.flows.serve import results_settings

    for opd in ("DISKOMINFO", "DISPORA", "DISPAR"):
        make_opd(flow_engine, PERIOD, opd)
    scopes = ["DISKOMINFO", "DISPORA", "DISPAR"]
    name = _deployment()
    with temporary_settings(updates=results_settings(flow_home / "var")):
        # Someone else (the runner, an earlier attempt) already claimed DISPAR's run.
        early = create_review_runs(name, PERIOD, ["DISPAR"])[0]["DISPAR"]
        assert early.state is not None and early.state.is_pending()

        runs, claimed = create_review_runs(name, PERIOD, scopes)
        assert runs["DISPAR"].id == early.id
        assert {r.id for r in claimed} == {runs["DISKOMINFO"].id, runs["DISPORA"].id}
        # as inside the cycle's task: the runs share the caller's API client
        with launch.api_client():
            outcome = run_to_first_pause(opd_review, claimed, workers=2)
        assert outcome == {str(r.id): STARTED_HERE for r in claimed}
        for scope in ("DISKOMINFO", "DISPORA"):
            state = read_state(str(runs[scope].id))
            assert state.is_paused() and state.name == "Suspended", (scope, state)
        assert read_state(str(runs["DISPAR"].id)).is_pending()  # left to whoever claimed it
        # every state in one call, an unknown run included
        unknown = "00000000-0000-4000-8000-000000000000"
        states = run_states([*(str(r.id) for r in runs.values()), unknown])
        assert {k: v[0] for k, v in states.items()} == {
            str(runs["DISKOMINFO"].id): "PAUSED",
            str(runs["DISPORA"].id): "PAUSED",
            str(runs["DISPAR"].id): "PENDING",
            unknown: "NONE",
        }

        # A rerun finds the same runs and claims none of them again.
        again, claimed_again = create_review_runs(name, PERIOD, scopes)
        assert {s: r.id for s, r in again.items()} == {s: r.id for s, r in runs.items()}
        assert claimed_again == []
        assert run_to_first_pause(opd_review, claimed_again) == {}

        # A claim nobody acted on for too long (its claimant died) goes back to the runner.
        monkeypatch.setattr(launch, "STALE", timedelta(0))
        create_review_runs(name, PERIOD, scopes)
        assert read_state(str(runs["DISPAR"].id)).is_scheduled()
        assert read_state(str(runs["DISPORA"].id)).is_paused()
    with session_scope(flow_engine) as s:
        bound = {r.scope_code: r.flow_run_id for r in reviews.list_reviews(s, PERIOD)}
    # each run opened its own review and bound itself to it; no review for the untouched run
    assert bound == {
        "DISKOMINFO": str(runs["DISKOMINFO"].id),
        "DISPORA": str(runs["DISPORA"].id),
    }


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
