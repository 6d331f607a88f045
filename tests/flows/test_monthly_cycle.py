"""The monthly cycle end to end on a small simulated province; a rerun adds no review."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from sqlalchemy import Engine, func, select

from kinerja.db import reviews
from kinerja.db.models import Decision, Review
from kinerja.db.session import session_scope
from kinerja.domain import ReviewStage
from kinerja.names import CYCLE_DEPLOYMENT
from kinerja.review import service as svc
from kinerja.review.logic import state_of
from kinerja.runs.paused import PrefectPausedRuns
from kinerja.runs.wakeup import find_run_ids
from kinerja.tasks.cycle import artifact_key
from tests.served import Server, read_state, start_served, wait_for

RUNS = PrefectPausedRuns()  # what the CLI and the portal give the review service
PERIOD = "2025-09"  # other modules use 2025-10 in the same Prefect session


@pytest.fixture(scope="module")
def flow_settings(flow_settings: dict[str, str], flow_home: Path) -> Iterator[dict[str, str]]:
    """The base settings plus a simulated province served over real HTTP."""
    import os

    from kinerja.settings import get_settings
    from kinerja.sources.config import http_config
    from kinerja.sources.server import SimulatorServer
    from kinerja.sources.simulator import simulate_province

    sim = SimulatorServer(simulate_province(3, PERIOD, 240)).start()
    path = flow_home / "sources.yaml"
    config = http_config(sim.url).model_dump(mode="json", exclude_none=True)
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    os.environ["KINERJA_SOURCES_CONFIG"] = str(path)
    get_settings.cache_clear()
    yield {**flow_settings, "KINERJA_SOURCES_CONFIG": str(path)}
    os.environ.pop("KINERJA_SOURCES_CONFIG", None)
    get_settings.cache_clear()
    sim.stop()


def _start_cycle(key: str) -> str:
    return start_served(CYCLE_DEPLOYMENT, {"period": PERIOD}, f"cycle-{PERIOD}", key)


def _artifact_keys() -> set[str]:
    from prefect import get_client

    with get_client(sync_client=True) as client:
        return {a.key for a in client.read_artifacts(limit=200) if a.key}


def _reviews(engine: Engine) -> dict[str, str | None]:
    with session_scope(engine) as s:
        return {r.scope_code: r.flow_run_id for r in reviews.list_reviews(s, PERIOD)}


def _all_paused(engine: Engine) -> bool:
    runs = _reviews(engine)
    return bool(runs) and all(r and read_state(r).is_paused() for r in runs.values())


def test_cycle_rerun_adds_no_review_and_finishes_with_outputs(
    server: Server, flow_engine: Engine, flow_settings: dict[str, str]
) -> None:
    first = _start_cycle(f"cycle:{PERIOD}")
    wait_for(first, lambda st: st.is_paused(), timeout=240, what="waiting for its reviews")
    end = time.monotonic() + 180
    while not _all_paused(flow_engine):
        assert time.monotonic() < end, "reviews never all reached the selection pause"
        time.sleep(1)
    before = _reviews(flow_engine)
    assert len(before) >= 2

    # The same start again is the same run; a second cycle run of the period adds nothing.
    assert _start_cycle(f"cycle:{PERIOD}") == first
    second = _start_cycle(f"cycle:{PERIOD}:rerun")
    wait_for(second, lambda st: st.is_paused(), timeout=240, what="waiting for its reviews")
    assert _reviews(flow_engine) == before
    with session_scope(flow_engine) as s:
        assert s.scalar(select(func.count()).select_from(Review)) == len(before)
    keys = _artifact_keys()
    assert {artifact_key("candidates", PERIOD, scope) for scope in before} <= keys
    assert {artifact_key("data-quality", PERIOD), artifact_key("review-progress", PERIOD)} <= keys

    # Every head answers; the first review selects its lowest candidate, the others nobody.
    for i, scope in enumerate(sorted(before)):
        with session_scope(flow_engine) as s:
            st = state_of(s, reviews.require_review(s, PERIOD, scope))
        picks = {st.candidates[0]: (True, "indeks terendah")} if i == 0 else {}
        svc.submit_selection(flow_engine, PERIOD, scope, "op BKD", picks, "cli", runs=RUNS)
    scope0 = sorted(before)[0]
    run0 = before[scope0]
    assert run0 is not None
    wait_for(run0, lambda st: st.is_paused(), what="at the defence pause")
    with session_scope(flow_engine) as s:
        nip = state_of(s, reviews.require_review(s, PERIOD, scope0)).selected[0]
    svc.submit_defence(
        flow_engine, PERIOD, scope0, nip, "op BKD", "Data saya keliru.", "cli", runs=RUNS
    )
    svc.submit_verdict(
        flow_engine, PERIOD, scope0, nip, "op BKD", False, "tidak terbukti", "cli", runs=RUNS
    )

    for run in (first, second):
        assert wait_for(run, lambda st: st.is_final(), timeout=300, what="done").is_completed()
    with session_scope(flow_engine) as s:
        stages = {r.stage for r in reviews.list_reviews(s, PERIOD)}
        outcomes = s.scalars(
            select(Decision.nip).where(Decision.kind == "outcome", Decision.value == "published")
        ).all()
    assert stages == {ReviewStage.DONE}
    assert list(outcomes) == [nip]
    assert len(find_run_ids(f"cycle-{PERIOD}")) == 2
    out = Path(flow_settings["KINERJA_OUT_DIR"]) / PERIOD
    assert (out / "letters" / nip / "peringatan.html").exists()
    assert any(out.rglob("*")), "the month's outputs were written"
