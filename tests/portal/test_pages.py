"""Portal pages over HTTP: each link shows only its own case; refusals are clear and audited."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, update

from kinerja.db.models import PortalLink
from kinerja.db.refusals import refusal_counts
from kinerja.db.session import session_scope
from kinerja.domain import utcnow
from kinerja.portal.csrf import make_csrf
from kinerja.review.links import short_url
from kinerja.review.secret import portal_key
from kinerja.settings import Settings
from tests.portal.conftest import IssueLink
from tests.portal.helpers import audit_actions, csrf_of, decision_count, link_id_of, used_links
from tests.portal.world import (
    HISTORY,
    SECRET_SCORES,
    World,
    later,
)


def _secret_strings(world: World) -> list[str]:
    """How an individual rater's answer or identity could show up on a page."""
    out = []
    for score in SECRET_SCORES:
        out += [f"{score:.2f}".replace(".", ","), f"{score:.2f}", f"{score:.1f}".replace(".", ",")]
    return out + world.raters


def test_selection_page_shows_that_opds_candidates_with_indicators_trend_and_explanation(
    client: TestClient, issue: IssueLink, world: World
) -> None:
    r = client.get(issue("selection", "DINAS-A", world.heads["DINAS-A"]))
    assert r.status_code == 200
    page = r.text
    assert "Dinas Pendidikan" in page and "Oktober 2025" in page
    for nip in world.candidates["DINAS-A"]:
        assert f'name="choice_{nip}"' in page and f'name="reason_{nip}"' in page
        assert world.names[nip] in page
    for nip in world.candidates["DINAS-B"]:
        assert nip not in page and world.names[nip] not in page
    assert "Indeks komposit" in page and "Kehadiran" in page and "Perilaku" in page
    # Trend over the months before, then this month.
    assert "Agustus 2025" in page and "September 2025" in page
    assert f"{HISTORY['2025-09']:.1f}".replace(".", ",") in page
    assert 'class="explain"' in page
    # The score tree's leaves with their weights, in words; no raw column names.
    assert "Kegiatan utama" in page and "Bobot" in page and "Terlambat (kali)" in page
    for raw in ("c_main_activity", "w_main_activity", "missing_leaves", "job_title"):
        assert raw not in page
    for secret in _secret_strings(world):
        assert secret not in page
    assert r.headers["referrer-policy"] == "no-referrer"
    assert "frame-ancestors 'none'" in r.headers["content-security-policy"]


def test_overview_lists_every_review_with_stage_deadline_and_who_is_awaited(
    client: TestClient, issue: IssueLink, world: World
) -> None:
    r = client.get(issue("overview", "*", "bkd-operator"))
    assert r.status_code == 200
    for code, head in world.heads.items():
        assert f'id="row-{code}"' in r.text
        assert f"NIP {head}" in r.text
    assert r.text.count("Menunggu pemilihan oleh pimpinan") == 2
    assert "Batas waktu" in r.text and "WIB" in r.text
    assert 'method="post"' not in r.text


def test_overview_link_for_one_opd_shows_only_that_opd(
    client: TestClient, issue: IssueLink, world: World
) -> None:
    r = client.get(issue("overview", "DINAS-B", "bkd-operator"))
    assert 'id="row-DINAS-B"' in r.text and 'id="row-DINAS-A"' not in r.text


def test_defence_page_of_an_unselected_employee_offers_no_form(
    client: TestClient, issue: IssueLink, world: World
) -> None:
    nip = world.candidates["DINAS-A"][0]
    r = client.get(issue("defence", "DINAS-A", nip))
    assert r.status_code == 200
    assert "Tidak ada peringatan untuk Bapak/Ibu" in r.text
    assert 'id="defence-form"' not in r.text


