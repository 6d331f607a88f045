"""produce_month_outputs on a demo-like month: drafts, approval, outbox, letters, coaching."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from kinerja.db import drafts as draft_store
from kinerja.db.models import CoachingAssignment, Decision, Draft, Employee, Notification
from kinerja.outputs.month import produce_month_outputs
from kinerja.rules.calendar import is_working_day
from kinerja.rules.policy import Policy
from kinerja.settings import Settings
from tests.outputs.factories import decide, standard_month


def _drafts(session: Session, purpose: str = "announcement") -> list[Draft]:
    return [d for d in draft_store.list_drafts(session, "2025-10") if d.purpose == purpose]


def test_drafts_only_for_published_people(
    session: Session, policy: Policy, out_dir: Path, settings: Settings
) -> None:
    world = standard_month(session, policy)
    report = produce_month_outputs(session, "2025-10", policy, out_dir, settings=settings)
    published = {world.nip("DISHUB", 1), world.nip("DINKES", 1)}
    assert set(report.published) == published
    drafts = _drafts(session)
    assert {n for d in drafts for n in d.nips} == published
    # Per OPD (jabar) or per rumpun (banten-sikap): DISHUB and DINKES are in different rumpun.
    assert len(drafts) == 2 * 3
    assert {d.scope_kind for d in drafts} == {policy.publication.per}
    assert {d.fmt for d in drafts} == {"caption", "x_post", "press_release"}
    accepted, not_selected = world.nip("DISHUB", 2), world.nip("DISHUB", 3)
    for d in drafts:
        assert d.status == "draft"
        for nip in (accepted, not_selected):
            assert nip not in d.nips
    # Names of people whose defence was accepted or who were never confirmed never appear.
    bodies = "\n".join(d.body for d in drafts)
    for nip in (accepted, not_selected):
        assert session.get(Employee, nip).name not in bodies  # type: ignore[union-attr]
    for nip in published:
        assert session.get(Employee, nip).name in bodies  # type: ignore[union-attr]


def test_drafts_say_only_what_policy_allows(
    session: Session, policy: Policy, out_dir: Path, settings: Settings
) -> None:
    world = standard_month(session, policy)
    produce_month_outputs(session, "2025-10", policy, out_dir, settings=settings)
    bodies = "\n".join(d.body for d in _drafts(session))
    assert "Analis Kebijakan" in bodies  # position
    assert "Dinas Perhubungan" in bodies  # OPD
    assert world.nip("DISHUB", 1) not in bodies  # NIP is not in the default fields
    # Never scores, questionnaire answers, health or defence reasons.
    for secret in ("49,0", "49.0", "Sedang cuti melahirkan", "dinas luar, bukti", "komposit"):
        assert secret not in bodies
    assert "pendampingan" in bodies.lower()  # the coaching that follows

    # A policy that allows only the name: position and OPD go.
    narrow = policy.model_copy(
        update={"publication": policy.publication.model_copy(update={"fields": ["name"]})}
    )
    produce_month_outputs(session, "2025-10", narrow, out_dir, settings=settings)
    captions = [d for d in _drafts(session) if d.fmt == "caption"]
    assert captions and all("Analis Kebijakan" not in d.body for d in captions)
    assert all(d.status == "draft" for d in captions)


def test_inconsistent_outcome_is_left_out(
    session: Session, policy: Policy, out_dir: Path, settings: Settings
) -> None:
    world = standard_month(session, policy)
    never_confirmed = world.nip("BAPPEDA", 1)
    accepted = world.nip("DISHUB", 2)
    # Wrong rows: "published" with no selection, and "published" after an accepted defence.
    decide(session, "2025-10", "BAPPEDA", never_confirmed, "outcome", "published")
    old = session.scalars(
        select(Decision).where(Decision.nip == accepted, Decision.kind == "outcome")
    ).one()
    decide(
        session,
        "2025-10",
        "DISHUB",
        accepted,
        "outcome",
        "published",
        supersedes=old,
        reason="salah input",
    )
    session.commit()
    report = produce_month_outputs(session, "2025-10", policy, out_dir, settings=settings)
    assert never_confirmed in report.left_out and accepted in report.left_out
    nips = {n for d in _drafts(session) for n in d.nips}
    assert never_confirmed not in nips and accepted not in nips
    assert not session.scalars(
        select(CoachingAssignment).where(CoachingAssignment.nip.in_([never_confirmed, accepted]))
    ).all()


def test_only_approved_drafts_reach_the_outbox(
    session: Session, policy: Policy, out_dir: Path, settings: Settings
) -> None:
    world = standard_month(session, policy)
    report = produce_month_outputs(session, "2025-10", policy, out_dir, settings=settings)
    outbox = out_dir / "2025-10" / "announcements"
    assert sorted(p.name for p in outbox.iterdir()) == ["manifest.json"]
    manifest = json.loads((outbox / "manifest.json").read_text(encoding="utf-8"))
    assert {d["status"] for d in manifest["drafts"]} == {"draft"}
    assert report.outbox_files == []

    caption = next(
        d for d in _drafts(session) if d.fmt == "caption" and world.nip("DISHUB", 1) in d.nips
    )
    x_post = next(d for d in _drafts(session) if d.fmt == "x_post" and d.nips == caption.nips)
    with pytest.raises(draft_store.DraftError, match="tidak boleh memutus"):
        draft_store.decide(
            session, caption.id, approve=True, actor="x", actor_role="employee", reason=""
        )
    with pytest.raises(draft_store.DraftError, match="wajib disertai alasan"):
        draft_store.decide(
            session, x_post.id, approve=False, actor="Humas", actor_role="bkd", reason=" "
        )
    draft_store.decide(
        session,
        caption.id,
        approve=True,
        actor="Rani (Humas)",
        actor_role="communications",
        reason="Sesuai kebijakan",
    )
    draft_store.decide(
        session,
        x_post.id,
        approve=False,
        actor="Rani (Humas)",
        actor_role="communications",
        reason="Tunggu siaran pers",
    )
    session.commit()
    report = produce_month_outputs(session, "2025-10", policy, out_dir, settings=settings)
    files = sorted(p.name for p in outbox.iterdir())
    assert len(files) == 2 and "manifest.json" in files
    (written,) = report.outbox_files
    assert written.read_text(encoding="utf-8") == caption.body
    manifest = json.loads((outbox / "manifest.json").read_text(encoding="utf-8"))
    by_id = {d["id"]: d for d in manifest["drafts"]}
    assert by_id[caption.id]["status"] == "approved"
    assert by_id[caption.id]["decided_by"] == "Rani (Humas)"
    assert by_id[caption.id]["file"] == written.name
    assert by_id[x_post.id]["status"] == "rejected" and by_id[x_post.id]["file"] is None
    assert by_id[x_post.id]["reason"] == "Tunggu siaran pers"
    # Who, when, why: stored as a publication decision too.
    pubs = session.scalars(select(Decision).where(Decision.kind == "publication")).all()
    assert {(d.value, d.actor, d.reason) for d in pubs} == {
        ("approved", "Rani (Humas)", "Sesuai kebijakan"),
        ("rejected", "Rani (Humas)", "Tunggu siaran pers"),
    }

    # A correction un-publishes the person: the draft is withdrawn and leaves the outbox.
    nip = world.nip("DISHUB", 1)
    old = session.scalars(
        select(Decision).where(Decision.nip == nip, Decision.kind == "outcome")
    ).one()
    decide(
        session,
        "2025-10",
        "DISHUB",
        nip,
        "outcome",
        "not_published",
        supersedes=old,
        reason="Koreksi data K-Mob",
        actor="bkd",
        actor_role="bkd",
    )
    session.commit()
    produce_month_outputs(session, "2025-10", policy, out_dir, settings=settings)
    session.refresh(caption)
    assert caption.status == "withdrawn"
    assert sorted(p.name for p in outbox.iterdir()) == ["manifest.json"]


def test_rerun_changes_nothing(
    session: Session, policy: Policy, out_dir: Path, settings: Settings
) -> None:
    standard_month(session, policy)
    first = produce_month_outputs(session, "2025-10", policy, out_dir, settings=settings)
    ids = sorted(d.id for d in draft_store.list_drafts(session, "2025-10"))
    draft_store.decide(session, ids[0], approve=True, actor="BKD", actor_role="bkd", reason="ok")
    session.commit()
    second = produce_month_outputs(session, "2025-10", policy, out_dir, settings=settings)
    assert sorted(d.id for d in draft_store.list_drafts(session, "2025-10")) == ids
    assert session.get(Draft, ids[0]).status == "approved"  # type: ignore[union-attr]
    assert len(second.outbox_files) == 1
    assert first.coached == second.coached
    assert len(session.scalars(select(CoachingAssignment)).all()) == len(first.coached)
    # Coaches were told once; drafts_ready went to communications once, and once more after
    # the pending set changed.
    rows = session.scalars(select(Notification).order_by(Notification.id)).all()
    assert [r.event_key.split(":")[0] for r in rows] == [
        "coaching_assigned",
        "coaching_assigned",
        "drafts_ready",
        "drafts_ready",
    ]
    assert all(r.status == "sent" for r in rows)
    third = produce_month_outputs(session, "2025-10", policy, out_dir, settings=settings)
    assert third.notifications == {"sent": 3}  # the same rows, not new sends
    assert len(session.scalars(select(Notification)).all()) == 4


def test_recognition_for_the_best_per_opd(
    session: Session, policy: Policy, out_dir: Path, settings: Settings
) -> None:
    world = standard_month(session, policy)
    report = produce_month_outputs(session, "2025-10", policy, out_dir, settings=settings)
    # The heads have the highest composites (85+); one per OPD by default.
    assert sorted(report.recognised) == sorted(world.heads.values())
    drafts = _drafts(session, "recognition")
    assert len(drafts) == 3 * 3 and {d.scope_kind for d in drafts} == {"opd"}
    assert all(
        "Selamat" in d.body or "APRESIASI" in d.body or "apresiasi" in d.body for d in drafts
    )


def test_letters_for_everyone_concerned(
    session: Session, policy: Policy, out_dir: Path, settings: Settings
) -> None:
    world = standard_month(session, policy)
    produce_month_outputs(session, "2025-10", policy, out_dir, settings=settings)
    letters = out_dir / "2025-10" / "letters"
    concerned = {world.nip("DISHUB", 1), world.nip("DISHUB", 2), world.nip("DINKES", 1)}
    assert {p.name for p in letters.iterdir()} == concerned
    published = letters / world.nip("DISHUB", 1)
    assert {p.name for p in published.iterdir()} == {
        "peringatan.html",
        "peringatan.txt",
        "keputusan.html",
        "keputusan.txt",
    }
    warning = (published / "peringatan.txt").read_text(encoding="utf-8")
    assert "Kehadiran" in warning and "57,0" in warning  # the indicator values that led to it
    assert "Senin, 17 November 2025 pukul 16.00 WIB" in warning  # how and by when to respond
    assert "Kehadiran dan capaian kegiatan rendah" in warning  # the head's reason
    outcome = (published / "keputusan.html").read_text(encoding="utf-8")
    assert "dimuat dalam pengumuman" in outcome and "Pendampingan bulan November 2025" in outcome
    assert "TIDAK ADA PEMBELAAN" in (published / "keputusan.txt").read_text(encoding="utf-8")
    accepted = (letters / world.nip("DISHUB", 2) / "keputusan.txt").read_text(encoding="utf-8")
    assert "tidak diumumkan" in accepted and "PEMBELAAN SAUDARA DITERIMA" in accepted
    assert "Alasan putusan: Bukti dinas luar sah" in accepted  # the head's words, verbatim
    rejected = (letters / world.nip("DINKES", 1) / "keputusan.txt").read_text(encoding="utf-8")
    assert "PEMBELAAN SAUDARA DITOLAK" in rejected and "Alasan putusan: Bukti tidak sah" in rejected
    # the candidate the head did not select gets no letter at all
    assert not (letters / world.nip("DISHUB", 3)).exists()


def test_coaching_for_next_month(
    session: Session, policy: Policy, out_dir: Path, settings: Settings
) -> None:
    world = standard_month(session, policy)
    produce_month_outputs(session, "2025-10", policy, out_dir, settings=settings)
    rows = {a.nip: a for a in session.scalars(select(CoachingAssignment))}
    assert set(rows) == {world.nip("DISHUB", 1), world.nip("DINKES", 1)}
    a = rows[world.nip("DISHUB", 1)]
    assert a.period == "2025-11" and a.source_period == "2025-10"
    assert a.coach_role == "supervisor" and a.coach_nip == world.heads["DISHUB"]
    from datetime import date

    days = [date.fromisoformat(d) for d in a.checkin_dates]
    assert len(days) == policy.coaching.checkins
    assert all(
        d.strftime("%Y-%m") == "2025-11" and is_working_day(d, policy.calendar) for d in days
    )
    # Goals on the low indicators: every indicator of the lowest person is under the median.
    assert {g["indicator"] for g in a.goals} == {"kinerja", "kehadiran", "perilaku"}
    for g in a.goals:
        assert g["target"] >= g["baseline"] + policy.coaching.improvement_threshold
    assert a.baseline["composite"] == 49.0
    # The coach (the head, as direct supervisor) is told whom, what and when.
    note = session.scalars(
        select(Notification).where(Notification.recipient == world.heads["DISHUB"])
    ).one()
    assert note.recipient_role == "coach" and note.status == "sent"
    assert "Siti Nurhaliza 01" in note.body and "Selasa, 11 November 2025" in note.body


def test_repeated_case_gets_the_repeat_coach(
    session: Session, policy: Policy, out_dir: Path, settings: Settings
) -> None:
    world = standard_month(session, policy)
    nip = world.nip("DISHUB", 1)
    decide(session, "2025-09", "DISHUB", nip, "selection", "selected")
    decide(session, "2025-09", "DISHUB", nip, "outcome", "published")
    session.commit()
    produce_month_outputs(session, "2025-10", policy, out_dir, settings=settings)
    a = session.scalars(select(CoachingAssignment).where(CoachingAssignment.nip == nip)).one()
    assert a.coach_role == policy.coaching.repeat_coach == "sekda"
    assert a.coach_nip is None
    letter = (out_dir / "2025-10" / "letters" / nip / "keputusan.txt").read_text("utf-8")
    assert "Sekretaris Daerah" in letter


def test_recap_files(session: Session, policy: Policy, out_dir: Path, settings: Settings) -> None:
    standard_month(session, policy)
    report = produce_month_outputs(session, "2025-10", policy, out_dir, settings=settings)
    assert report.recap is not None
    wb = load_workbook(report.recap.xlsx)
    assert wb.sheetnames[:6] == [
        "Ringkasan",
        "Sebaran",
        "Kategori",
        "Keputusan",
        "Kualitas data",
        "Tren",
    ]
    summary = {row[1]: row for row in wb["Ringkasan"].iter_rows(min_row=2, values_only=True)}
    assert summary["DISHUB"][5] == 6 and summary["DISHUB"][13] == 1
    assert summary["BAPPEDA"][3] == "tidak"
    quality = {row[0]: row for row in wb["Kualitas data"].iter_rows(min_row=2, values_only=True)}
    assert quality["Dinas Perhubungan"][3] == 2
    assert quality["Seluruh perangkat daerah"][3] == 3
    html = report.recap.html.read_text(encoding="utf-8")
    assert html.count("<svg") >= 5  # total + 3 OPDs + trend (+ band bars)
    assert "http://" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "<script" not in html
    tables = report.recap.tables
    assert set(tables) == {
        "ringkasan",
        "kategori",
        "usulan",
        "keputusan",
        "tidak-diumumkan",
        "kualitas-data",
        "pendampingan",
        "draf",
    }
    assert "| Dinas Perhubungan |" in tables["ringkasan"]
    # every candidate with the head's reason verbatim, the unselected one included
    assert "Sedang cuti melahirkan" in tables["usulan"]
    assert "Sedang cuti melahirkan" in html
    assert [c.value for c in wb["Kandidat"][1]][:3] == ["Tinjauan", "NIP", "Nama"]


def test_recap_summary_headers_have_one_definition(
    session: Session, policy: Policy, out_dir: Path, settings: Settings
) -> None:
    from kinerja.outputs.recap import SUMMARY_COLUMNS, SUMMARY_MARKDOWN, summary_headers

    standard_month(session, policy)
    report = produce_month_outputs(session, "2025-10", policy, out_dir, settings=settings)
    assert report.recap is not None
    excel = [c.value for c in load_workbook(report.recap.xlsx)["Ringkasan"][1]]
    assert excel == [h for _, h in SUMMARY_COLUMNS]
    header = report.recap.tables["ringkasan"].splitlines()[2]
    assert header == "| " + " | ".join(summary_headers(SUMMARY_MARKDOWN)) + " |"
    # Markdown shows a subset of the Excel columns, in the same order.
    cells = [c.strip() for c in header.strip("|").split("|")]
    assert [h for h in excel if h in cells] == cells


def test_a_candidate_not_selected_gets_a_neutral_note_only_when_the_policy_says_so(
    session: Session, policy: Policy, out_dir: Path, settings: Settings
) -> None:
    world = standard_month(session, policy)
    noted = policy.model_copy(
        update={"letters": policy.letters.model_copy(update={"not_selected_note": True})}
    )
    produce_month_outputs(session, "2025-10", noted, out_dir, settings=settings)
    folder = out_dir / "2025-10" / "letters" / world.nip("DISHUB", 3)
    assert {p.name for p in folder.iterdir()} == {"catatan_pembinaan.html", "catatan_pembinaan.txt"}
    note = (folder / "catatan_pembinaan.txt").read_text(encoding="utf-8")
    assert "bukan peringatan dan tidak diikuti pengumuman" in note
    assert "Sedang cuti melahirkan" not in note  # the head's reasons about them stay with BKD
    assert "perlu ditingkatkan" in note or "memadai" in note
