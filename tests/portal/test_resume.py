"""The portal on real suspended review runs: a real Prefect API, the served deployments, the
links the flow sent in its notifications, the portal on a real socket, and a headless chromium.

The served-deployment fixtures and helpers are the flow tests' own (tests/served.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, select

from kinerja.db import decisions as dec
from kinerja.db.models import AuditEvent
from kinerja.db.session import make_engine, session_scope
from kinerja.domain import utcnow
from kinerja.portal.app import create_app
from kinerja.review.links import issue_link
from kinerja.runs.paused import PrefectPausedRuns
from kinerja.settings import get_settings
from tests.portal.helpers import csrf_of
from tests.portal.live import LivePortal, free_port, link_sent
from tests.portal.world import SECRET_SCORES, World, build_world
from tests.served import Server, paused_after, read_state, start_review, wait_for

pytestmark = pytest.mark.prefect

PERIOD = "2025-10"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "screenshots"
CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="module")
def portal_port() -> int:
    return free_port()


@pytest.fixture(scope="module")
def extra_flow_settings(portal_port: int) -> dict[str, str]:
    """The portal's settings on top of the flow tests': served runs issue links to our server."""
    return {
        "KINERJA_PORTAL_BASE_URL": f"http://127.0.0.1:{portal_port}",
        "KINERJA_PORTAL_SECRET": "e2e-portal-secret-4b1d7f0c9a",
    }


@pytest.fixture(scope="module")
def db(flow_settings: dict[str, str]) -> Iterator[Engine]:  # noqa: F811
    eng = make_engine(flow_settings["KINERJA_DATABASE_URL"])
    yield eng
    eng.dispose()


@pytest.fixture(scope="module")
def world(db: Engine) -> World:
    return build_world(db, PERIOD, travel=True)


@pytest.fixture(scope="module")
def portal(
    db: Engine,
    portal_port: int,
    flow_settings: dict[str, str],  # noqa: F811
) -> Iterator[str]:
    live = LivePortal(create_app(db, get_settings(), PrefectPausedRuns()), portal_port)
    live.start()
    yield live.url
    live.stop()


def _effective(db: Engine, scope: str, kind: str) -> dict[str | None, str]:
    with session_scope(db) as s:
        return {k: d.value for k, d in dec.effective(s, PERIOD, scope, kind).items()}


def _audited(db: Engine, action: str, scope: str) -> list[AuditEvent]:
    with session_scope(db) as s:
        return list(
            s.scalars(
                select(AuditEvent).where(
                    AuditEvent.action == action,
                    AuditEvent.scope_code == scope,
                    AuditEvent.link_id.is_not(None),
                )
            )
        )


def _suspended_again(run_id: str, before: Any, what: str) -> None:
    wait_for(run_id, paused_after(before), what=what)


def test_selection_defence_and_verdict_over_http_resume_the_run_to_its_outcome(
    server: Server,  # noqa: F811
    portal: str,
    world: World,
    db: Engine,
) -> None:
    scope = "DINAS-A"
    head = world.heads[scope]
    first, second, third = world.candidates[scope]
    run_id = start_review(PERIOD, scope)
    wait_for(run_id, lambda st: st.is_paused(), what="at the selection pause")

    http = httpx.Client(timeout=90)
    # The head's link, as the selection notification carries it.
    sel_url = link_sent(db, f"selection_request:{PERIOD}:{scope}")
    assert sel_url.startswith(portal)
    page = http.get(sel_url)
    assert page.status_code == 200 and world.names[first] in page.text
    form = {"csrf": csrf_of(page.text), "step": "confirm"}
    for nip in (first, second, third):
        form[f"choice_{nip}"] = "ya" if nip == first else "tidak"
        form[f"reason_{nip}"] = "Kegiatan utama 40% dari target" if nip == first else "Membaik"
    before = read_state(run_id).timestamp
    done = http.post(sel_url, data=form)
    assert done.status_code == 200 and "telah tercatat" in done.text
    _suspended_again(run_id, before, "at the defence pause")
    assert _effective(db, scope, "selection") == {
        first: "selected",
        second: "not_selected",
        third: "not_selected",
    }
    assert _effective(db, scope, "warning") == {first: "issued"}
    # Reusing the link after the run moved on: refused, nothing changes.
    again = http.post(sel_url, data=form | {f"choice_{second}": "ya"})
    assert again.status_code == 410 and "Tautan sudah digunakan" in again.text
    assert _effective(db, scope, "selection")[second] == "not_selected"

    # The employee's link from the warning notification.
    def_url = link_sent(db, f"warning:{PERIOD}:{scope}:{first}")
    page = http.get(def_url)
    assert page.status_code == 200 and 'id="defence-form"' in page.text
    for score in SECRET_SCORES:
        assert f"{score:.2f}".replace(".", ",") not in page.text
    before = read_state(run_id).timestamp
    done = http.post(
        def_url,
        data={"csrf": csrf_of(page.text), "defence": "Saya ditugaskan ke lapangan tanpa sinyal."},
    )
    assert done.status_code == 200
    _suspended_again(run_id, before, "waiting for the verdict")
    assert _effective(db, scope, "defence") == {first: "submitted"}

    # The head's verdict link from the defence_received notification: accepted.
    ver_url = link_sent(db, f"defence_received:{PERIOD}:{scope}:{first}")
    page = http.get(ver_url)
    assert "tanpa sinyal" in page.text
    done = http.post(
        ver_url,
        data={
            "csrf": csrf_of(page.text),
            f"verdict_{first}": "terima",
            f"reason_{first}": "Surat tugas lapangan terlampir dan sah",
        },
    )
    assert done.status_code == 200
    final = wait_for(run_id, lambda st: st.is_final(), what="finished")
    assert final.is_completed()
    assert _effective(db, scope, "verdict") == {first: "accepted"}
    assert set(_effective(db, scope, "outcome").values()) == {"not_published"}
    # BKD's overview shows the review finished with nobody published.
    with session_scope(db) as s:
        overview = issue_link(
            s,
            period=PERIOD,
            scope_code=scope,
            purpose="overview",
            person_nip="bkd-operator",
            expires_at=utcnow() + timedelta(hours=1),
        )
    row = http.get(overview).text.split('id="row-DINAS-A"')[1].split("</tr>")[0]
    assert "Selesai" in row and 'data-label="Diumumkan">0<' in row
    # Every portal action is audited with who and which link.
    for action, actor in (
        ("submit_selection", head),
        ("submit_defence", first),
        ("submit_verdict", head),
    ):
        events = _audited(db, action, scope)
        assert [e.actor for e in events] == [actor], action


def _browser() -> Any:
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian chromium not installed (make browser installs it as root)")
    from playwright.sync_api import sync_playwright

    return sync_playwright()


@pytest.mark.browser
def test_head_and_employee_act_in_a_real_browser_and_the_run_publishes(
    server: Server,  # noqa: F811
    portal: str,
    world: World,
    db: Engine,
) -> None:
    scope = "DINAS-B"
    first = world.candidates[scope][0]
    run_id = start_review(PERIOD, scope)
    wait_for(run_id, lambda st: st.is_paused(), what="at the selection pause")
    SCREENSHOTS.mkdir(exist_ok=True)
    with _browser() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        # A phone-sized window: the pages must work there.
        page = browser.new_page(viewport={"width": 390, "height": 844})

        page.goto(link_sent(db, f"selection_request:{PERIOD}:{scope}"))
        assert page.locator("h1").inner_text() == "Pemilihan pegawai berkinerja rendah"
        page.screenshot(path=str(SCREENSHOTS / "selection.png"), full_page=True)
        # An empty submit reaches the server (novalidate), which answers in Indonesian.
        page.click("#submit")
        page.wait_for_selector("p.error")
        assert "Pilih 'Ya' atau 'Tidak' untuk pegawai ini." in page.locator("main").inner_text()
        page.screenshot(path=str(SCREENSHOTS / "selection-empty.png"), full_page=True)
        for nip in world.candidates[scope]:
            page.check(f"input[name=choice_{nip}][value={'ya' if nip == first else 'tidak'}]")
            page.fill(f"#reason_{nip}", "Terlambat 8 kali" if nip == first else "Cukup baik")
        before = read_state(run_id).timestamp
        page.click("#submit")
        # the once-only selection is shown by name before it is sent
        page.wait_for_selector("#confirm")
        assert world.names[first] in page.locator("#confirm-selected").inner_text()
        page.screenshot(path=str(SCREENSHOTS / "selection-confirm.png"), full_page=True)
        page.click("#confirm-submit")
        page.wait_for_selector("#done")
        assert world.names[first] in page.locator("#done-selected").inner_text()
        page.screenshot(path=str(SCREENSHOTS / "selection-done.png"), full_page=True)
        _suspended_again(run_id, before, "at the defence pause")

        page.goto(link_sent(db, f"warning:{PERIOD}:{scope}:{first}"))
        assert "Terlambat 8 kali" in page.locator("#warning").inner_text()
        page.click("summary >> text=Rincian harian")
        page.screenshot(path=str(SCREENSHOTS / "defence.png"), full_page=True)
        page.fill("#defence", "Saya terlambat karena banjir di jalur menuju kantor.")
        before = read_state(run_id).timestamp
        page.click("#submit")
        page.wait_for_selector("#done")
        _suspended_again(run_id, before, "waiting for the verdict")

        page.goto(link_sent(db, f"defence_received:{PERIOD}:{scope}:{first}"))
        assert "banjir" in page.content()
        page.screenshot(path=str(SCREENSHOTS / "verdict.png"), full_page=True)
        page.check(f"input[name=verdict_{first}][value=tolak]")
        page.fill(f"#reason_{first}", "Tidak ada laporan banjir pada tanggal tersebut")
        page.click("#submit")
        page.wait_for_selector("#done")
        final = wait_for(run_id, lambda st: st.is_final(), what="finished")
        assert final.is_completed()
        assert _effective(db, scope, "outcome")[first] == "published"

        # BKD's overview of the month, and a refused (reused) link, as people see them.
        with session_scope(db) as s:
            overview = issue_link(
                s,
                period=PERIOD,
                scope_code="*",
                purpose="overview",
                person_nip="bkd-operator",
                expires_at=utcnow() + timedelta(hours=1),
            )
        page.goto(overview)
        assert page.locator("#row-DINAS-B").is_visible()
        page.screenshot(path=str(SCREENSHOTS / "overview.png"), full_page=True)
        page.goto(link_sent(db, f"warning:{PERIOD}:{scope}:{first}"))
        assert "Tautan sudah digunakan" in page.locator("h1").inner_text()
        page.screenshot(path=str(SCREENSHOTS / "refused.png"), full_page=True)
        browser.close()


PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200


@pytest.mark.browser
def test_an_employee_contests_a_day_with_a_pdf_and_the_corrected_score_is_not_published(
    server: Server,  # noqa: F811
    portal: str,
    world: World,
    db: Engine,
) -> None:
    """Upload a PDF and mark a wrong attendance day (an .exe renamed .pdf is refused first);
    the head accepts the objection but rejects the defence; the person is rescored above the
    floor, so the run ends with them not published."""
    from kinerja.db.models import AttendanceRecord, Evidence, Score

    scope = "DINAS-C"
    (nip,) = world.candidates[scope]
    with session_scope(db) as s:
        day = min(
            r.work_date.isoformat()
            for r in s.scalars(
                select(AttendanceRecord).where(
                    AttendanceRecord.nip == nip, AttendanceRecord.status == "absent"
                )
            )
        )
        before = s.get(Score, (PERIOD, nip))
        assert before is not None and before.composite is not None and before.composite <= 75
    run_id = start_review(PERIOD, scope)
    wait_for(run_id, lambda st: st.is_paused(), what="at the selection pause")
    SCREENSHOTS.mkdir(exist_ok=True)
    with _browser() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        page = browser.new_page(viewport={"width": 390, "height": 844})
        page.goto(link_sent(db, f"selection_request:{PERIOD}:{scope}"))
        page.check(f"input[name=choice_{nip}][value=ya]")
        page.fill(f"#reason_{nip}", "Tiga hari tanpa keterangan")
        before_state = read_state(run_id).timestamp
        page.click("#submit")
        page.click("#confirm-submit")
        page.wait_for_selector("#done")
        _suspended_again(run_id, before_state, "at the defence pause")

        defence_url = link_sent(db, f"warning:{PERIOD}:{scope}:{nip}")

        def fill_defence(name: str, data: bytes) -> None:
            page.goto(defence_url)
            page.fill(
                "#defence", "Tanggal itu saya dinas luar ke kecamatan; surat tugas terlampir."
            )
            page.check(f"input[name=obj_att_{day}]")
            page.select_option(f"#claim_att_{day}", "official_travel")
            page.fill(f"input[name=note_att_{day}]", "Surat tugas nomor 7/2025")
            page.set_input_files(
                "#bukti", files=[{"name": name, "mimeType": "application/pdf", "buffer": data}]
            )
            page.click("#submit")

        fill_defence("surat_tugas.pdf", EXE)
        page.wait_for_selector("#evidence-error")
        assert "bukan PDF, JPEG atau PNG" in page.locator("#evidence-error").inner_text()
        page.screenshot(path=str(SCREENSHOTS / "defence-refused-file.png"), full_page=True)
        with session_scope(db) as s:
            assert not list(s.scalars(select(Evidence).where(Evidence.nip == nip)))
        assert _effective(db, scope, "defence") == {}

        before_state = read_state(run_id).timestamp
        fill_defence("surat_tugas.pdf", PDF)
        page.wait_for_selector("#done")
        _suspended_again(run_id, before_state, "waiting for the verdict")

        page.goto(link_sent(db, f"defence_received:{PERIOD}:{scope}:{nip}"))
        assert "Surat tugas nomor 7/2025" in page.content()
        link = page.locator("ul.evidence a").first
        assert link.inner_text() == "surat_tugas.pdf"
        fetched = httpx.get(str(link.evaluate("a => a.href")), timeout=30)
        assert fetched.status_code == 200 and fetched.content == PDF
        page.screenshot(path=str(SCREENSHOTS / "verdict-objection.png"), full_page=True)
        objection = page.locator("fieldset.objection").first.get_attribute("id")
        assert objection is not None
        oid = objection.split("-", 1)[1]
        page.check(f"input[name=ruling_{oid}][value=terima]")
        page.fill(f"#ruling_reason_{oid}", "Surat tugas sah dan tanggalnya cocok")
        page.check(f"input[name=verdict_{nip}][value=tolak]")
        page.fill(f"#reason_{nip}", "Keterlambatan lain tetap tidak dijelaskan")
        page.click("#submit")
        page.wait_for_selector("#done")
        final = wait_for(run_id, lambda st: st.is_final(), what="finished")
        assert final.is_completed()
        browser.close()
    assert _effective(db, scope, "verdict") == {nip: "rejected"}
    assert _effective(db, scope, "outcome") == {nip: "not_published"}
    with session_scope(db) as s:
        row = s.scalars(
            select(AttendanceRecord).where(
                AttendanceRecord.nip == nip, AttendanceRecord.work_date == date.fromisoformat(day)
            )
        ).one()
        assert row.status == "official_travel"
        after = s.get(Score, (PERIOD, nip))
        assert after is not None and after.composite is not None and after.composite > 75
        outcome = dec.effective(s, PERIOD, scope, "outcome")[nip]
        assert outcome.payload["case"] == "rescored_above_floor"