def test_tampered_link_gets_a_clear_refusal_page_and_is_counted(
    client: TestClient, issue: IssueLink, world: World, engine: Engine
) -> None:
    url = issue("selection", "DINAS-A", world.heads["DINAS-A"])
    tampered = url[:-3] + ("xyz" if not url.endswith("xyz") else "abc")
    for response in (client.get(tampered), client.post(tampered, data={"csrf": "x"})):
        assert response.status_code == 403
        assert "Tautan tidak sah" in response.text
        assert 'data-refusal="invalid"' in response.text
        assert "choice_" not in response.text
    # No link of ours: counted per minute and source, not an audit row each.
    assert audit_actions(engine) == [("system", "issue_link")]
    with session_scope(engine) as s:
        counts = {(c.source, c.reason): c.count for c in refusal_counts(s)}
    assert counts == {("testclient", "GET invalid"): 1, ("testclient", "POST invalid"): 1}


def test_expired_link_is_refused_with_a_clear_page(
    client: TestClient, issue: IssueLink, world: World, engine: Engine, portal_settings: Settings
) -> None:
    url = issue("selection", "DINAS-A", world.heads["DINAS-A"], expires_at=later(1))
    link_id = link_id_of(url, portal_settings)
    with session_scope(engine) as s:
        s.execute(
            update(PortalLink)
            .where(PortalLink.id == link_id)
            .values(expires_at=utcnow() - timedelta(seconds=1))
        )
    r = client.get(url)
    assert r.status_code == 410
    assert "Tautan kedaluwarsa" in r.text and "hubungi BKD" in r.text
    assert (world.heads["DINAS-A"], "link_refused") in audit_actions(engine, link_id)


def test_every_view_is_audited_with_who_and_which_link(
    client: TestClient, issue: IssueLink, world: World, engine: Engine, portal_settings: Settings
) -> None:
    head = world.heads["DINAS-B"]
    url = issue("selection", "DINAS-B", head)
    client.get(url)
    client.get(url)
    link_id = link_id_of(url, portal_settings)
    assert audit_actions(engine, link_id) == [
        ("system", "issue_link"),
        (head, "view_selection"),
        (head, "view_selection"),
    ]


def test_post_without_or_with_a_wrong_csrf_token_is_refused_and_changes_nothing(
    client: TestClient, issue: IssueLink, world: World, engine: Engine, portal_settings: Settings
) -> None:
    head = world.heads["DINAS-A"]
    url = issue("selection", "DINAS-A", head)
    other_url = issue("selection", "DINAS-A", head)
    other_token = csrf_of(client.get(other_url).text)  # valid, but for another link
    form = {f"choice_{n}": "ya" for n in world.candidates["DINAS-A"]} | {
        f"reason_{n}": "Kinerja rendah tiga bulan" for n in world.candidates["DINAS-A"]
    }
    for csrf in (None, "", "forged-token", other_token):
        data = form if csrf is None else form | {"csrf": csrf}
        r = client.post(url, data=data)
        assert r.status_code == 403, csrf
        assert "Formulir tidak sah" in r.text
    assert decision_count(engine) == 0
    assert used_links(engine) == 0
    link_id = link_id_of(url, portal_settings)
    assert [a for _, a in audit_actions(engine, link_id)].count("csrf_refused") == 4


def test_selection_naming_another_opds_employee_is_refused_and_changes_nothing(
    client: TestClient, issue: IssueLink, world: World, engine: Engine
) -> None:
    url = issue("selection", "DINAS-A", world.heads["DINAS-A"])
    csrf = csrf_of(client.get(url).text)
    mine = world.candidates["DINAS-A"]
    theirs = world.candidates["DINAS-B"][0]
    data = {"csrf": csrf, f"choice_{theirs}": "ya", f"reason_{theirs}": "Dari OPD lain, ditolak"}
    data |= {f"choice_{n}": "tidak" for n in mine} | {f"reason_{n}": "Tidak dipilih" for n in mine}
    r = client.post(url, data=data)
    assert r.status_code == 422
    assert "NIP berikut bukan kandidat unit ini" in r.text and theirs in r.text
    assert decision_count(engine) == 0 and used_links(engine) == 0
    # The page comes back with the person's answers kept and a fresh token.
    assert 'value="tidak" checked' in r.text and csrf_of(r.text)


