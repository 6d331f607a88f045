"""Served deployments on a real Prefect API, shared by the flow and portal tests.

tests/conftest.py registers this module as a plugin, so every test finds these fixtures by
name; a module may override `extra_flow_settings` to add KINERJA_* variables for the served runs.
"""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from sqlalchemy import Engine

from tests.conftest import OPERATORS


class Server:
    """`flows.serve.serve_all` in a subprocess, as `kinerja serve` runs it (restartable)."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.env = env
        self.log = log
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        from kinerja.flows.local_server import start_serving

        self.proc = start_serving(self.env, self.log, limit=8)

    def stop(self) -> None:
        from kinerja.flows.local_server import stop_process

        stop_process(self.proc)
        self.proc = None


@pytest.fixture(scope="module")
def flow_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("flows")


@pytest.fixture(scope="module")
def flow_db_url(flow_home: Path) -> str:
    from kinerja.db.migrate import upgrade

    url = f"sqlite:///{flow_home / 'kinerja.db'}"
    upgrade(url)
    return url


@pytest.fixture(scope="module")
def extra_flow_settings() -> dict[str, str]:
    """KINERJA_* variables a module adds to flow_settings (none here)."""
    return {}


@pytest.fixture(scope="module")
def flow_settings(
    flow_home: Path, flow_db_url: str, extra_flow_settings: dict[str, str]
) -> Iterator[dict[str, str]]:
    """KINERJA_* variables shared by this process and the served runs."""
    from kinerja.settings import get_settings

    values = {
        "KINERJA_DATABASE_URL": flow_db_url,
        "KINERJA_OUT_DIR": str(flow_home / "out"),
        "KINERJA_VAR_DIR": str(flow_home / "var"),
        "KINERJA_NOTIFICATION_CHANNELS": '["file"]',
        "KINERJA_POLICY": "jabar",
        # One Prefect test server serves every module: the runs other modules left behind are
        # not this serving process's to rerun at its start (the fault suite tests that path).
        "KINERJA_RECOVER_AT_START": "false",
        "KINERJA_OPERATORS": OPERATORS,
        **extra_flow_settings,
    }
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    get_settings.cache_clear()
    yield values
    for k, v in saved.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v
    get_settings.cache_clear()


@pytest.fixture(scope="module")
def server(prefect_api: None, flow_settings: dict[str, str], flow_home: Path) -> Iterator[Server]:
    from prefect.settings import PREFECT_API_URL

    from kinerja.flows.local_server import wait_served
    from kinerja.names import CYCLE_DEPLOYMENT, REVIEW_DEPLOYMENT

    env = dict(os.environ)
    env.update(flow_settings)
    env["PREFECT_API_URL"] = str(PREFECT_API_URL.value())
    env["PREFECT_RUNNER_POLL_FREQUENCY"] = "2"
    env["PREFECT_LOCAL_STORAGE_PATH"] = str(flow_home / "var" / "prefect-results")
    srv = Server(env, flow_home / "serve.log")
    srv.start()
    assert srv.proc is not None
    wait_served(env["PREFECT_API_URL"], [CYCLE_DEPLOYMENT, REVIEW_DEPLOYMENT], srv.proc)
    yield srv
    srv.stop()


@pytest.fixture
def flow_engine(flow_settings: dict[str, str]) -> Iterator[Engine]:
    from kinerja.db.session import make_engine

    eng = make_engine(flow_settings["KINERJA_DATABASE_URL"])
    yield eng
    eng.dispose()


def read_state(run_id: str) -> Any:
    from prefect import get_client

    with get_client(sync_client=True) as client:
        return client.read_flow_run(UUID(run_id)).state


def wait_for(run_id: str, pred: Callable[[Any], bool], timeout: float = 120, what: str = "") -> Any:
    """Poll the real API until the run's state satisfies `pred`."""
    end = time.monotonic() + timeout
    state = None
    while time.monotonic() < end:
        state = read_state(run_id)
        if state is not None and pred(state):
            return state
        time.sleep(0.5)
    raise AssertionError(f"run {run_id} never became {what}; last state {state}")


def paused_after(t: Any) -> Callable[[Any], bool]:
    return lambda st: st.is_paused() and st.timestamp > t


def start_served(
    deployment: str, parameters: dict[str, Any], name: str, key: str, timeout: float = 60
) -> str:
    """Start a run of a served deployment with an idempotency key; returns the run id."""
    from prefect.deployments import run_deployment

    end = time.monotonic() + timeout
    while True:
        try:
            run: Any = run_deployment(
                deployment,
                parameters=parameters,
                flow_run_name=name,
                idempotency_key=key,
                as_subflow=False,
                timeout=0,
            )
            return str(run.id)
        except Exception:
            # The deployment appears once the served process has registered it.
            if time.monotonic() > end:
                raise
            time.sleep(1)


def start_review(period: str, scope: str, timeout: float = 60) -> str:
    """Start a review run as the cycle does: open it, ask the head, start the run.

    The idempotency key is per period and scope and, since one Prefect test server serves
    every test module, each with a database of its own, names the module's database too, or
    a module would get another module's run of the same period and scope back (paused or
    cancelled there, bound to that database).
    """
    from kinerja.db.session import make_engine, session_scope
    from kinerja.domain import utcnow
    from kinerja.names import REVIEW_DEPLOYMENT
    from kinerja.review.logic import open_reviews
    from kinerja.review.notices import request_selections
    from kinerja.settings import get_settings
    from kinerja.tasks.common import policy

    month = os.environ.get("KINERJA_DATABASE_URL", "")
    # What the cycle's tasks do before they start the runs: open the review, ask the head.
    engine = make_engine(month)
    try:
        with session_scope(engine) as s:
            open_reviews(
                s, period, [scope], policy=policy(), tz=get_settings().timezone, now=utcnow()
            )
            request_selections(s, period, [scope])
    finally:
        engine.dispose()
    return start_served(
        REVIEW_DEPLOYMENT,
        {"period": period, "scope_code": scope},
        f"review-{period}-{scope}",
        f"review:{period}:{scope}:{month}",
        timeout,
    )
