"""load_month reads back what was stored, so scoring from the database equals scoring in memory."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from sqlalchemy import Connection, text
from sqlalchemy.orm import Session

from db.models import Assignment
from db.month_data import load_month
from rules.scoring import score_month
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


def test_raw_tables_are_read_as_of_one_moment_on_postgresql(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The tables are read by parallel connections, yet a row committed meanwhile is not seen."""
    from db import month_data

    if session.get_bind().dialect.name != "postgresql":
        pytest.skip("SQLite reads every table in the session itself")
    mb = _month()
    mb.to_db(session)
    session.commit()
    engine = session.get_bind()
    read = month_data._raw_frame
    late = "199001012015011099"

    def commit_then_read(conn: Connection, kind: str, period: str) -> pd.DataFrame:
        if kind == "attendance":  # someone stores a row after the month's snapshot was taken
            with engine.begin() as other:
                other.execute(
                    text(
                        "INSERT INTO attendance (period, nip, work_date, status, source) "
                        "VALUES ('2025-10', :nip, '2025-10-31', 'present', 'late-source')"
                    ),
                    {"nip": late},
                )
        return read(conn, kind, period)

    monkeypatch.setattr(month_data, "_raw_frame", commit_then_read)
    loaded = load_month(session, "2025-10")
    assert len(loaded.attendance) == len(mb.attendance)
    assert late not in set(loaded.attendance["nip"])
    session.rollback()
    monkeypatch.undo()
    assert late in set(load_month(session, "2025-10").attendance["nip"])  # a new read sees it