def test_incomplete_selection_is_asked_again_with_reasons(
    client: TestClient, issue: IssueLink, world: World, engine: Engine
) -> None:
    url = issue("selection", "DINAS-A", world.heads["DINAS-A"])
    first, *rest = world.candidates["DINAS-A"]
    data = {"csrf": csrf_of(client.get(url).text), f"choice_{first}": "ya", f"reason_{first}": ""}
    r = client.post(url, data=data)
    assert r.status_code == 422
    assert "Tuliskan alasan" in r.text and "Pilih &#39;Ya&#39; atau &#39;Tidak&#39;" in r.text
    assert decision_count(engine) == 0 and used_links(engine) == 0


def test_overview_link_cannot_post(
    client: TestClient, issue: IssueLink, world: World, engine: Engine, portal_settings: Settings
) -> None:
    url = issue("overview", "*", "bkd-operator")
    secret = portal_key(portal_settings)
    csrf = make_csrf(secret, link_id_of(url, portal_settings))
    r = client.post(url, data={"csrf": csrf})
    assert r.status_code == 405
    assert decision_count(engine) == 0


def test_unknown_paths_and_index_reveal_nothing(client: TestClient) -> None:
    assert client.get("/l/").status_code == 404
    r = client.get("/")
    assert r.status_code == 200 and "tautan pribadi" in r.text
    assert client.get("/static/portal.css").headers["content-type"].startswith("text/css")


def test_pages_address_people_as_bapak_ibu_never_anda(
    client: TestClient, issue: IssueLink, world: World
) -> None:
    pages = [
        client.get("/").text,
        client.get(issue("selection", "DINAS-A", world.heads["DINAS-A"])).text,
        client.get(issue("defence", "DINAS-A", world.candidates["DINAS-A"][0])).text,
        client.get(issue("verdict", "DINAS-A", world.heads["DINAS-A"])).text,
        client.get(issue("overview", "*", "bkd-operator")).text,
        client.get(issue("selection", "DINAS-A", world.heads["DINAS-A"]) + "x").text,
    ]
    assert "tautan pribadi yang Bapak/Ibu terima" in pages[0]
    assert "Tidak ada peringatan untuk Bapak/Ibu" in pages[2]
    for page in pages:
        assert "Anda" not in page


def test_a_short_link_from_paper_opens_the_persons_page_and_a_bad_one_is_refused(
    client: TestClient, issue: IssueLink, world: World, engine: Engine, portal_settings: Settings
) -> None:
    url = issue("defence", "DINAS-A", world.candidates["DINAS-A"][0])
    with session_scope(engine) as session:
        short = short_url(session, url, settings=portal_settings)
    path = short.removeprefix("http://testserver")
    r = client.get(path.lower(), follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == url.removeprefix("http://testserver")
    page = client.get(path)
    assert page.status_code == 200 and world.names[world.candidates["DINAS-A"][0]] in page.text
    bad = client.get(path[:-1] + ("Z" if path[-1] != "Z" else "Y"))
    assert 'data-refusal="invalid"' in bad.text
    assert audit_actions(engine)[-1] == (world.candidates["DINAS-A"][0], "view_defence")
    with session_scope(engine) as s:
        assert [(c.reason, c.count) for c in refusal_counts(s)] == [("GET invalid", 1)]


def test_a_selection_an_operator_entered_for_the_head_says_so_on_the_employees_page(
    client: TestClient,
    issue: IssueLink,
    world: World,
    engine: Engine,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from kinerja.review import service as svc
    from kinerja.settings import get_settings

    monkeypatch.setenv("KINERJA_OPERATORS", "op.rina")
    get_settings.cache_clear()
    nip, head = world.candidates["DINAS-A"][0], world.heads["DINAS-A"]
    svc.submit_selection(
        engine, world.period, "DINAS-A", "op.rina", {nip: (True, "Terlambat berulang")}, "cli",
        on_behalf_of=head, note="diminta kepala lewat surat 12/2025",
    )  # fmt: skip
    get_settings.cache_clear()
    page = client.get(issue("defence", "DINAS-A", nip)).text
    assert (
        f"Penetapan ini dicatat oleh operator BKD op.rina (CLI) atas nama NIP {head}, atas "
        "permintaannya: diminta kepala lewat surat 12/2025." in page
    )
