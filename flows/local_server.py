"""A local Prefect server and the serving process, as subprocesses.

The server `kinerja serve` starts requires an auth string (Prefect's
`server.api.auth_string`): KINERJA_PREFECT_AUTH, or one generated once into
<var_dir>/prefect-auth (mode 0600). Every client the project starts (the runner and its flow
run subprocesses, the sweeper, the CLI, the portal) sends it as `api.auth_string`. It is
passed only through the environment of our own processes, never printed or logged.

The local server keeps its own database on SQLite under var_dir, or, when the project's
database is PostgreSQL, in a PostgreSQL database beside it (`<name>_prefect`, created on first
use): a Prefect server on SQLite serialises every write and answers "database is locked" under
load (a month's 35 reviews starting together), which PostgreSQL does not.
"""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

from kinerja.settings import Settings, get_settings

ROOT = Path(__file__).resolve().parents[1]
AUTH_FILE = "prefect-auth"
AUTH_USER = "kinerja"


def auth_file(settings: Settings | None = None) -> Path:
    """Where the generated auth string is kept: <var_dir>/prefect-auth."""
    return Path((settings or get_settings()).var_dir).resolve() / AUTH_FILE


def prefect_auth(settings: Settings | None = None, *, create: bool = True) -> str | None:
    """The Prefect auth string ("user:password"): KINERJA_PREFECT_AUTH, else the file.

    `create`: generate the file (mode 0600) if missing, as `kinerja serve` does; clients pass
    False and get None when there is nothing to send.
    """
    s = settings or get_settings()
    if s.prefect_auth is not None:
        return s.prefect_auth.get_secret_value()
    path = auth_file(s)
    if path.exists():
        os.chmod(path, 0o600)  # never readable by others, whoever created it
        return path.read_text(encoding="utf-8").strip()
    if not create:
        return None
    path.parent.mkdir(parents=True, exist_ok=True)
    value = f"{AUTH_USER}:{secrets.token_urlsafe(24)}"
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process made it first: use theirs
        return path.read_text(encoding="utf-8").strip()
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(value + "\n")
    return value


def use_prefect_auth(settings: Settings | None = None) -> None:
    """Before Prefect is imported: send the auth string, unless PREFECT_API_AUTH_STRING is set."""
    auth = prefect_auth(settings, create=False)
    if auth is not None:
        os.environ.setdefault("PREFECT_API_AUTH_STRING", auth)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def prefect_database_url(project_url: str) -> str | None:
    """Prefect's own database for a project database URL: `<name>_prefect` on PostgreSQL.

    None for SQLite (Prefect then uses its default SQLite file under PREFECT_HOME).
    """
    from sqlalchemy.engine import make_url

    url = make_url(project_url)
    if not url.drivername.startswith("postgresql"):
        return None
    prefect = url.set(drivername="postgresql+asyncpg", database=f"{url.database}_prefect")
    return prefect.render_as_string(hide_password=False)


