"""`kinerja pending` and `kinerja decide ...` against a review waiting for its head."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from kinerja.cli import app
from kinerja.cli.cycle import LOCAL_API
from kinerja.db import decisions as dec
from kinerja.db import reviews
from kinerja.db.session import session_scope
from kinerja.domain import DecisionKind, utcnow
from tests.review.factories import make_opd

PERIOD = "2025-10"


@pytest.fixture
def cli_env(
    sqlite_engine: Engine, sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Engine]:
    from prefect import flow  # noqa: F401  (loads prefect.main, which sets up logging)

    from kinerja.settings import get_settings

    # Prefect sets up its log handlers on its first import, on the sys.stderr of that moment:
    # imported inside a CliRunner call, they would write to that call's closed stream later.
    monkeypatch.setenv("KINERJA_DATABASE_URL", sqlite_url)
    # The commands default PREFECT_API_URL; monkeypatch restores it after the test.
    monkeypatch.setenv("PREFECT_API_URL", os.environ.get("PREFECT_API_URL", LOCAL_API))
    monkeypatch.setenv("KINERJA_OPERATORS", "op BKD,op BKD Sari,operator BKD")
    get_settings.cache_clear()
    yield sqlite_engine
    get_settings.cache_clear()


def test_pending_and_decide_selection(cli_env: Engine) -> None:
    nips = make_opd(cli_env, PERIOD, "DISHUB")
    make_opd(cli_env, PERIOD, "DINKES")
    with session_scope(cli_env) as s:
        reviews.ensure_review(
            s,
            period=PERIOD,
            scope_kind="opd",
            scope_code="DISHUB",
            selection_deadline=utcnow() + timedelta(days=7),
            now=utcnow(),
        )
    runner = CliRunner()
    out = runner.invoke(app, ["pending", "--period", PERIOD])
    assert out.exit_code == 0, out.output
    assert "DISHUB" in out.output and "awaiting_selection" in out.output
    # the deadline in local time with its zone, to the minute: no naive UTC, no microseconds
    assert re.search(r"batas \d{4}-\d\d-\d\d \d\d\.\d\d WIB  menunggu: kepala", out.output)
    assert "UTC" not in out.output

    # only a configured operator acts through the CLI; the refusal names who is configured
    head = ["decide", "selection", "--period", PERIOD, "--scope", "DISHUB", "--actor", "Kepala"]
    impostor = runner.invoke(app, [*head, "--select", f"{nips[0]}=sering absen"])
    assert impostor.exit_code == 2
    assert "Kepala bukan operator BKD yang terdaftar" in impostor.output
    assert "op BKD, op BKD Sari, operator BKD" in impostor.output
    base = ["decide", "selection", "--period", PERIOD, "--scope", "DISHUB", "--actor", "op BKD"]
    twice = runner.invoke(
        app, [*base, "--select", f"{nips[0]}=sering absen", "--select", f"{nips[0]}=lain lagi"]
    )
    assert twice.exit_code == 2 and f"NIP {nips[0]} muncul 2 kali" in twice.output
    refused = runner.invoke(app, [*base, "--select", "DINKES-001=malas"])
    assert refused.exit_code == 2
    assert "DINKES" in refused.output
    assert runner.invoke(app, base).exit_code == 2  # neither --select nor --none

    behalf = [*base, "--select", f"{nips[0]}=sering absen", "--on-behalf-of", "DISHUB-HEAD"]
    no_note = runner.invoke(app, behalf)
    assert no_note.exit_code == 2 and "catatan" in no_note.output
    ok = runner.invoke(app, [*behalf, "--note", "diminta kepala lewat surat 12/2025"])
    assert ok.exit_code == 0, ok.output
    with session_scope(cli_env) as s:
        sel = dec.effective(s, PERIOD, "DISHUB", DecisionKind.SELECTION)
        assert sel[nips[0]].value == "selected" and sel[nips[0]].channel == "cli"
        assert (sel[nips[0]].actor, sel[nips[0]].actor_role) == ("op BKD", "bkd_operator")
        assert sel[nips[0]].payload["on_behalf_of"] == {
            "nip": "DISHUB-HEAD",
            "note": "diminta kepala lewat surat 12/2025",
        }
    out = runner.invoke(app, ["pending", "--period", PERIOD])
    assert "awaiting_defence" in out.output and nips[0] in out.output

    # a defence typed in by an operator records the operator, not the employee, as its actor
    defence = ["decide", "defence", "--period", PERIOD, "--scope", "DISHUB", "--nip", nips[0]]
    assert runner.invoke(app, [*defence, "--text", "Saya sakit."]).exit_code == 2  # no --actor
    ok = runner.invoke(app, [*defence, "--text", "Saya sakit.", "--actor", "op BKD Sari"])
    assert ok.exit_code == 0, ok.output
    with session_scope(cli_env) as s:
        entered = dec.effective(s, PERIOD, "DISHUB", DecisionKind.DEFENCE)[nips[0]]
        assert (entered.actor, entered.actor_role) == ("op BKD Sari", "bkd_operator")


def test_extend_prints_a_request_id_and_a_retry_with_it_records_nothing_new(
    cli_env: Engine,
) -> None:
    make_opd(cli_env, PERIOD, "DISHUB")
    with session_scope(cli_env) as s:
        reviews.ensure_review(
            s,
            period=PERIOD,
            scope_kind="opd",
            scope_code="DISHUB",
            selection_deadline=utcnow() + timedelta(days=7),
            now=utcnow(),
        )
    runner = CliRunner()
    base = ["decide", "extend", "--period", PERIOD, "--scope", "DISHUB", "--actor", "op BKD"]
    first = runner.invoke(app, [*base, "--workdays", "2", "--reason", "banjir"])
    assert first.exit_code == 0, first.output
    request_id = first.output.split("id permintaan ", 1)[1].split()[0]
    retry = [*base, "--workdays", "2", "--reason", "banjir", "--request-id", request_id]
    again = runner.invoke(app, retry)
    assert again.exit_code == 0, again.output
    assert first.output.splitlines()[-1] == again.output.splitlines()[-1]  # same deadline
    assert re.fullmatch(
        r"batas waktu baru \d{4}-\d\d-\d\d \d\d\.\d\d WIB", again.output.splitlines()[-1]
    )
    with session_scope(cli_env) as s:
        exts = [d for d in dec.history(s, PERIOD, "DISHUB") if d.kind == DecisionKind.EXTENSION]
    assert len(exts) == 1
    # A new invocation (new id) is a new extension.
    assert runner.invoke(app, [*base, "--workdays", "1", "--reason", "lagi hujan"]).exit_code == 0
    with session_scope(cli_env) as s:
        exts = [d for d in dec.history(s, PERIOD, "DISHUB") if d.kind == DecisionKind.EXTENSION]
    assert len(exts) == 2


def test_bkd_rules_on_each_data_objection_from_the_command_line(
    cli_env: Engine, tmp_path: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sqlalchemy import select

    from kinerja.db.models import AttendanceRecord, DataObjection
    from kinerja.review import service as svc
    from kinerja.review.corrections import ObjectionInput
    from kinerja.settings import get_settings
    from tests.factories import MonthBuilder
    from tests.review.month import province, store_month

    monkeypatch.setenv("KINERJA_VAR_DIR", str(tmp_path))
    monkeypatch.setenv("KINERJA_PORTAL_SECRET", "cli-test-secret-90ab")
    get_settings.cache_clear()
    mb = MonthBuilder()
    who = province(mb)
    store_month(cli_env, mb)
    travel = who["travel"]
    svc.submit_selection(cli_env, PERIOD, "DINAS", "op BKD", {travel: (True, "Absen")}, "cli")
    with session_scope(cli_env) as s:
        day = s.scalars(
            select(AttendanceRecord.work_date).where(
                AttendanceRecord.nip == travel, AttendanceRecord.status == "absent"
            )
        ).first()
    assert day is not None
    objection = ObjectionInput("attendance_day", day.isoformat(), "official_travel", "ST nomor 4")
    svc.submit_defence(
        cli_env, PERIOD, "DINAS", travel, "operator BKD", "Saya dinas luar hari itu.", "cli",
        objections=[objection],
    )  # fmt: skip
    with session_scope(cli_env) as s:
        (oid,) = s.scalars(select(DataObjection.id)).all()
    base = ["decide", "verdict", "--period", PERIOD, "--scope", "DINAS", "--nip", travel]
    base += ["--actor", "operator BKD", "--reject", "--reason", "Tidak cukup"]
    runner = CliRunner()
    missing = runner.invoke(app, base)
    assert missing.exit_code == 2 and f"#{oid} belum diputus" in missing.output
    bad = runner.invoke(app, [*base, "--rule", f"{oid}=mungkin:entah"])
    assert bad.exit_code == 2 and "harus ID=terima:alasan" in bad.output
    ok = runner.invoke(app, [*base, "--rule", f"{oid}=terima:Surat tugas sah"])
    assert ok.exit_code == 0, ok.output
    with session_scope(cli_env) as s:
        ruling = dec.get_by_key(s, f"objection:{PERIOD}:DINAS:{travel}:{oid}")
        assert ruling is not None and ruling.value == "accepted"
        assert (ruling.actor, ruling.actor_role, ruling.channel) == (
            "operator BKD",
            "bkd_operator",
            "cli",
        )


def test_pending_lists_the_runs_rerun_after_a_crash(cli_env: Engine) -> None:
    from datetime import datetime

    from kinerja.db.audit import record_event
    from kinerja.runs.recovery import RECOVERED

    with session_scope(cli_env) as s:
        record_event(
            s, actor="sweeper", action=RECOVERED, period=PERIOD, scope_code="DISHUB",
            detail={"flow_run_id": "f-1", "name": f"review-{PERIOD}-DISHUB", "was": "RUNNING",
                    "reason": "process bkd-1:4242 is gone"},
            at=datetime(2025, 11, 4, 9, 30),
        )  # fmt: skip
    out = CliRunner().invoke(app, ["pending", "--period", PERIOD])
    assert out.exit_code == 0, out.output
    assert (
        f"recovered 2025-11-04 09:30 UTC  review-{PERIOD}-DISHUB "
        "(process bkd-1:4242 is gone; rerun by sweeper)"
    ) in out.output
    assert "recovered" not in CliRunner().invoke(app, ["pending", "--period", "2025-09"]).output
