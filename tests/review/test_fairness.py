"""Fair to the person named, through the review service on a real database: a head is decided
by their superior, never by themself; an acting head decides as such; the defender never gives
the verdict; an accepted data objection corrects the row, rescores, and blocks publication."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from kinerja.db import decisions as dec
from kinerja.db import reviews
from kinerja.db.models import (
    AttendanceRecord,
    AuditEvent,
    DataCorrection,
    DataObjection,
    Evidence,
    Opd,
    RowChange,
    Score,
)
from kinerja.db.session import session_scope
from kinerja.domain import DecisionKind, utcnow
from kinerja.portal.people import issue_refusal
from kinerja.review import service as svc
from kinerja.review.corrections import ObjectionInput
from kinerja.review.deciders import decider_of
from kinerja.review.evidence import Upload, evidence_root
from kinerja.review.logic import Refused, close_defence_if_due
from kinerja.settings import get_settings
from tests.factories import MonthBuilder
from tests.review.month import province, store_month

PERIOD = "2025-10"
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\n%%EOF\n"


@pytest.fixture
def settings_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("KINERJA_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("KINERJA_OUT_DIR", str(tmp_path / "out"))
    monkeypatch.setenv("KINERJA_NOTIFICATION_CHANNELS", '["file"]')
    monkeypatch.setenv("KINERJA_PORTAL_SECRET", "fairness-test-secret-1f2e3d")
    monkeypatch.setenv("KINERJA_POLICY", "jabar")
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


@pytest.fixture
def people(engine: Engine, settings_dir: Path) -> dict[str, str]:
    mb = MonthBuilder()
    who = province(mb)
    store_month(engine, mb)
    return who


def _values(engine: Engine, scope: str, kind: str) -> dict[str | None, str]:
    with session_scope(engine) as s:
        return {n: d.value for n, d in dec.effective(s, PERIOD, scope, kind).items()}


def test_a_head_is_assessed_in_the_review_the_sekda_decides(
    engine: Engine, people: dict[str, str]
) -> None:
    head, sekda = people["head"], people["sekda"]
    with session_scope(engine) as s:
        assert head not in svc.review_state(engine, PERIOD, "DINAS").candidates
        assert svc.review_state(engine, PERIOD, "PIMPINAN").candidates == [head]
        review = reviews.require_review(s, PERIOD, "PIMPINAN")
        assert review.scope_kind == "heads"
        who = decider_of(s, "PIMPINAN")
        assert (who.nip, who.title, who.role) == (sekda, "Sekretaris Daerah", "sekda")
        # links: the head gets no selection link for their own case; the Sekda does
        assert issue_refusal(
            s, period=PERIOD, scope_code="PIMPINAN", purpose="selection", person_nip=head
        )
        assert (
            issue_refusal(
                s, period=PERIOD, scope_code="PIMPINAN", purpose="selection", person_nip=sekda
            )
            is None
        )
        assert decider_of(s, "DINAS").nip == head  # the head still decides their own OPD
    svc.submit_selection(
        engine, PERIOD, "PIMPINAN", sekda, {head: (True, "Enam hari tanpa keterangan")}, "portal"
    )
    with session_scope(engine) as s:
        sel = dec.effective(s, PERIOD, "PIMPINAN", DecisionKind.SELECTION)[head]
        assert (sel.actor, sel.actor_role) == (sekda, "sekda")
        assert sel.payload["decider"]["nip"] == sekda


def test_an_acting_head_decides_and_is_recorded_as_acting(
    engine: Engine, settings_dir: Path
) -> None:
    mb = MonthBuilder()
    mb.good_employee(opd="SETDA", level="eselon_i")
    plt = mb.good_employee(opd="BADAN", level="eselon_iii", job_title="Plt. Kepala Badan")
    weak = mb.employee(opd="BADAN", supervisor=plt)
    mb.full_attendance(weak, absent_days=4)
    mb.full_activities(weak, main_ratio=0.3)
    mb.rate_360(weak)
    store_month(engine, mb)
    with session_scope(engine) as s:
        opd = s.get(Opd, "BADAN")
        assert opd is not None and opd.head_nip == plt and opd.head_acting
        assert decider_of(s, "BADAN").title == "Plt. Kepala Dinas BADAN"
    svc.submit_selection(engine, PERIOD, "BADAN", plt, {weak: (True, "Empat hari absen")}, "portal")
    with session_scope(engine) as s:
        sel = dec.effective(s, PERIOD, "BADAN", DecisionKind.SELECTION)[weak]
        assert sel.actor_role == "acting_head_of_opd" and sel.payload["decider"]["acting"]


def test_a_head_who_became_a_candidate_cannot_decide(
    engine: Engine, people: dict[str, str]
) -> None:
    """The register changed after the proposal: the new head is a candidate of this review."""
    with session_scope(engine) as s:
        opd = s.get(Opd, "DINAS")
        assert opd is not None
        opd.head_nip = people["weak"]
    with pytest.raises(Refused, match="tidak seorang pun memutus perkaranya sendiri"):
        svc.submit_selection(engine, PERIOD, "DINAS", people["weak"], {}, "portal")
    with session_scope(engine) as s:
        why = issue_refusal(
            s, period=PERIOD, scope_code="DINAS", purpose="selection", person_nip=people["weak"]
        )
        assert why is not None and "tidak dapat memutusnya" in why
    assert _values(engine, "DINAS", "selection") == {}


def _defend(engine: Engine, people: dict[str, str], **kwargs: object) -> None:
    head, travel = people["head"], people["travel"]
    svc.submit_selection(
        engine, PERIOD, "DINAS", head,
        {travel: (True, "Tiga hari tanpa keterangan"), people["weak"]: (False, "Sedang dibina")},
        "portal",
    )  # fmt: skip
    svc.submit_defence(
        engine, PERIOD, "DINAS", travel, travel, "Tiga hari itu saya dinas luar ke Garut.",
        "portal", **kwargs,  # type: ignore[arg-type]
    )  # fmt: skip


def test_the_defender_never_gives_the_verdict(engine: Engine, people: dict[str, str]) -> None:
    _defend(engine, people)
    travel = people["travel"]
    with pytest.raises(Refused, match="tidak dapat diberikan oleh pegawai yang membela diri"):
        svc.submit_verdict(engine, PERIOD, "DINAS", travel, travel, True, "Saya benar", "portal")
    assert _values(engine, "DINAS", "verdict") == {}


def test_an_accepted_objection_corrects_the_row_rescores_and_blocks_publication(
    engine: Engine, people: dict[str, str], settings_dir: Path
) -> None:
    travel, head = people["travel"], people["head"]
    with session_scope(engine) as s:
        absent = sorted(
            r.work_date.isoformat()
            for r in s.scalars(
                select(AttendanceRecord).where(
                    AttendanceRecord.nip == travel, AttendanceRecord.status == "absent"
                )
            )
        )
        before = s.get(Score, (PERIOD, travel))
        assert before is not None and before.composite == 74.3
    assert len(absent) == 3
    objections = [
        ObjectionInput("attendance_day", day, "official_travel", "Surat tugas ke Garut")
        for day in absent
    ]
    _defend(
        engine,
        people,
        evidence=[Upload("surat-tugas.pdf", PDF)],
        objections=objections,
    )
    with session_scope(engine) as s:
        stored = s.scalars(select(Evidence)).one()
        ids = [o.id for o in s.scalars(select(DataObjection).order_by(DataObjection.id))]
        assert (stored.media_type, stored.size, stored.nip) == ("application/pdf", len(PDF), travel)
        path = evidence_root() / stored.stored_as
        assert path.read_bytes() == PDF and (path.stat().st_mode & 0o777) == 0o600
        assert not str(path).startswith(str(settings_dir / "out"))  # never under the outputs
    # the verdict must rule on every objection
    with pytest.raises(Refused, match="belum diputus"):
        svc.submit_verdict(engine, PERIOD, "DINAS", travel, head, False, "Tetap", "portal")
    rulings = {ids[0]: (True, "Surat tugas sah"), ids[1]: (True, "Surat tugas sah")}
    rulings[ids[2]] = (False, "Tanggal ini tidak ada dalam surat tugas")
    svc.submit_verdict(
        engine, PERIOD, "DINAS", travel, head, False, "Pembelaan lain tidak beralasan", "portal",
        rulings=rulings,
    )  # fmt: skip
    with session_scope(engine) as s:
        days = {
            r.work_date.isoformat(): r.status
            for r in s.scalars(select(AttendanceRecord).where(AttendanceRecord.nip == travel))
        }
        assert [days[d] for d in absent] == ["official_travel", "official_travel", "absent"]
        fixes = list(s.scalars(select(DataCorrection).order_by(DataCorrection.id)))
        assert [f.objection_id for f in fixes] == ids[:2]
        assert fixes[0].before == {"status": "absent", "check_in": None, "check_out": None}
        assert fixes[0].after["status"] == "official_travel" and fixes[0].actor == head
        assert len(list(s.scalars(select(RowChange)))) == 2
        ruled = {
            d.payload["objection_id"]: (d.value, d.reason, d.actor)
            for d in s.scalars(
                select(dec.Decision).where(dec.Decision.kind == DecisionKind.OBJECTION)
            )
        }
        assert ruled[ids[2]] == ("rejected", "Tanggal ini tidak ada dalam surat tugas", head)
        rescore = dec.effective(s, PERIOD, "DINAS", DecisionKind.RESCORE)[travel]
        assert rescore.payload["before"]["composite"] == 74.3
        after = rescore.payload["after"]["composite"]
        assert after > 75 and not rescore.payload["publishable"]
        assert s.get(Score, (PERIOD, travel)).composite == after  # type: ignore[union-attr]
        actions = {a for (a,) in s.execute(select(AuditEvent.action))}
        assert {"submit_selection", "submit_defence", "submit_verdict"} <= actions
        defence_audit = s.scalars(
            select(AuditEvent).where(AuditEvent.action == "submit_defence")
        ).one()
        assert defence_audit.detail["evidence"][0]["sha256"] == stored.sha256
        review = reviews.require_review(s, PERIOD, "DINAS")
        close_defence_if_due(s, review, utcnow())
        outcome = dec.effective(s, PERIOD, "DINAS", DecisionKind.OUTCOME)[travel]
        # the head rejected the defence, but the corrected score is above the floor
        assert outcome.value == "not_published"
        assert outcome.payload["case"] == "rescored_above_floor"


def test_an_exe_renamed_pdf_is_refused_and_nothing_is_recorded(
    engine: Engine, people: dict[str, str]
) -> None:
    head, travel = people["head"], people["travel"]
    svc.submit_selection(engine, PERIOD, "DINAS", head, {travel: (True, "Absen")}, "portal")
    with pytest.raises(Refused, match="bukan PDF, JPEG atau PNG menurut isinya"):
        svc.submit_defence(
            engine, PERIOD, "DINAS", travel, travel, "Bukti terlampir di berkas ini.", "portal",
            evidence=[Upload("surat.pdf", b"MZ\x90\x00\x03" + b"\x00" * 100)],
        )  # fmt: skip
    assert _values(engine, "DINAS", "defence") == {}
    with session_scope(engine) as s:
        assert not list(s.scalars(select(Evidence)))
    assert not evidence_root().exists() or not any(evidence_root().rglob("*.*"))


def test_an_objection_on_someone_elses_row_is_refused(
    engine: Engine, people: dict[str, str]
) -> None:
    head, travel = people["head"], people["travel"]
    svc.submit_selection(engine, PERIOD, "DINAS", head, {travel: (True, "Absen")}, "portal")
    with session_scope(engine) as s:
        other = s.scalars(
            select(AttendanceRecord).where(AttendanceRecord.nip == people["strong"])
        ).first()
        assert other is not None
        wrong_day = date(2025, 10, 4).isoformat()  # a Saturday: no row
    with pytest.raises(Refused, match="tidak ada catatan kehadiran Anda"):
        svc.submit_defence(
            engine, PERIOD, "DINAS", travel, travel, "Data saya keliru pada hari itu.", "portal",
            objections=[ObjectionInput("attendance_day", wrong_day, "present", "Saya masuk")],
        )  # fmt: skip
    assert _values(engine, "DINAS", "defence") == {}