def ensure_postgres_database(url: str) -> None:
    """Create the PostgreSQL database `url` names unless it exists (connecting to `postgres`)."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    target = make_url(url)
    admin = target.set(drivername="postgresql+psycopg", database="postgres")
    engine = create_engine(admin, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            found = conn.execute(
                text("select 1 from pg_database where datname = :n"), {"n": target.database}
            ).first()
            if found is None:
                conn.execute(text(f'create database "{target.database}"'))
    finally:
        engine.dispose()


class LocalPrefect:
    """`prefect server start` with its own PREFECT_HOME; `.api_url` once healthy.

    `database_url` (postgresql+asyncpg://...) puts the server's database on PostgreSQL.
    """

    def __init__(
        self,
        home: Path,
        port: int | None = None,
        ui: bool = True,
        database_url: str | None = None,
        auth: str | None = None,
    ) -> None:
        self.home = home
        self.port = port or free_port()
        self.ui = ui
        self.auth = auth  # the server's auth string; None: no login (throwaway servers only)
        self.database_url = database_url
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api"

    @property
    def ui_url(self) -> str:
        """The classic UI (V1) the server opens at "/"; flow runs at /runs/flow-run/<id>."""
        return f"http://127.0.0.1:{self.port}"

    def env(self) -> dict[str, str]:
        """What a client of this server needs (with the auth string: keep it out of logs)."""
        env = {
            "PREFECT_HOME": str(self.home),
            "PREFECT_API_URL": self.api_url,
            "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
            "DO_NOT_TRACK": "1",
        }
        if self.auth is not None:
            env["PREFECT_API_AUTH_STRING"] = self.auth
        return env

    def start(self, timeout: float = 90) -> LocalPrefect:
        """Launch and wait until healthy."""
        return self.launch().wait_healthy(timeout)

    def answering(self) -> bool:
        """True when a Prefect server already answers on this port (one left by `kill -9`)."""
        try:
            return httpx.get(f"{self.api_url}/health", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    def launch(self) -> LocalPrefect:
        """Launch without waiting (do other work, then `wait_healthy`)."""
        self.home.mkdir(parents=True, exist_ok=True)
        env = {**os.environ, **self.env(), "PREFECT_UI_ENABLED": str(self.ui).lower()}
        env.pop("PREFECT_API_URL")
        # The UI asks the server where its API is; unset, the server answers port 4200
        # whatever port it listens on, and the UI cannot connect.
        env["PREFECT_UI_API_URL"] = self.api_url
        if self.auth is not None:
            env["PREFECT_SERVER_API_AUTH_STRING"] = self.auth
        if self.database_url:
            ensure_postgres_database(self.database_url)
            env["PREFECT_API_DATABASE_CONNECTION_URL"] = self.database_url
        # The classic UI (V1) at "/": its flow-run page has the Resume button and renders the
        # pause forms and the artifacts' Markdown; the newer UI stays reachable under /v2.
        env["PREFECT_SERVER_UI_V2_ENABLED"] = "false"
        log = (self.home / "server.log").open("ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1",
             "--port", str(self.port)],
            env=env, stdout=log, stderr=log,
        )  # fmt: skip
        return self

    def wait_healthy(self, timeout: float = 90) -> LocalPrefect:
        assert self.proc is not None, "launch() first"
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if self.proc.poll() is not None:
                raise RuntimeError(f"Prefect server exited; see {self.home / 'server.log'}")
            try:
                if httpx.get(f"{self.api_url}/health", timeout=2).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        self.stop()
        raise RuntimeError(f"Prefect server not healthy after {timeout:.0f} s")

    def stop(self) -> None:
        stop_process(self.proc)
        self.proc = None


def start_serving(env: dict[str, str], log: Path, limit: int = 4) -> subprocess.Popen[bytes]:
    """Serve the deployments in a subprocess with `env` (KINERJA_*, PREFECT_API_URL)."""
    code = f"from kinerja.flows.serve import serve_all; serve_all(limit={limit}, schedule=False)"
    with log.open("ab") as fh:  # the child keeps its own copy of the descriptor
        return subprocess.Popen(
            [sys.executable, "-c", code],
            cwd=ROOT,
            env={**os.environ, "PREFECT_RUNNER_POLL_FREQUENCY": "2", **env},
            stdout=fh,
            stderr=fh,
        )


def wait_served(
    api_url: str,
    deployments: list[str],
    proc: subprocess.Popen[bytes],
    timeout: float = 90,
    auth: str | None = None,
) -> None:
    """Wait until the serving process polls for each deployment (Prefect marks it READY).

    `auth`: the server's auth string ("user:password") when it requires one.
    """
    from prefect import get_client
    from prefect.exceptions import ObjectNotFound
    from prefect.settings import PREFECT_API_AUTH_STRING, PREFECT_API_URL, temporary_settings

    updates: dict[Any, Any] = {PREFECT_API_URL: api_url}
    if auth:
        updates[PREFECT_API_AUTH_STRING] = auth
    end = time.monotonic() + timeout
    pending = list(deployments)
    with temporary_settings(updates=updates), get_client(sync_client=True) as client:
        while pending:
            if proc.poll() is not None:
                raise RuntimeError("the serving process exited before serving; see its log")
            for name in list(pending):
                try:
                    found = client.read_deployment_by_name(name)
                except (ObjectNotFound, httpx.HTTPError):
                    continue
                if found.status is not None and found.status.value == "READY":
                    pending.remove(name)
            if pending:
                if time.monotonic() > end:
                    raise RuntimeError(f"deployments not served after {timeout:.0f} s: {pending}")
                time.sleep(0.5)


def stop_process(proc: subprocess.Popen[bytes] | None) -> None:
    if proc is None or proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
