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


def _ws_refusal(url: str, token: str | None, subprotocol: bool = True) -> int | None:
    """The close code the events websocket answers an auth message with (None: accepted)."""
    import json

    from websockets.exceptions import ConnectionClosed
    from websockets.sync.client import connect

    with connect(url, subprotocols=["prefect"] if subprotocol else None, open_timeout=10) as ws:
        try:
            ws.send(json.dumps({"type": "auth", "token": token}))
            reply = json.loads(ws.recv(timeout=10))
        except ConnectionClosed as exc:
            return exc.rcvd.code if exc.rcvd else -1
        return None if reply.get("type") == "auth_success" else -2


@pytest.mark.prefect
def test_the_server_kinerja_serve_starts_asks_for_the_login_on_every_path(
    tmp_path: Path,
) -> None:
    """`kinerja serve --port N`: the UI calls that port's API, which (and whose events
    websocket, PrefectHQ/prefect#17687) refuses anyone without the auth string."""
    import uuid

    import httpx

    from kinerja.flows.local_server import LocalPrefect, free_port

    secret = "kinerja:test-auth-7c1f9e"
    server = LocalPrefect(tmp_path / "prefect", port=free_port(), ui=True, auth=secret).start()
    try:
        base = f"http://127.0.0.1:{server.port}"
        found = httpx.get(f"{base}/ui-settings", timeout=10)
        assert found.status_code == 200
        assert found.json()["api_url"] == f"{base}/api"
        resume = f"{server.api_url}/flow_runs/{uuid.uuid4()}/resume"
        run_input = {"run_input": {"operator": "op BKD", "action": "submit"}}
        assert httpx.post(resume, json=run_input, timeout=10).status_code == 401
        wrong = httpx.post(resume, json=run_input, auth=("kinerja", "guess"), timeout=10)
        assert wrong.status_code == 401
        assert httpx.post(f"{server.api_url}/flow_runs/filter", json={}).status_code == 401
        user, _, password = secret.partition(":")
        right = httpx.post(
            f"{server.api_url}/flow_runs/filter", json={}, auth=(user, password), timeout=10
        )
        assert right.status_code == 200 and right.json() == []
        events = f"ws://127.0.0.1:{server.port}/api/events/out"
        assert _ws_refusal(events, None) == 1008
        assert _ws_refusal(events, "kinerja:guess") == 1008
        assert _ws_refusal(events, secret) is None
        assert secret not in (tmp_path / "prefect" / "server.log").read_text(errors="replace")
        # `kinerja serve` after a kill -9 finds the server its predecessor left, and uses it
        assert LocalPrefect(tmp_path / "again", port=server.port).answering()
        assert not LocalPrefect(tmp_path / "none", port=free_port()).answering()
    finally:
        server.stop()


def test_the_generated_auth_string_is_kept_private_and_reused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import stat

    from pydantic import SecretStr

    from kinerja.flows.local_server import auth_file, prefect_auth
    from kinerja.settings import Settings

    settings = Settings(var_dir=tmp_path / "var")
    assert prefect_auth(settings, create=False) is None  # clients never invent one
    first = prefect_auth(settings)
    assert first is not None and first.startswith("kinerja:") and len(first) > 30
    assert stat.S_IMODE(auth_file(settings).stat().st_mode) == 0o600
    assert prefect_auth(settings) == first == prefect_auth(settings, create=False)
    chosen = Settings(var_dir=tmp_path / "var", prefect_auth=SecretStr("ops:from-env"))
    assert prefect_auth(chosen) == "ops:from-env"
    assert "from-env" not in repr(chosen)


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
