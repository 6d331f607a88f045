"""gather_month end to end: real HTTP server, real database (SQLite, and PostgreSQL if set)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from sqlalchemy import Engine, select

from kinerja.db import raw_data
from kinerja.db.models import (
    Activity,
    Assignment,
    AttendanceRecord,
    BehaviourAnswer,
    Employee,
    IndicatorValue,
    Opd,
    OpdPeriodStatus,
    QuarantinedRow,
    RowChange,
    Rumpun,
    SourceBatch,
)
from kinerja.db.session import session_scope
from kinerja.sources.config import SourcesConfig, files_config, http_config
from kinerja.sources.gather import gather_month
from kinerja.sources.server import Fault, SimulatorServer
from kinerja.sources.simulator import SimulatedProvince
from tests.sources.conftest import FAST, PERIOD, TOKEN

DATA_TABLES = [
    Rumpun,
    Opd,
    Employee,
    Assignment,
    AttendanceRecord,
    Activity,
    BehaviourAnswer,
    IndicatorValue,
]


def dump(engine: Engine, with_source: bool = True) -> dict[str, list[tuple[Any, ...]]]:
    """Every stored data row, without surrogate ids and batch ids, sorted."""
    out = {}
    with session_scope(engine) as s:
        for model in DATA_TABLES:
            table = model.__table__
            skip = {"id", "batch_id"} | (set() if with_source else {"source"})
            cols = [c for c in table.columns if c.name not in skip]
            rows = s.execute(select(*cols)).all()
            out[table.name] = sorted((tuple(r) for r in rows), key=repr)
    return out


def quarantine(engine: Engine) -> list[QuarantinedRow]:
    with session_scope(engine) as s:
        return list(s.scalars(select(QuarantinedRow).order_by(QuarantinedRow.id)))


def statuses(engine: Engine) -> dict[str, tuple[bool, str]]:
    with session_scope(engine) as s:
        rows = s.scalars(select(OpdPeriodStatus).where(OpdPeriodStatus.period == PERIOD))
        return {r.opd_code: (r.assessable, r.reason) for r in rows}


def test_gather_loads_the_month_and_quarantines_every_planted_record(
    engine: Engine, config: SourcesConfig, province: SimulatedProvince
) -> None:
    report = gather_month(engine, PERIOD, config)
    assert report.ok and not report.failures
    with session_scope(engine) as s:
        counts = {k: raw_data.count_rows(s, k, PERIOD) for k in raw_data.TABLES}
        employees = s.scalar(select(Employee.nip).where(Employee.nip == "12345ABC"))
        heads = dict(s.execute(select(Opd.code, Opd.head_nip)).all())
    planted = {(kind, reason) for kind, reason, _opd in province.dirty}
    found = {(q.kind, q.reason) for q in quarantine(engine)}
    assert planted <= found
    assert len(quarantine(engine)) == len(province.dirty)
    for kind in raw_data.TABLES:
        bad = sum(1 for k, _r, _o in province.dirty if k == kind)
        assert counts[kind] == len(province.frames[kind]) - bad
    assert employees is None  # the malformed register row is not an employee
    by_reason = report.by_reason()["simulator"]
    assert sum(by_reason.values()) == len(province.dirty)
    # every OPD has a head: the highest-level person posted there
    emp = province.employees
    for code, head in heads.items():
        assert emp.loc[emp["nip"] == head, "opd_code"].iloc[0] == code
    assert all(ok for ok, _why in statuses(engine).values())
    assert set(statuses(engine)) == set(province.opds["code"])


def test_quarantined_rows_keep_the_row_as_received_with_reason_and_source(
    engine: Engine, config: SourcesConfig
) -> None:
    gather_month(engine, PERIOD, config)
    rows = {(q.kind, q.reason): q for q in quarantine(engine)}
    bad_time = rows[("attendance", "malformed")]
    assert bad_time.source == "simulator"
    assert bad_time.batch_id is not None
    assert set(bad_time.row) >= {"nip", "work_date", "status", "check_in", "check_out"}
    assert bad_time.detail
    score = rows[("behaviour", "impossible_value")]
    assert score.row["score"] == 7
    assert "outside 1..5" in score.detail
    assert rows[("activities", "malformed")].row["minutes"] == "abc"


def test_loading_twice_gives_identical_rows_and_writes_nothing_new(
    engine: Engine, config: SourcesConfig, monkeypatch: pytest.MonkeyPatch
) -> None:
    staged: list[str] = []  # SQLite stages a delivery's rows before it takes the write lock
    real_stage = raw_data.stage_rows

    def stage(conn: Any, kind: str, frame: pd.DataFrame) -> Any:
        staged.append(kind)
        return real_stage(conn, kind, frame)

    monkeypatch.setattr(raw_data, "stage_rows", stage)
    first = gather_month(engine, PERIOD, config)
    assert bool(staged) == (engine.dialect.name == "sqlite")
    before = dump(engine)
    with session_scope(engine) as s:
        batches = len(s.scalars(select(SourceBatch)).all())
    staged.clear()
    second = gather_month(engine, PERIOD, config)
    assert staged == []  # a delivery loaded before is not staged again
    assert dump(engine) == before
    assert len(quarantine(engine)) == sum(r.rejected for r in first.results)
    with session_scope(engine) as s:
        assert len(s.scalars(select(SourceBatch)).all()) == batches
        assert s.scalars(select(RowChange)).all() == []
    assert all(r.skipped for r in second.results)
    assert second.by_reason() == first.by_reason()


class Crash(BaseException):
    """Stands for the process dying: not an Exception, so nothing catches it."""


def test_resume_after_a_crash_half_way_gives_the_same_rows(
    engine: Engine, config: SourcesConfig, monkeypatch: pytest.MonkeyPatch
) -> None:
    gather_month(engine, PERIOD, config)
    reference = dump(engine)
    from tests.conftest import _clean

    _clean(engine)
    calls = {"n": 0}

    def crashing(real: Any) -> Any:
        def insert(*args: Any) -> int:
            calls["n"] += 1
            if calls["n"] == 5:  # attendance and activities of the first OPDs are already in
                raise Crash
            return int(real(*args))

        return insert

    # rows go in through insert_staged on SQLite, insert_rows elsewhere
    real = {name: getattr(raw_data, name) for name in ("insert_rows", "insert_staged")}
    for name, fn in real.items():
        monkeypatch.setattr(raw_data, name, crashing(fn))
    with pytest.raises(Crash):
        gather_month(engine, PERIOD, config)
    for name, fn in real.items():
        monkeypatch.setattr(raw_data, name, fn)
    partial = dump(engine)
    assert 0 < len(partial["attendance"]) <= len(reference["attendance"])
    gather_month(engine, PERIOD, config)
    assert dump(engine) == reference


def test_one_opd_attendance_source_down_the_month_goes_on(
    engine: Engine, config: SourcesConfig, server: SimulatorServer, province: SimulatedProvince
) -> None:
    down = province.opds["code"].iloc[-1]
    server.add_fault(Fault(status=503, times=None, kind="attendance", opd=down))
    report = gather_month(engine, PERIOD, config)
    assert report.ok  # the month is gathered ...
    assert len(report.failures) == 1 and down in report.failures[0]
    status = statuses(engine)
    assert status[down][0] is False  # ... but that OPD cannot be assessed, and says why
    assert "kehadiran" in status[down][1] and "HTTP 503" in status[down][1]
    assert all(ok for opd, (ok, _w) in status.items() if opd != down)
    assert report.not_assessable == {down: status[down][1]}
    emp = province.employees
    down_nips = list(emp.loc[emp["opd_code"] == down, "nip"])
    with session_scope(engine) as s:
        att_down = s.scalars(select(AttendanceRecord).where(AttendanceRecord.nip.in_(down_nips)))
        assert att_down.all() == []
        act_down = s.scalars(select(Activity.id).where(Activity.nip.in_(down_nips))).all()
        assert act_down  # the OPD's other data still arrived
        failed = s.scalars(select(SourceBatch).where(SourceBatch.status == "failed")).all()
        assert [(b.kind, b.opd_code) for b in failed] == [("attendance", down)]
        assert "HTTP 503" in (failed[0].error or "")
        from kinerja.db.quarantine import unassessable_opds

        assert set(unassessable_opds(s, PERIOD)) == {down}

    # the source comes back: a rerun loads the OPD and makes it assessable again
    server.clear_faults()
    again = gather_month(engine, PERIOD, config)
    assert not again.failures
    assert statuses(engine)[down] == (True, "")


def test_register_failure_with_no_register_stops_the_month(
    engine: Engine, server: SimulatorServer
) -> None:
    server.add_fault(Fault(status=500, times=None, kind="employees"))
    report = gather_month(engine, PERIOD, http_config(server.url, token=TOKEN, **FAST))
    assert not report.ok
    assert "register missing" in report.errors[0]
    assert "employees" in report.failures[0] and "HTTP 500" in report.failures[0]


def test_csv_and_xlsx_import_store_the_same_rows_as_http(
    engine: Engine, config: SourcesConfig, province: SimulatedProvince, tmp_path: Path
) -> None:
    gather_month(engine, PERIOD, config)
    via_http = dump(engine, with_source=False)
    from tests.conftest import _clean

    for fmt in ("csv", "xlsx"):
        folder = tmp_path / fmt
        province.write(str(folder), fmt)
        assert sorted(p.name for p in folder.iterdir()) == sorted(
            f"{k}.{fmt}" for k in province.frames
        )
        _clean(engine)
        report = gather_month(engine, PERIOD, files_config(folder, fmt))  # type: ignore[arg-type]
        assert report.ok and not report.failures, report.summary()
        assert dump(engine, with_source=False) == via_http, fmt
        assert {r.source for r in report.results} == {f"{fmt}_files"}
        reasons = {(q.kind, q.reason) for q in quarantine(engine)}
        # in a file the row HTTP served in another OPD's feed is an exact repeat instead
        expected = {(k, r) for k, r, _o in province.dirty if r != "unknown_opd"}
        assert expected <= reasons


def write_csv(province: SimulatedProvince, folder: Path) -> None:
    province.write(str(folder), "csv")


def test_corrected_redelivery_replaces_rows_and_records_each_change(
    engine: Engine, province: SimulatedProvince, tmp_path: Path
) -> None:
    write_csv(province, tmp_path)
    cfg = files_config(tmp_path)
    gather_month(engine, PERIOD, cfg)
    att = pd.read_csv(tmp_path / "attendance.csv", dtype=str, keep_default_na=False)
    present = att[(att["status"] == "present") & (att["check_in"] != "")]
    fixed, dropped = present.index[10], present.index[20]
    fixed_key = (att.at[fixed, "nip"], att.at[fixed, "work_date"])
    dropped_key = (att.at[dropped, "nip"], att.at[dropped, "work_date"])
    old_in = att.at[fixed, "check_in"]
    att.at[fixed, "check_in"] = "07:01:00"
    att = att.drop(index=dropped)
    att.to_csv(tmp_path / "attendance.csv", index=False)
    emp = pd.read_csv(tmp_path / "employees.csv", dtype=str, keep_default_na=False)
    emp.loc[emp["nip"] == fixed_key[0], "job_title"] = "Analis SDM Aparatur"
    emp.to_csv(tmp_path / "employees.csv", index=False)

    report = gather_month(engine, PERIOD, cfg)
    totals = report.by_source()["csv_files"]
    assert (totals["updated"], totals["deleted"]) == (2, 1)  # check-in + job title; one row
    with session_scope(engine) as s:
        rows = {
            (r.nip, r.work_date.isoformat()): r
            for r in s.scalars(
                select(AttendanceRecord).where(
                    AttendanceRecord.nip.in_([fixed_key[0], dropped_key[0]])
                )
            )
        }
        assert rows[fixed_key].check_in.isoformat() == "07:01:00"
        assert dropped_key not in rows
        changes = {c.row_key: c for c in s.scalars(select(RowChange))}
        title = s.scalar(select(Assignment.job_title).where(Assignment.nip == fixed_key[0]))
    assert title == "Analis SDM Aparatur"
    fixed_change = changes["|".join(fixed_key)]
    assert fixed_change.kind == "attendance"
    assert fixed_change.before["check_in"] == old_in
    assert fixed_change.after["check_in"] == "07:01:00"
    assert changes["|".join(dropped_key)].after == {}
    assert any(k.startswith("assignment|") for k in changes)
    assert len(changes) == 3


def test_an_opd_with_no_data_or_mostly_rejected_data_is_not_assessable(
    engine: Engine, province: SimulatedProvince, tmp_path: Path
) -> None:
    write_csv(province, tmp_path)
    emp = province.employees
    opds = list(province.opds["code"])
    missing, broken = opds[0], opds[1]
    nips_missing = set(emp.loc[emp["opd_code"] == missing, "nip"])
    nips_broken = set(emp.loc[emp["opd_code"] == broken, "nip"])
    act = pd.read_csv(tmp_path / "activities.csv", dtype=str, keep_default_na=False)
    act[~act["nip"].isin(nips_missing)].to_csv(tmp_path / "activities.csv", index=False)
    beh = pd.read_csv(tmp_path / "behaviour.csv", dtype=str, keep_default_na=False)
    beh.loc[beh["nip"].isin(nips_broken), "score"] = "9"
    beh.to_csv(tmp_path / "behaviour.csv", index=False)

    report = gather_month(engine, PERIOD, files_config(tmp_path))
    status = statuses(engine)
    assert status[missing] == (False, "data aktivitas harian untuk 2025-10 tidak tersedia")
    assert status[broken][0] is False
    assert "baris data perilaku (kuesioner 360°) ditolak" in status[broken][1]
    assert all(ok for o, (ok, _w) in status.items() if o not in (missing, broken))
    assert report.by_reason()["csv_files"]["impossible_value"] >= 1


def test_opd_whose_attendance_source_is_down_gets_no_candidates(
    engine: Engine, config: SourcesConfig, server: SimulatorServer, province: SimulatedProvince
) -> None:
    """Through scoring: the others get candidates, the failed OPD none, and the reason stays."""
    from kinerja.db.month_data import load_month
    from kinerja.rules.policy import load_policy
    from kinerja.rules.scoring import score_month
    from kinerja.rules.selection import propose_candidates

    down = province.opds["code"].iloc[-1]
    server.add_fault(Fault(status=503, times=None, kind="attendance", opd=down))
    gather_month(engine, PERIOD, config)
    policy = load_policy("jabar")
    with session_scope(engine) as s:
        month = load_month(s, PERIOD)
    assert set(month.unassessable_opds) == {down}
    assert "kehadiran" in month.unassessable_opds[down]
    scores = score_month(month, policy)
    candidates = propose_candidates(scores, policy, dict(month.unassessable_opds))
    assert down in set(scores["opd_code"])  # still scored, for information
    assert down not in set(candidates["opd_code"])
    # the others may have candidates (only those below the floor are proposed)
    assert len(candidates) and set(candidates["opd_code"]) <= set(province.opds["code"]) - {down}


def test_worker_processes_load_the_same_month(
    engine: Engine, config: SourcesConfig, server: SimulatorServer, province: SimulatedProvince
) -> None:
    """workers=2 runs OPD deliveries in processes (on SQLite they take turns to write)."""
    down = province.opds["code"].iloc[0]
    server.add_fault(Fault(status=503, times=None, kind="behaviour", opd=down))
    report = gather_month(engine, PERIOD, config, workers=2)
    assert report.not_assessable.keys() == {down}
    assert "perilaku" in report.not_assessable[down]
    server.clear_faults()
    again = gather_month(engine, PERIOD, config, workers=2)
    assert not again.failures and not again.not_assessable
    fresh = [r for r in again.results if not r.skipped and r.kind != "employees"]
    assert [(r.kind, r.opd) for r in fresh] == [("behaviour", down)]
    with session_scope(engine) as s:
        for kind in raw_data.TABLES:
            bad = sum(1 for k, _r, _o in province.dirty if k == kind)
            assert raw_data.count_rows(s, kind, PERIOD) == len(province.frames[kind]) - bad


def test_file_parts_checked_and_stored_in_worker_processes_match_one_process(
    engine: Engine, province: SimulatedProvince, tmp_path: Path
) -> None:
    """A whole file is cut into OPD parts; two processes store exactly what one process does."""
    from tests.conftest import _clean

    write_csv(province, tmp_path)
    config = files_config(tmp_path, "csv")  # type: ignore[arg-type]

    def outcome(report: Any) -> Any:
        quarantined = sorted((q.kind, q.reason, q.row_key, q.detail) for q in quarantine(engine))
        loads = sorted(
            (r.kind, r.opd or "", r.loaded, r.rejected, r.inserted) for r in report.results
        )
        return dump(engine), quarantined, loads, statuses(engine)

    alone = outcome(gather_month(engine, PERIOD, config, workers=1))
    _clean(engine)
    shared = outcome(gather_month(engine, PERIOD, config, workers=2))
    assert shared == alone
    assert alone[1]  # the planted bad rows were quarantined, by both


def test_leftover_rows_failing_to_load_leave_every_opd_assessable(
    engine: Engine, province: SimulatedProvince, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file's rows of no OPD (unknown NIPs) are nobody's data: their failure fails no OPD."""
    from kinerja.sources.load import DeliveryWriter

    write_csv(province, tmp_path)
    config = files_config(tmp_path, "csv")  # type: ignore[arg-type]
    real = DeliveryWriter.store
    leftovers: list[str] = []

    def failing_leftovers(writer: DeliveryWriter, **kw: Any) -> Any:
        if kw["opd"] is None:
            leftovers.append(kw["kind"])
            raise RuntimeError("disk full")
        return real(writer, **kw)

    monkeypatch.setattr(DeliveryWriter, "store", failing_leftovers)
    report = gather_month(engine, PERIOD, config, workers=1)
    assert "attendance" in leftovers  # the planted unknown NIP made a leftovers part
    assert any("attendance for OPD (all)" in f and "disk full" in f for f in report.failures)
    assert report.not_assessable == {}
    assert all(ok for ok, _why in statuses(engine).values())
    with session_scope(engine) as s:
        failed = s.scalars(select(SourceBatch).where(SourceBatch.status == "failed")).all()
        assert {(b.kind, b.opd_code) for b in failed} >= {("attendance", None)}


