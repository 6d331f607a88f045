"""The defence page takes evidence and data objections; the verdict rules on each objection;
evidence is checked from its content and shown only to the decider and BKD."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import Engine, select

from kinerja.db import decisions as dec
from kinerja.db.models import AttendanceRecord, AuditEvent, DataObjection, Evidence, Score
from kinerja.db.session import session_scope
from kinerja.portal.app import create_app
from kinerja.settings import Settings, get_settings
from tests.portal.conftest import IssueLink
from tests.portal.helpers import csrf_of, decision_count, used_links
from tests.portal.world import World, build_world

PERIOD = "2025-10"
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200


@pytest.fixture
def portal_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Settings]:
    """The app's settings and the service's (read from the environment) agree on the folders."""
    monkeypatch.setenv("KINERJA_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("KINERJA_OUT_DIR", str(tmp_path / "out"))
    monkeypatch.setenv("KINERJA_PORTAL_SECRET", "test-portal-secret-0123456789")
    monkeypatch.setenv("KINERJA_NOTIFICATION_CHANNELS", '["file"]')
    monkeypatch.setenv("KINERJA_EVIDENCE_MAX_TOTAL_MB", "1")
    get_settings.cache_clear()
    yield Settings(
        portal_secret=SecretStr("test-portal-secret-0123456789"),
        portal_base_url="http://testserver",
        link_ttl_hours=48,
        var_dir=tmp_path / "var",
        evidence_max_total_mb=1,
    )
    get_settings.cache_clear()


@pytest.fixture
def world(engine: Engine) -> World:
    return build_world(engine, travel=True)


@pytest.fixture
def client(engine: Engine, portal_settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(engine, portal_settings)) as c:
        yield c


def _absent_days(engine: Engine, nip: str) -> list[str]:
    with session_scope(engine) as s:
        return sorted(
            r.work_date.isoformat()
            for r in s.scalars(
                select(AttendanceRecord).where(
                    AttendanceRecord.nip == nip, AttendanceRecord.status == "absent"
                )
            )
        )


def _selected(client: TestClient, issue: IssueLink, world: World) -> str:
    (nip,) = world.candidates["DINAS-C"]
    url = issue("selection", "DINAS-C", world.heads["DINAS-C"])
    form = {"csrf": csrf_of(client.get(url).text), f"choice_{nip}": "ya", "step": "confirm"}
    form[f"reason_{nip}"] = "Tiga hari tanpa keterangan"
    assert client.post(url, data=form).status_code == 200
    return nip


def _defence_form(page: str, day: str) -> dict[str, str]:
    return {
        "csrf": csrf_of(page),
        "defence": "Pada tanggal itu saya dinas luar; surat tugas terlampir.",
        f"obj_att_{day}": "ya",
        f"claim_att_{day}": "official_travel",
        f"note_att_{day}": "Surat tugas nomor 12/2025",
    }


def test_an_exe_renamed_pdf_is_refused_and_the_link_stays_usable(
    client: TestClient, issue: IssueLink, world: World, engine: Engine
) -> None:
    nip = _selected(client, issue, world)
    url = issue("defence", "DINAS-C", nip)
    page = client.get(url).text
    assert 'enctype="multipart/form-data"' in page and 'name="bukti"' in page
    day = _absent_days(engine, nip)[0]
    assert f'name="obj_att_{day}"' in page
    before = decision_count(engine)
    r = client.post(
        url,
        data=_defence_form(page, day),
        files=[("bukti", ("surat_tugas.pdf", EXE, "application/pdf"))],
    )
    assert r.status_code == 422
    assert "surat_tugas.pdf bukan PDF, JPEG atau PNG menurut isinya" in r.text
    assert decision_count(engine) == before and used_links(engine) == 1  # only the selection
    with session_scope(engine) as s:
        assert not list(s.scalars(select(Evidence))) and not list(s.scalars(select(DataObjection)))


def test_a_body_past_the_limits_is_refused_before_it_is_read(
    client: TestClient, issue: IssueLink, world: World, engine: Engine
) -> None:
    nip = _selected(client, issue, world)
    url = issue("defence", "DINAS-C", nip)
    page = client.get(url).text
    big = PDF + b"0" * (2 * 1024 * 1024)
    r = client.post(url, data={"csrf": csrf_of(page)}, files=[("bukti", ("a.pdf", big, "x/y"))])
    assert r.status_code == 413 and "Kiriman terlalu besar" in r.text
    png = b"\x89PNG\r\n\x1a\n"
    many = [("bukti", (f"{i}.png", png + bytes([i]), "image/png")) for i in range(6)]
    r = client.post(url, data={"csrf": csrf_of(page)}, files=many)
    assert r.status_code == 413  # more files than the limit (5)
    assert decision_count(engine) == 1 * len(world.candidates["DINAS-C"])


def test_evidence_and_an_objection_reach_the_verdict_and_only_the_decider_and_bkd_see_the_file(
    client: TestClient, issue: IssueLink, world: World, engine: Engine
) -> None:
    nip = _selected(client, issue, world)
    head = world.heads["DINAS-C"]
    day = _absent_days(engine, nip)[0]
    url = issue("defence", "DINAS-C", nip)
    page = client.get(url).text
    r = client.post(
        url,
        data=_defence_form(page, day),
        files=[("bukti", ("surat tugas.pdf", PDF, "application/pdf"))],
    )
    assert r.status_code == 200 and "1 berkas bukti" in r.text and "1 keberatan" in r.text
    with session_scope(engine) as s:
        ev = s.scalars(select(Evidence)).one()
        obj = s.scalars(select(DataObjection)).one()
        assert (ev.filename, ev.media_type, ev.nip) == ("surat tugas.pdf", "application/pdf", nip)
        assert (obj.kind, obj.row_ref, obj.claim) == ("attendance_day", day, "official_travel")
        evidence_id, objection_id = ev.id, obj.id
    # the employee sees their files listed, never served
    own = client.get(issue("defence", "DINAS-C", nip)).text
    assert "surat tugas.pdf" in own and "/bukti/" not in own
    verdict_url = issue("verdict", "DINAS-C", head)
    verdict = client.get(verdict_url).text
    assert f'id="objection-{objection_id}"' in verdict and "Surat tugas nomor 12/2025" in verdict
    file = client.get(f"{verdict_url}/bukti/{evidence_id}")
    assert file.status_code == 200 and file.content == PDF
    assert file.headers["content-type"] == "application/pdf"
    assert file.headers["content-disposition"].startswith("attachment")
    # the employee's own link and another OPD's head cannot open it
    assert client.get(f"{url}/bukti/{evidence_id}").status_code in (403, 410)
    other = issue("verdict", "DINAS-A", world.heads["DINAS-A"])
    assert client.get(f"{other}/bukti/{evidence_id}").status_code == 403
    bkd = issue("overview", "*", "bkd-operator")
    assert f"bukti/{evidence_id}" in client.get(bkd).text
    assert client.get(f"{bkd}/bukti/{evidence_id}").content == PDF
    with session_scope(engine) as s:
        views = s.scalars(select(AuditEvent).where(AuditEvent.action == "view_evidence")).all()
        assert [v.actor for v in views] == [head, "bkd-operator"]
        assert {v.detail["sha256"] for v in views} == {ev.sha256}

    # the verdict must rule on the objection; accepting it corrects the day and rescores
    form = {"csrf": csrf_of(verdict), f"verdict_{nip}": "tolak", f"reason_{nip}": "Tidak cukup"}
    missing = client.post(verdict_url, data=form)
    assert missing.status_code == 422 and "untuk keberatan ini" in missing.text
    form |= {f"ruling_{objection_id}": "terima", f"ruling_reason_{objection_id}": "Surat tugas sah"}
    assert client.post(verdict_url, data=form).status_code == 200
    with session_scope(engine) as s:
        row = s.scalars(
            select(AttendanceRecord).where(
                AttendanceRecord.nip == nip, AttendanceRecord.work_date == date.fromisoformat(day)
            )
        ).one()
        assert row.status == "official_travel"
        rescore = dec.effective(s, PERIOD, "DINAS-C", "rescore")[nip]
        assert rescore.payload["before"]["composite"] == 74.3
        assert rescore.payload["after"]["composite"] > 75 and not rescore.payload["publishable"]
        score = s.get(Score, (PERIOD, nip))
        assert score is not None and score.composite > 75


def test_a_tampered_evidence_file_is_not_served(
    client: TestClient, issue: IssueLink, world: World, engine: Engine, portal_settings: Settings
) -> None:
    from kinerja.review.evidence import evidence_root

    nip = _selected(client, issue, world)
    url = issue("defence", "DINAS-C", nip)
    page = client.get(url).text
    form = {"csrf": csrf_of(page), "defence": "Surat tugas terlampir untuk hari itu."}
    assert client.post(url, data=form, files=[("bukti", ("st.pdf", PDF, "x/y"))]).status_code == 200
    with session_scope(engine) as s:
        ev = s.scalars(select(Evidence)).one()
        path, evidence_id = evidence_root(portal_settings) / ev.stored_as, ev.id
    path.write_bytes(PDF + b"changed")
    bkd = issue("overview", "*", "bkd-operator")
    r = client.get(f"{bkd}/bukti/{evidence_id}")
    assert r.status_code == 500 and "SHA-256 berbeda" in r.text and b"changed" not in r.content
    with session_scope(engine) as s:
        actions = [a for (a,) in s.execute(select(AuditEvent.action))]
        assert "evidence_unreadable" in actions and "view_evidence" not in actions
