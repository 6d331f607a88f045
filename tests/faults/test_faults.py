"""SIGKILL the serving process at each kill point; the month still ends as an uninterrupted one.

Each kill point is reached in one month, in order, and the serving process is restarted after
each. The end state (decisions, notifications, drafts, letters: row counts and keys) must equal
that of the same month run without a fault, on SQLite and on PostgreSQL. Prints a table.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from kinerja.faults import POINTS
from tests.conftest import PG_URL
from tests.faults.month import Month, Row, Snapshot, cycle_kind, drive, table

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]

# What the serving process is started with after each kill: the next point it must reach.
# "selection_recorded" fires in the deciding process (`kinerja decide`), so the serving
# process started after "scored" already waits for the point after it.
SERVE_AFTER: dict[str | None, str | None] = {
    None: "gathering",
    "gathering": "scored",
    "scored": "between_pauses",
    "selection_recorded": "between_pauses",
    "between_pauses": "warning_sent",
    "warning_sent": "outputs",
    "outputs": None,
}
STEP_TIMEOUT = 300


@pytest.fixture(params=["sqlite", "postgresql"])
def databases(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, ...]]:
    """(backend, baseline URL, faulted URL, Prefect DB for each or "") on a fresh database."""
    from kinerja.db.session import make_engine
    from kinerja.flows.local_server import prefect_database_url

    if request.param == "sqlite":
        yield ("sqlite", f"sqlite:///{tmp_path / 'base.db'}", f"sqlite:///{tmp_path / 'f.db'}")
        return
    if not PG_URL:
        pytest.skip("KINERJA_TEST_DATABASE_URL not set")
    admin = make_engine(PG_URL, isolation_level="AUTOCOMMIT")
    names = [f"kinerja_faults_{uuid.uuid4().hex[:8]}" for _ in range(2)]
    with admin.connect() as conn:
        for name in names:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    urls = [make_url(PG_URL).set(database=n).render_as_string(hide_password=False) for n in names]
    try:
        yield ("postgresql", *urls)
    finally:
        with admin.connect() as conn:
            for url in urls:
                prefect = prefect_database_url(url)
                for db in (make_url(url).database, prefect and make_url(prefect).database):
                    if db:
                        conn.execute(text(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)'))
        admin.dispose()


def _prefect_db(url: str) -> str | None:
    from kinerja.flows.local_server import prefect_database_url

    return prefect_database_url(url)


def _uninterrupted(root: Path, url: str) -> Snapshot:
    month = Month(root, url, _prefect_db(url))
    with month.running() as engine:
        month.serve(None)
        cycle = month.start_cycle()
        drive(month, engine, cycle, lambda: cycle_kind(cycle) == "COMPLETED", STEP_TIMEOUT)
        return month.snapshot(engine)


def _faulted(root: Path, url: str) -> tuple[Snapshot, list[Row]]:
    month = Month(root, url, _prefect_db(url))
    rows: list[Row] = []
    with month.running() as engine:
        month.serve(SERVE_AFTER[None])
        cycle = month.start_cycle()
        restarted = time.monotonic()
        for point in POINTS:
            selection = "selection_recorded" if point == "selection_recorded" else None

            def reached(point: str = point) -> bool:
                return month.fired() == point and (point == "selection_recorded" or month.died())

            drive(month, engine, cycle, reached, STEP_TIMEOUT, selection_fault=selection)
            if rows:
                rows[-1].recovered_s = time.monotonic() - restarted
            month.kill()  # the serving process dies too (it already did, but at the decider)
            rows.append(Row(point, 0.0, month.snapshot(engine).counts()))
            month.marker.unlink()
            month.serve(SERVE_AFTER[point])
            restarted = time.monotonic()
        drive(month, engine, cycle, lambda: cycle_kind(cycle) == "COMPLETED", STEP_TIMEOUT)
        rows[-1].recovered_s = time.monotonic() - restarted
        final = month.snapshot(engine)
    for row in rows:
        row.after = final.counts()
    return final, rows


def test_the_month_survives_sigkill_at_every_point(
    databases: tuple[str, ...], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    backend, base_url, faulted_url = databases
    base = _uninterrupted(tmp_path / "base", base_url)
    final, rows = _faulted(tmp_path / "faulted", faulted_url)
    with capsys.disabled():
        print("\n" + table(rows, backend) + f"\nuninterrupted month: {base.counts()}; "
              f"uncertain sends resent with their key: {final.uncertain}")  # fmt: skip
    assert final.decisions == base.decisions
    assert final.notifications == base.notifications
    assert final.drafts == base.drafts
    assert final.letters == base.letters
    assert final.outbox == base.outbox
    assert all(n.endswith("|sent") for n in final.notifications)
    assert final.uncertain >= 1  # the warning cut off after delivery was resent, not dropped
    assert base.decisions and base.drafts and base.letters  # a month with something in it
