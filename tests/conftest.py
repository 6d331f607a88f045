"""Shared fixtures: migrated databases (SQLite always, PostgreSQL when configured), Prefect API."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")

# The served deployments on the Prefect test server (module-scoped fixtures, found by name).
pytest_plugins = ["tests.served"]

PG_URL = os.environ.get("KINERJA_TEST_DATABASE_URL")
OPERATORS = "op BKD,op.rina,op.agus"  # the BKD operators configured in tests (KINERJA_OPERATORS)
BACKENDS = ["sqlite", "postgresql"]


def _clean(engine: Engine) -> None:
    from kinerja.db.base import Base

    with engine.begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            conn.execute(table.delete())


@pytest.fixture(scope="session")
def sqlite_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    from kinerja.db.migrate import upgrade

    url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'kinerja.db'}"
    upgrade(url)
    return url


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A throwaway database on the configured server, so parallel runs never collide."""
    if not PG_URL:
        pytest.skip("KINERJA_TEST_DATABASE_URL not set")
    from kinerja.db.migrate import upgrade
    from kinerja.db.session import make_engine

    name = f"kinerja_test_{uuid.uuid4().hex[:10]}"
    admin = make_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    upgrade(url)
    yield url
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest) -> str:
    """Every database test runs on SQLite and, when configured, on PostgreSQL."""
    if request.param == "postgresql":
        return str(request.getfixturevalue("postgres_url"))
    return str(request.getfixturevalue("sqlite_url"))


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    from kinerja.db.session import make_engine

    eng = make_engine(db_url)
    _clean(eng)
    yield eng
    eng.dispose()


@pytest.fixture
def sqlite_engine(sqlite_url: str) -> Iterator[Engine]:
    """SQLite only: for tests whose subject is not the database (flows, templates)."""
    from kinerja.db.session import make_engine

    eng = make_engine(sqlite_url)
    _clean(eng)
    yield eng
    eng.dispose()


@pytest.fixture
def outbox_db(
    sqlite_engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Engine]:
    """SQLite, with settings re-read so that notifications go to a file outbox under tmp_path.

    Portal links are signed with a test key, OPERATORS are the configured BKD operators;
    nothing is written outside tmp_path.
    """
    from kinerja.settings import get_settings

    monkeypatch.setenv("KINERJA_OUT_DIR", str(tmp_path / "out"))
    monkeypatch.setenv("KINERJA_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("KINERJA_NOTIFICATION_CHANNELS", '["file"]')
    monkeypatch.setenv("KINERJA_PORTAL_SECRET", "outbox-test-secret-5c2e9d4a")
    monkeypatch.setenv("KINERJA_OPERATORS", OPERATORS)
    get_settings.cache_clear()
    yield sqlite_engine
    get_settings.cache_clear()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    from kinerja.db.session import make_session_factory

    with make_session_factory(engine)() as s:
        yield s


@pytest.fixture(scope="session")
def prefect_api() -> Iterator[None]:
    """One throwaway Prefect server for the whole test session (~10 s to start when idle)."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=180):  # slow on a loaded machine
        yield


@pytest.fixture
def shared_dir() -> Path:
    """The ../shared folder beside the checkout (domain doc and seed articles)."""
    return Path(__file__).resolve().parents[2] / "shared"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A test that needs the Prefect test server is marked `prefect`: `make test-fast` skips it."""
    for item in items:
        if "prefect_api" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.prefect)
