"""load_month reads back what was stored, so scoring from the database equals scoring in memory."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pandas as pd
import pytest
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from kinerja.db.models import Assignment
from kinerja.db.month_data import load_month
from kinerja.rules.scoring import score_month
from tests.factories import MonthBuilder


def _month() -> MonthBuilder:
    mb = MonthBuilder()
    head = mb.good_employee(level="eselon_iii", opd="BAPPEDA", rumpun="PEREKONOMIAN")
    mb.indicator(head, "capaian_fisik", 85)
    mb.indicator(head, "iki", 70)
    for i in range(4):
        nip = mb.good_employee(supervisor=head, opd="BAPPEDA", rumpun="PEREKONOMIAN")
        mb.full_attendance(nip, late_minutes=[7 * i + 1] * i, early_minutes=[40], excused_days=i)
        mb.full_activities(nip, main_ratio=0.3 + 0.2 * i)
    lonely = mb.good_employee(opd="DISHUB", rumpun=None, start=date(2025, 10, 15))
    mb.attend(lonely, date(2025, 10, 15), check_in=None)
    mb.unassessable["DISHUB"] = "data presensi tidak lengkap"
    return mb


def test_scores_from_the_database_equal_scores_from_memory(session: Session) -> None:
    mb = _month()
    mb.to_db(session)
    session.commit()
    loaded = load_month(session, "2025-10")
    assert loaded.unassessable_opds == {"DISHUB": "data presensi tidak lengkap"}
    assert len(loaded.attendance) == len(mb.attendance)
    assert len(loaded.behaviour) == len(mb.behaviour)
    key = ["nip"]
    from_db = score_month(loaded, mb.policy).sort_values(key).reset_index(drop=True)
    in_memory = score_month(mb.build(), mb.policy).sort_values(key).reset_index(drop=True)
    pd.testing.assert_frame_equal(from_db, in_memory)


def test_a_transfer_within_the_month_is_one_employee_in_the_new_post(session: Session) -> None:
    mb = MonthBuilder()
    nip = mb.good_employee(opd="DINAS-A", end=date(2025, 10, 14))
    mb.to_db(session)
    session.add(
        Assignment(
            nip=nip,
            opd_code="DINAS-A",
            position_level="eselon_iv",
            job_title="Kepala Seksi",
            start_date=date(2025, 10, 15),
        )
    )
    session.commit()
    emp = load_month(session, "2025-10").employees
    assert len(emp) == 1
    row = emp.iloc[0]
    assert (row["position_level"], row["job_title"]) == ("eselon_iv", "Kepala Seksi")
    assert row["start_date"] == pd.Timestamp("2020-01-01")
    assert pd.isna(row["end_date"])


def test_assignments_outside_the_month_are_left_out(session: Session) -> None:
    mb = MonthBuilder()
    mb.good_employee(end=date(2025, 9, 30))
    kept = mb.good_employee()
    mb.good_employee(start=date(2025, 11, 1))
    mb.to_db(session)
    session.commit()
    assert list(load_month(session, "2025-10").employees["nip"]) == [kept]


def _as_read_in_session(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.sort_values(list(frame.columns)).reset_index(drop=True)


def test_worker_processes_read_the_same_month(session: Session) -> None:
    """Two processes read the raw tables (activities cut in id ranges): same frames, same scores."""
    mb = _month()
    mb.to_db(session)
    session.commit()
    alone = load_month(session, "2025-10", workers=1)
    session.rollback()
    shared = load_month(session, "2025-10", workers=2)
    for kind in ("attendance", "activities", "behaviour", "indicators"):
        mine, theirs = getattr(alone, kind), getattr(shared, kind)
        assert len(mine) and len(theirs) == len(mine), kind
        pd.testing.assert_frame_equal(
            _as_read_in_session(theirs.astype(object)), _as_read_in_session(mine.astype(object))
        )
    pd.testing.assert_frame_equal(score_month(shared, mb.policy), score_month(alone, mb.policy))


_LATE = "199001012015011099"


def _store_late_row(engine: Engine) -> None:
    with engine.begin() as other:
        other.execute(
            text(
                "INSERT INTO attendance (period, nip, work_date, status, source) "
                "VALUES ('2025-10', :nip, '2025-10-31', 'present', 'late-source')"
            ),
            {"nip": _LATE},
        )


def _stored_month(
    session: Session, only: str, why_not: str
) -> tuple[MonthBuilder, Callable[..., list[pd.DataFrame]]]:
    """The month stored (on `only` a database, else skip), and the workers' read to wrap."""
    from kinerja.db import month_data

    if session.get_bind().dialect.name != only:
        pytest.skip(why_not)
    mb = _month()
    mb.to_db(session)
    session.commit()
    return mb, month_data._read_parts


def test_workers_read_as_of_the_sessions_snapshot_on_postgresql(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A row committed after the month's snapshot, before the workers read, is not seen."""
    from kinerja.db import month_data

    mb, read = _stored_month(
        session, only="postgresql", why_not="SQLite has no snapshot to share: see the next test"
    )

    def commit_then_read(*args: Any) -> list[pd.DataFrame]:
        _store_late_row(session.get_bind())  # type: ignore[arg-type]
        return read(*args)

    monkeypatch.setattr(month_data, "_read_parts", commit_then_read)
    loaded = load_month(session, "2025-10", workers=2)
    assert len(loaded.attendance) == len(mb.attendance)
    assert _LATE not in set(loaded.attendance["nip"])
    session.rollback()
    monkeypatch.undo()
    assert _LATE in set(load_month(session, "2025-10", workers=2).attendance["nip"])


def test_a_commit_while_workers_read_sqlite_means_reading_again(
    session: Session, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """Workers cannot share a snapshot on SQLite: a commit meanwhile is noticed, and the
    session reads the month itself, as of its own transaction, so the frames never mix two
    moments; the late row is there for the next transaction."""
    from kinerja.db import month_data

    mb, read = _stored_month(
        session,
        only="sqlite",
        why_not="PostgreSQL workers share the session's snapshot: see the previous test",
    )
    from kinerja.db.session import DEFERRED

    # A write-locking (immediate) session keeps every other writer out while it reads; a
    # deferred one does not, and that is the case to catch.
    session.connection(execution_options={DEFERRED: True})
    calls: list[int] = []

    def read_then_commit(*args: Any) -> list[pd.DataFrame]:
        calls.append(1)
        frames = read(*args)  # the workers' frames lack the late row...
        _store_late_row(session.get_bind())  # type: ignore[arg-type]
        return frames

    monkeypatch.setattr(month_data, "_read_parts", read_then_commit)
    with caplog.at_level("WARNING"):
        loaded = load_month(session, "2025-10", workers=2)
    assert calls and "reading again" in caplog.text  # ...the workers' frames were dropped
    assert len(loaded.attendance) == len(mb.attendance)
    assert _LATE not in set(loaded.attendance["nip"])  # the session's own moment
    session.rollback()
    monkeypatch.undo()
    again = load_month(session, "2025-10", workers=2)
    assert _LATE in set(again.attendance["nip"])
    assert len(again.attendance) == len(mb.attendance) + 1
