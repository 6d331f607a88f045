"""Fixtures for gathering tests: a small simulated province and its real HTTP server."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from kinerja.sources.config import SourcesConfig, http_config
from kinerja.sources.server import SimulatorServer, serve_in_thread
from kinerja.sources.simulator import SimulatedProvince, simulate_province

PERIOD = "2025-10"
TOKEN = "test-token-not-a-secret"
# Short timeouts and backoff keep failing-source tests quick; the logic is the production one.
FAST: dict[str, Any] = {
    "connect_timeout": 0.5,
    "read_timeout": 0.5,
    "max_retries": 3,
    "backoff_base": 0.01,
    "backoff_max": 0.05,
    "page_size": 400,
}


@pytest.fixture(scope="session")
def province() -> SimulatedProvince:
    return simulate_province(seed=7, period=PERIOD, employees=60)


@pytest.fixture
def server(province: SimulatedProvince) -> Iterator[SimulatorServer]:
    srv = serve_in_thread(province, token=TOKEN)
    yield srv
    srv.stop()


@pytest.fixture
def config(server: SimulatorServer) -> SourcesConfig:
    return http_config(server.url, token=TOKEN, **FAST)