def test_a_correction_leaves_no_staged_rows_on_the_connection(
    sqlite_url: str, province: SimulatedProvince, tmp_path: Path
) -> None:
    """Rows staged for a delivery that turns out to be a correction are not kept afterwards."""
    from sqlalchemy.pool import StaticPool

    from kinerja.db.session import make_engine
    from tests.conftest import _clean

    # one connection for everything: its TEMP tables are the ones gathering staged into
    engine = make_engine(
        sqlite_url, poolclass=StaticPool, connect_args={"timeout": 30, "check_same_thread": False}
    )
    _clean(engine)
    write_csv(province, tmp_path)
    config = files_config(tmp_path, "csv")  # type: ignore[arg-type]
    gather_month(engine, PERIOD, config, workers=1)
    att = pd.read_csv(tmp_path / "attendance.csv", dtype=str, keep_default_na=False)
    present = att.index[(att["status"] == "present") & (att["check_in"] != "")]
    att.at[present[10], "check_in"] = "07:01:00"
    att.to_csv(tmp_path / "attendance.csv", index=False)

    report = gather_month(engine, PERIOD, config, workers=1)
    assert report.by_source()["csv_files"]["updated"] == 1
    with engine.connect() as conn:
        left = conn.exec_driver_sql("SELECT count(*) FROM temp.stage_attendance").scalar_one()
    engine.dispose()
    assert left == 0
