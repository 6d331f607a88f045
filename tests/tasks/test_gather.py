"""Gathering tasks under a real Prefect API: only fetching retries, and the month loads."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from prefect import flow
from sqlalchemy import Engine, select

from kinerja.db.models import AttendanceRecord, OpdPeriodStatus
from kinerja.db.session import session_scope
from kinerja.rules.policy import load_policy
from kinerja.sources.config import http_config
from kinerja.sources.gather import _fingerprint, _read_register
from kinerja.sources.server import Fault, SimulatorServer, serve_in_thread
from kinerja.sources.simulator import SimulatedProvince, simulate_province
from kinerja.tasks.gather import fetch_kind, gather_month_task, load_kind, validate_kind

pytestmark = pytest.mark.prefect
PERIOD = "2025-10"
TOKEN = "tasks-token"


@pytest.fixture(scope="module")
def province() -> SimulatedProvince:
    return simulate_province(seed=11, period=PERIOD, employees=30)


@pytest.fixture
def server(province: SimulatedProvince) -> Iterator[SimulatorServer]:
    srv = serve_in_thread(province, token=TOKEN)
    yield srv
    srv.stop()


def test_gather_month_task_and_fetch_retry_under_prefect(
    prefect_api: None, sqlite_engine: Engine, server: SimulatorServer, province: SimulatedProvince
) -> None:
    # the HTTP client itself does not retry here, so only the task's retry can recover
    cfg = http_config(server.url, token=TOKEN, max_retries=0, backoff_base=0.01)
    opd = str(province.opds["code"].iloc[0])
    policy = load_policy("jabar")

    @flow
    def whole_month(engine: Engine) -> dict:
        return gather_month_task(engine, PERIOD, cfg, policy)

    summary = whole_month(sqlite_engine)
    assert summary["errors"] == [] and summary["failures"] == []
    assert summary["not_assessable"] == {}
    with session_scope(sqlite_engine) as s:
        rows = s.scalars(select(OpdPeriodStatus).where(OpdPeriodStatus.period == PERIOD)).all()
        assert {r.opd_code for r in rows} == set(province.opds["code"])

    @flow
    def one_opd_again(engine: Engine) -> dict[str, object]:
        register = _read_register(engine, PERIOD)
        raw = fetch_kind.with_options(retry_delay_seconds=0)(
            cfg, "simulator", "attendance", PERIOD, opd
        )
        checked = validate_kind("attendance", raw, register, policy, opd)
        result = load_kind(
            engine,
            PERIOD,
            "attendance",
            "simulator",
            opd,
            raw,
            checked,
            register,
            context=_fingerprint(register, policy),
        )
        return {"received": result.received, "skipped": result.skipped}

    server.add_fault(Fault(status=503, times=1, kind="attendance", opd=opd))
    before = len(server.log.entries)
    out = one_opd_again(sqlite_engine)
    statuses = [s for _t, p, _q, s in server.log.entries[before:] if p == "/v1/attendance"]
    assert statuses == [503, 200]  # the first task attempt failed, its retry fetched
    assert out["received"] == len(province.opd_rows("attendance", opd))
    assert out["skipped"] is True  # same delivery as the month's: nothing written twice
    emp = province.employees
    nips = list(emp.loc[emp["opd_code"] == opd, "nip"])
    with session_scope(sqlite_engine) as s:
        stored = s.scalars(select(AttendanceRecord.id).where(AttendanceRecord.nip.in_(nips)))
        assert 0 < len(stored.all()) <= out["received"]
