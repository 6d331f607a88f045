"""Units gathered one after another, in threads or in processes store the same month."""

from __future__ import annotations

import functools

import pytest
from sqlalchemy import Engine

from kinerja.processes import engine_url
from kinerja.rules.policy import load_policy
from kinerja.sources.config import RAW_KINDS, SourcesConfig
from kinerja.sources.executors import (
    ProcessExecutor,
    SerialExecutor,
    ThreadedExecutor,
    UnitExecutor,
)
from kinerja.sources.gather import (
    Fetcher,
    GatherReport,
    _fingerprint,
    _read_register,
    gather_month,
    gather_register,
)
from kinerja.sources.load import DeliveryWriter
from kinerja.sources.server import Fault, SimulatorServer
from kinerja.sources.units import Fetch, Gathered, UnitGatherer
from tests.conftest import _clean
from tests.sources.conftest import PERIOD
from tests.sources.test_gather import dump

POLICY = load_policy("jabar")


def _units(engine: Engine, config: SourcesConfig, how: str) -> tuple[list[Fetch], list[Gathered]]:
    _clean(engine)
    fetcher = Fetcher(config, POLICY.nip.length)
    report = GatherReport(PERIOD, config.government)
    gather_register(engine, PERIOD, config, fetcher, report, POLICY)
    register = _read_register(engine, PERIOD)
    gatherer = UnitGatherer(
        PERIOD, register, POLICY, _fingerprint(register, POLICY), fetcher, DeliveryWriter(engine)
    )
    jobs = [Fetch(k, "simulator", o) for k in RAW_KINDS for o in sorted(register.opds)]
    executor: UnitExecutor
    if how == "serial":
        done = list(SerialExecutor(gatherer).run(jobs))
    elif how == "threads":
        with ThreadedExecutor(gatherer, fetch_threads=3) as executor:
            done = list(executor.run(jobs))
    else:
        make = functools.partial(Fetcher, config, POLICY.nip.length)
        with ProcessExecutor(gatherer, engine_url(engine), 2, make) as executor:
            done = list(executor.run(jobs))
    fetcher.close()
    return jobs, done


@pytest.mark.parametrize("how", ["serial", "threads", "processes"])
def test_each_executor_stores_the_month_gather_stores(
    engine: Engine, config: SourcesConfig, server: SimulatorServer, how: str
) -> None:
    if how == "processes" and engine.dialect.name == "sqlite" and not engine.url.database:
        pytest.skip("worker processes open the database by its URL")
    gather_month(engine, PERIOD, config, policy=POLICY, workers=1)
    expected = dump(engine)
    opd = sorted(_read_register(engine, PERIOD).opds)[1]
    server.add_fault(Fault(status=404, times=None, kind="behaviour", opd=opd))
    jobs, done = _units(engine, config, how)
    assert [d.job for d in done] == jobs  # one result per unit, in order
    failed = [d for d in done if d.failure is not None]
    assert [(d.kind, d.opd) for d in failed] == [("behaviour", opd)]  # the others went on
    assert "HTTP 404" in (failed[0].failure or "")
    got = dump(engine)
    lost = {r for r in expected["behaviour_answer"] if r not in got["behaviour_answer"]}
    assert lost and len(got["behaviour_answer"]) == len(expected["behaviour_answer"]) - len(lost)
    assert {k: v for k, v in got.items() if k != "behaviour_answer"} == {
        k: v for k, v in expected.items() if k != "behaviour_answer"
    }
