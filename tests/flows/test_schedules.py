"""The served schedules produce runs: the month starts on the 1st, the sweeper every few minutes.

A real Prefect server's scheduler service must turn the deployments' schedules into scheduled
runs; a dependency that breaks that service (Prefect 3.8.8 with SQLAlchemy 2.1 fails with
"Can't evaluate bulk DML statement") leaves `kinerja serve` serving a month that never starts.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from kinerja.flows.local_server import LocalPrefect
from kinerja.names import CYCLE_DEPLOYMENT, SWEEPER_DEPLOYMENT

pytestmark = pytest.mark.prefect


def test_the_served_schedules_become_scheduled_runs(tmp_path: Path) -> None:
    from prefect import get_client
    from prefect.client.schemas.filters import DeploymentFilter, DeploymentFilterId
    from prefect.settings import PREFECT_API_URL, temporary_settings

    from kinerja.flows.serve import deployments

    server = LocalPrefect(tmp_path / "prefect", ui=False).start(timeout=150)
    try:
        with temporary_settings(updates={PREFECT_API_URL: server.api_url}):
            ids = {}
            for deployment in deployments(sweep_seconds=60):
                ids[f"{deployment.flow_name}/{deployment.name}"] = deployment.apply()
            wanted = {name: ids[name] for name in (CYCLE_DEPLOYMENT, SWEEPER_DEPLOYMENT)}
            found: dict[str, int] = {}
            end = time.monotonic() + 90
            with get_client(sync_client=True) as client:
                while time.monotonic() < end:
                    found = {
                        name: len(
                            client.read_flow_runs(
                                deployment_filter=DeploymentFilter(id=DeploymentFilterId(any_=[i]))
                            )
                        )
                        for name, i in wanted.items()
                    }
                    if all(found.values()):
                        break
                    time.sleep(2)
        assert all(found.values()), f"no scheduled runs after 90 s: {found}"
        log = (tmp_path / "prefect" / "server.log").read_text(errors="replace")
        assert "bulk DML" not in log
    finally:
        server.stop()
