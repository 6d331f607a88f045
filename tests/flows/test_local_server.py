"""Waiting for the serving process: a month starts only once its deployments are served."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from kinerja.flows.local_server import wait_served


def test_a_serving_process_that_died_is_reported_at_once() -> None:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    with pytest.raises(RuntimeError, match="exited before serving"):
        wait_served("http://127.0.0.1:9/api", ["monthly_cycle/monthly"], proc, timeout=30)


def test_a_deployment_nobody_serves_is_named_when_waiting_gives_up(prefect_api: None) -> None:
    from prefect.settings import PREFECT_API_URL

    alive = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        with pytest.raises(RuntimeError, match="nobody/serves-this"):
            wait_served(str(PREFECT_API_URL.value()), ["nobody/serves-this"], alive, timeout=1)
    finally:
        alive.kill()
        alive.wait()


@pytest.mark.prefect
def test_the_ui_of_a_server_on_any_port_calls_that_ports_api(tmp_path: Path) -> None:
    """`kinerja serve --port N`: the UI must not call port 4200's API."""
    import httpx

    from kinerja.flows.local_server import LocalPrefect, free_port

    server = LocalPrefect(tmp_path / "prefect", port=free_port(), ui=True).start()
    try:
        found = httpx.get(f"http://127.0.0.1:{server.port}/ui-settings", timeout=10)
        assert found.status_code == 200
        assert found.json()["api_url"] == f"http://127.0.0.1:{server.port}/api"
        # `kinerja serve` after a kill -9 finds the server its predecessor left, and uses it
        assert LocalPrefect(tmp_path / "again", port=server.port).answering()
        assert not LocalPrefect(tmp_path / "none", port=free_port()).answering()
    finally:
        server.stop()


def test_prefect_keeps_its_database_beside_a_postgresql_project_database() -> None:
    from kinerja.flows.local_server import prefect_database_url

    assert prefect_database_url("sqlite:///var/kinerja.db") is None
    assert (
        prefect_database_url("postgresql+psycopg://bkd:s3cret@db.local:5433/kinerja")
        == "postgresql+asyncpg://bkd:s3cret@db.local:5433/kinerja_prefect"
    )


@pytest.mark.prefect
def test_a_local_server_on_postgresql_creates_and_uses_its_database(
    postgres_url: str, tmp_path: Path
) -> None:
    import httpx
    from sqlalchemy import create_engine, inspect, text
    from sqlalchemy.engine import make_url

    from kinerja.flows.local_server import LocalPrefect, prefect_database_url

    url = prefect_database_url(postgres_url)
    assert url is not None
    server = LocalPrefect(tmp_path / "prefect", ui=False, database_url=url).start(timeout=150)
    admin = create_engine(
        make_url(postgres_url).set(database="postgres"), isolation_level="AUTOCOMMIT"
    )
    try:
        made = httpx.post(f"{server.api_url}/flows/", json={"name": "on-postgresql"}, timeout=10)
        assert made.status_code in (200, 201)
        assert not (tmp_path / "prefect" / "prefect.db").exists()
        prefect_db = create_engine(make_url(url).set(drivername="postgresql+psycopg"))
        try:
            assert "flow_run" in inspect(prefect_db).get_table_names()
            with prefect_db.connect() as conn:
                names = conn.execute(text("select name from flow")).scalars().all()
            assert "on-postgresql" in names
        finally:
            prefect_db.dispose()
    finally:
        server.stop()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)'))
        admin.dispose()
