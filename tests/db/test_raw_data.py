"""Bulk inserts and updates of raw rows keep every value as given, awkward text included."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session

from kinerja.db import raw_data
from kinerja.db.models import Activity
from kinerja.db.session import make_engine, session_scope
from tests.conftest import _clean


def _activities(ids: list[str], approver: list[str | None]) -> pd.DataFrame:
    n = len(ids)
    return pd.DataFrame(
        {
            "period": "2025-10",
            "nip": "198001012010011001",
            "external_id": ids,
            "work_date": "2025-10-01",
            "entered_at": "2025-10-01 16:30:00",
            "kind": "main",
            "minutes": np.linspace(30.5, 90.25, n),
            "completed": [i % 2 == 0 for i in range(n)],
            "approval": "approved",
            "approver_nip": approver,
            "description": "",
            "source": "sikap",
            "batch_id": 1,
        }
    )


AWKWARD = ["tab\there", "line\nbreak", "back\\slash", "\\N", "cr\rhere", "plain", "ünïcode"]


def test_insert_keeps_awkward_text_and_missing_values(session: Session) -> None:
    approver = ["198001012010011002", None, "198001012010011002", None, None, "1", "2"]
    frame = _activities(AWKWARD, approver)
    assert raw_data.insert_rows(session, "activities", frame) == len(AWKWARD)
    rows = session.execute(
        select(
            Activity.external_id, Activity.approver_nip, Activity.minutes, Activity.completed
        ).order_by(Activity.id)
    ).all()
    assert [r.external_id for r in rows] == AWKWARD
    assert [r.approver_nip for r in rows] == approver  # the text "\N" is not a missing value
    assert [r.minutes for r in rows] == pytest.approx(frame["minutes"].tolist())
    assert [r.completed for r in rows] == frame["completed"].tolist()


def test_update_rewrites_values_by_id(session: Session) -> None:
    raw_data.insert_rows(session, "activities", _activities(["a", "b"], [None, None]))
    ids = session.scalars(select(Activity.id).order_by(Activity.id)).all()
    upd = _activities(["a\tfixed", "b"], ["198001012010011009", None]).drop(columns="description")
    upd.insert(0, "id", ids)
    assert raw_data.update_rows(session, "activities", upd) == 2
    rows = session.execute(
        select(Activity.external_id, Activity.approver_nip).order_by(Activity.id)
    ).all()
    assert [tuple(r) for r in rows] == [("a\tfixed", "198001012010011009"), ("b", None)]


def _stored(engine: Engine) -> list[tuple[object, ...]]:
    """Every activity cell with its SQLite storage class: what a reader gets back."""
    cols = [c.name for c in Activity.__table__.columns if c.name != "id"]  # type: ignore[attr-defined]
    cells = ", ".join(f"{c}, typeof({c})" for c in cols)
    with engine.connect() as conn:
        return [tuple(r) for r in conn.exec_driver_sql(f"SELECT {cells} FROM activity ORDER BY id")]


def test_staged_rows_are_stored_exactly_as_a_direct_insert_stores_them(
    sqlite_engine: Engine,
) -> None:
    approver = ["198001012010011002", None, "198001012010011002", None, None, "1", "2"]
    frame = _activities(AWKWARD, approver)
    with session_scope(sqlite_engine) as s:
        raw_data.insert_rows(s, "activities", frame)
    direct = _stored(sqlite_engine)
    _clean(sqlite_engine)

    constants = {"period": "2025-10", "description": "", "source": "sikap", "batch_id": 1}
    with sqlite_engine.connect() as conn:
        staged = raw_data.stage_rows(conn, "activities", frame.drop(columns=[*constants]))
        assert staged is not None and staged.rows == len(AWKWARD)
        with session_scope(conn) as s:
            assert raw_data.insert_staged(s, staged, constants) == len(AWKWARD)
    assert _stored(sqlite_engine) == direct
    assert len(direct) == len(AWKWARD)


def test_staging_does_not_wait_for_another_writer(tmp_path: Path) -> None:
    """Rows are staged while another process holds the write lock; only the copy waits."""
    from kinerja.db.migrate import upgrade

    url = f"sqlite:///{tmp_path / 'staging.db'}"
    upgrade(url)
    holder, stager = make_engine(url, immediate=True), make_engine(url, immediate=True)
    frame = _activities(["a", "b"], [None, None]).drop(
        columns=["period", "description", "source", "batch_id"]
    )
    with holder.begin() as locked:
        locked.execute(text("DELETE FROM activity"))  # holds the write lock until the end
        with stager.connect() as conn:
            t0 = time.monotonic()
            staged = raw_data.stage_rows(conn, "activities", frame)
            assert time.monotonic() - t0 < 5  # the busy timeout is 30 s: it did not queue
            assert staged is not None and staged.rows == 2
    with stager.connect() as conn, session_scope(conn) as s:
        constants = {"period": "2025-10", "description": "", "source": "s", "batch_id": 1}
        raw_data.insert_staged(s, staged, constants)
    with stager.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM activity")).scalar_one() == 2


def test_nothing_is_staged_on_postgresql_or_inside_a_transaction(engine: Engine) -> None:
    frame = _activities(["a"], [None]).drop(columns=["period", "description", "source", "batch_id"])
    with engine.connect() as conn:
        conn.execute(text("SELECT 1"))  # a transaction is open now
        assert raw_data.stage_rows(conn, "activities", frame) is None
    if engine.dialect.name != "sqlite":
        with engine.connect() as conn:
            assert raw_data.stage_rows(conn, "activities", frame) is None
