"""Submissions go through review.service: recorded once, checked against the review's state.

These reviews have no flow run yet (the service then only records; resuming real paused runs is
tested in test_resume.py), so every refusal here comes from the shared validation path.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from kinerja.db.models import AuditEvent, Decision, Opd, Review
from kinerja.db.reviews import get_review
from kinerja.db.session import session_scope
from kinerja.domain import utcnow
from kinerja.portal.csrf import make_csrf
from kinerja.review.deciders import active_policy
from kinerja.review.secret import portal_key
from kinerja.settings import Settings
from tests.portal.conftest import IssueLink
from tests.portal.helpers import audit_actions, csrf_of, decision_count, link_id_of, used_links
from tests.portal.world import SECRET_SCORES, World


def _decisions(engine: Engine, kind: str | None = None) -> list[tuple[str | None, str, str, str]]:
    """(nip, kind, value, actor/channel) of every decision, in order."""
    with session_scope(engine) as s:
        stmt = select(Decision).order_by(Decision.id)
        if kind:
            stmt = stmt.where(Decision.kind == kind)
        return [(d.nip, d.kind, d.value, f"{d.actor}/{d.channel}") for d in s.scalars(stmt)]


def _crafted_csrf(url: str, settings: Settings) -> str:
    """A valid token for the link, as someone who had the form open earlier would hold."""
    return make_csrf(portal_key(settings), link_id_of(url, settings))


def _select(client: TestClient, url: str, choices: dict[str, bool]) -> str:
    data = {"csrf": csrf_of(client.get(url).text), "step": "confirm"}
    for nip, chosen in choices.items():
        data[f"choice_{nip}"] = "ya" if chosen else "tidak"
        data[f"reason_{nip}"] = (
            "Terlambat berulang dan kegiatan utama jauh di bawah target"
            if chosen
            else "Menunjukkan perbaikan bulan ini"
        )
    r = client.post(url, data=data)
    assert r.status_code == 200, r.text
    return r.text


def _set_deadline(engine: Engine, scope: str, which: str, delta: timedelta) -> None:
    with session_scope(engine) as s:
        review = get_review(s, "2025-10", scope)
        assert review is not None
        setattr(review, which, utcnow() + delta)


def test_head_selection_is_recorded_once_through_the_service(
    client: TestClient, issue: IssueLink, world: World, engine: Engine, portal_settings: Settings
) -> None:
    head = world.heads["DINAS-A"]
    first, second, third = world.candidates["DINAS-A"]
    url = issue("selection", "DINAS-A", head)
    page = _select(client, url, {first: True, second: False, third: False})
    assert "Terima kasih, keputusan Bapak/Ibu telah tercatat" in page

    assert _decisions(engine, "selection") == [
        (first, "selection", "selected", f"{head}/portal"),
        (second, "selection", "not_selected", f"{head}/portal"),
        (third, "selection", "not_selected", f"{head}/portal"),
    ]
    with session_scope(engine) as s:
        review = get_review(s, "2025-10", "DINAS-A")
        assert review is not None and review.stage == "awaiting_defence"
        assert review.defence_deadline is not None
    link_id = link_id_of(url, portal_settings)
    assert (head, "submit_selection") in audit_actions(engine, link_id)

    # The same link again: refused with a clear page, nothing changes.
    before = decision_count(engine)
    for response in (client.get(url), client.post(url, data={"csrf": "x"})):
        assert response.status_code == 410
        assert "Tautan sudah digunakan" in response.text
    assert decision_count(engine) == before


def test_a_selection_is_confirmed_by_name_before_it_is_sent_and_can_be_changed(
    client: TestClient, issue: IssueLink, world: World, engine: Engine
) -> None:
    head = world.heads["DINAS-A"]
    first, second, third = world.candidates["DINAS-A"]
    url = issue("selection", "DINAS-A", head)
    form = {"csrf": csrf_of(client.get(url).text)}
    form |= {f"choice_{n}": "ya" if n == first else "tidak" for n in (first, second, third)}
    form |= {
        f"reason_{n}": "Terlambat 9 kali" if n == first else "Membaik"
        for n in (first, second, third)
    }  # noqa: E501
    # First the confirmation page: the chosen by name and NIP, with the reasons; nothing recorded.
    confirm = client.post(url, data=form)
    assert confirm.status_code == 200 and 'id="confirm"' in confirm.text
    chosen = confirm.text.split('id="confirm-selected"', 1)[1].split("</ul>", 1)[0]
    assert world.names[first] in chosen and first in chosen and "Terlambat 9 kali" in chosen
    assert world.names[second] not in chosen
    assert world.names[second] in confirm.text.split('id="confirm-not-selected"', 1)[1]
    assert "hanya dapat dikirim satu kali" in confirm.text
    assert decision_count(engine) == 0 and used_links(engine) == 0
    # "Ubah" goes back to the form with what was written.
    back = client.post(url, data=form | {"csrf": csrf_of(confirm.text), "step": "edit"})
    assert back.status_code == 200 and 'id="selection-form"' in back.text
    assert "Terlambat 9 kali" in back.text and 'value="ya" checked' in back.text
    assert decision_count(engine) == 0 and used_links(engine) == 0
    # "Kirim" records it; the result page names the people beside their NIPs.
    done = client.post(url, data=form | {"csrf": csrf_of(confirm.text), "step": "confirm"})
    assert done.status_code == 200 and "telah tercatat" in done.text
    listed = done.text.split('id="done-selected"', 1)[1].split("</ul>", 1)[0]
    assert world.names[first] in listed and f"NIP {first}" in listed
    assert _decisions(engine, "selection")[0][:3] == (first, "selection", "selected")


def test_an_empty_submit_is_answered_by_the_server_in_indonesian(
    client: TestClient, issue: IssueLink, world: World, engine: Engine
) -> None:
    url = issue("selection", "DINAS-A", world.heads["DINAS-A"])
    page = client.get(url).text
    assert 'id="selection-form" novalidate' in page  # the browser's own messages are off
    empty = client.post(url, data={"csrf": csrf_of(page)})
    assert empty.status_code == 422
    assert empty.text.count("Pilih &#39;Ya&#39; atau &#39;Tidak&#39; untuk pegawai ini.") == 3
    assert decision_count(engine) == 0 and used_links(engine) == 0


def test_second_selection_from_a_fresh_link_is_refused_and_changes_nothing(
    client: TestClient, issue: IssueLink, world: World, engine: Engine, portal_settings: Settings
) -> None:
    head = world.heads["DINAS-A"]
    nips = world.candidates["DINAS-A"]
    _select(client, issue("selection", "DINAS-A", head), dict.fromkeys(nips, False))
    with session_scope(engine) as s:
        review = get_review(s, "2025-10", "DINAS-A")
        assert review is not None and review.stage == "done"  # nobody selected: review ends
    before = _decisions(engine)

    again = issue("selection", "DINAS-A", head)
    page = client.get(again).text
    assert 'id="closed"' in page and "choice_" not in page
    data = {"csrf": _crafted_csrf(again, portal_settings), "step": "confirm"}
    data |= {f"choice_{n}": "ya" for n in nips} | {f"reason_{n}": "Berubah pikiran" for n in nips}
    r = client.post(again, data=data)
    assert r.status_code == 409
    assert "Keputusan tidak dapat dicatat" in r.text and "sudah tercatat" in r.text
    assert _decisions(engine) == before
    assert used_links(engine) == 1  # the refused link stays usable for nothing but a retry
    assert (head, "submit_refused") in audit_actions(engine, link_id_of(again, portal_settings))


def test_selection_after_the_deadline_is_refused_and_changes_nothing(
    client: TestClient, issue: IssueLink, world: World, engine: Engine, portal_settings: Settings
) -> None:
    url = issue("selection", "DINAS-B", world.heads["DINAS-B"])
    csrf = csrf_of(client.get(url).text)
    _set_deadline(engine, "DINAS-B", "selection_deadline", -timedelta(minutes=1))
    assert "Batas waktu pemilihan telah lewat" in client.get(url).text
    nips = world.candidates["DINAS-B"]
    data = {"csrf": csrf, "step": "confirm"} | {f"choice_{n}": "ya" for n in nips}
    data |= {f"reason_{n}": "Kinerja rendah sekali" for n in nips}
    r = client.post(url, data=data)
    assert r.status_code == 409 and "batas waktu pemilihan telah lewat" in r.text
    assert decision_count(engine) == 0 and used_links(engine) == 0


def test_employee_defence_page_shows_own_data_only_and_records_the_defence(
    client: TestClient, issue: IssueLink, world: World, engine: Engine, portal_settings: Settings
) -> None:
    head = world.heads["DINAS-A"]
    first, second, third = world.candidates["DINAS-A"]
    _select(client, issue("selection", "DINAS-A", head), {first: True, second: True, third: False})

    url = issue("defence", "DINAS-A", first)
    page = client.get(url).text
    assert world.names[first] in page and "Peringatan" in page
    assert "Terlambat berulang" in page  # the head's reason
    assert "Kehadiran" in page and "Tidak hadir tanpa keterangan" in page
    assert "Aktivitas harian" in page and "Disetujui" in page
    # what the activity percentage is measured against: the policy's minutes target
    target = active_policy().activities.main_target_minutes_per_day
    assert f"Target kegiatan utama: <strong>{target:.0f} menit per hari kerja</strong>" in page
    # Behaviour: four raters, item means only (3.05 over the four answers), never an answer.
    assert "Dinilai oleh 4 penilai" in page and "3,05" in page
    for score in SECRET_SCORES:
        assert f"{score:.2f}".replace(".", ",") not in page and f"{score:.2f}" not in page
    for secret in world.raters:
        assert secret not in page
    for other in (second, third, *world.candidates["DINAS-B"]):
        assert other not in page and world.names[other] not in page

    text = "Saya terlambat karena mengantar orang tua berobat; surat keterangan terlampir."
    r = client.post(url, data={"csrf": csrf_of(page), "defence": text})
    assert r.status_code == 200 and "Pembelaan tertulis Bapak/Ibu telah diterima" in r.text
    assert _decisions(engine, "defence") == [(first, "defence", "submitted", f"{first}/portal")]
    assert client.get(url).status_code == 410

    # The head sees the defence on a verdict link and rejects it.
    verdict_url = issue("verdict", "DINAS-A", head)
    vpage = client.get(verdict_url).text
    assert "mengantar orang tua berobat" in vpage and f'name="verdict_{first}"' in vpage
    assert f'name="verdict_{second}"' not in vpage  # no defence from them yet
    for score in SECRET_SCORES:
        assert f"{score:.2f}".replace(".", ",") not in vpage
    r = client.post(
        verdict_url,
        data={
            "csrf": csrf_of(vpage),
            f"verdict_{first}": "tolak",
            f"reason_{first}": "Surat keterangan tidak sesuai tanggal keterlambatan",
        },
    )
    assert r.status_code == 200 and "pembelaan ditolak" in r.text
    # the result names the person beside the NIP
    assert f'{world.names[first]} <span class="small muted">(NIP {first})</span>' in r.text
    assert _decisions(engine, "verdict") == [(first, "verdict", "rejected", f"{head}/portal")]
    link_id = link_id_of(verdict_url, portal_settings)
    assert (head, "submit_verdict") in audit_actions(engine, link_id)


def test_a_link_for_one_person_or_opd_can_do_nothing_for_another(
    client: TestClient, issue: IssueLink, world: World, engine: Engine, portal_settings: Settings
) -> None:
    first, second, _ = world.candidates["DINAS-A"]
    _select(
        client,
        issue("selection", "DINAS-A", world.heads["DINAS-A"]),
        {n: n == first for n in world.candidates["DINAS-A"]},
    )
    before = _decisions(engine)

    # An unselected colleague's defence link: no form, and a crafted post is refused.
    url = issue("defence", "DINAS-A", second)
    assert 'id="defence-form"' not in client.get(url).text
    r = client.post(
        url,
        data={"csrf": _crafted_csrf(url, portal_settings), "defence": "Pembelaan atas nama lain"},
    )
    assert r.status_code == 409 and "tidak termasuk pegawai yang dipilih" in r.text

    # A defence link names its person: a form field cannot redirect it to someone else.
    own = issue("defence", "DINAS-A", second)
    r = client.post(
        own,
        data={
            "csrf": _crafted_csrf(own, portal_settings),
            "defence": "Mencoba atas nama rekan",
            "nip": first,
        },
    )
    assert r.status_code == 409
    # The selected employee's case bound to another OPD's scope: refused too.
    wrong_scope = issue("defence", "DINAS-B", first)
    r = client.post(
        wrong_scope,
        data={"csrf": _crafted_csrf(wrong_scope, portal_settings), "defence": "OPD yang salah"},
    )
    assert r.status_code == 409

    # DINAS-B's head cannot give a verdict on DINAS-A's employee.
    vb = issue("verdict", "DINAS-B", world.heads["DINAS-B"])
    r = client.post(
        vb,
        data={
            "csrf": _crafted_csrf(vb, portal_settings),
            f"verdict_{first}": "terima",
            f"reason_{first}": "Dari OPD lain",
        },
    )
    assert r.status_code == 422 and "tidak menunggu putusan dari tautan ini" in r.text
    assert _decisions(engine) == before


def test_defence_after_the_deadline_is_refused_and_changes_nothing(
    client: TestClient, issue: IssueLink, world: World, engine: Engine
) -> None:
    first = world.candidates["DINAS-B"][0]
    _select(
        client,
        issue("selection", "DINAS-B", world.heads["DINAS-B"]),
        {n: n == first for n in world.candidates["DINAS-B"]},
    )
    url = issue("defence", "DINAS-B", first)
    csrf = csrf_of(client.get(url).text)
    _set_deadline(engine, "DINAS-B", "defence_deadline", -timedelta(seconds=1))
    assert "Batas waktu pembelaan telah lewat" in client.get(url).text
    before = _decisions(engine)
    r = client.post(url, data={"csrf": csrf, "defence": "Terlambat mengirim pembelaan ini"})
    assert r.status_code == 409 and "batas waktu pembelaan telah lewat" in r.text
    assert _decisions(engine) == before
    verdict_page = client.get(issue("verdict", "DINAS-B", world.heads["DINAS-B"])).text
    assert "Batas waktu tahap pembelaan telah lewat" in verdict_page
    assert "verdict_" not in verdict_page
    with session_scope(engine) as s:
        assert s.scalar(select(Review.stage).where(Review.scope_code == "DINAS-B")) == (
            "awaiting_defence"
        )


def test_texts_people_typed_are_escaped_and_only_the_heads_verdict_link_decides(
    client: TestClient, issue: IssueLink, world: World, engine: Engine, portal_settings: Settings
) -> None:
    head = world.heads["DINAS-A"]
    first, second, third = world.candidates["DINAS-A"]
    _select(client, issue("selection", "DINAS-A", head), {first: True, second: True, third: False})
    for nip in (first, second):
        url = issue("defence", "DINAS-A", nip)
        text = f'<script>alert("{nip}")</script> saya keberatan'
        r = client.post(url, data={"csrf": csrf_of(client.get(url).text), "defence": text})
        assert r.status_code == 200

    # A verdict link naming anyone but the head (here the employee who defended) decides
    # nothing: the page is refused, and so is a post with a valid form token.
    wrong = issue("verdict", "DINAS-A", second)
    page = client.get(wrong)
    assert page.status_code == 403 and 'data-refusal="not_head"' in page.text
    assert 'name="verdict_' not in page.text
    form = {f"verdict_{second}": "terima", f"reason_{second}": "Alasan dapat diterima"}
    r = client.post(wrong, data=form | {"csrf": _crafted_csrf(wrong, portal_settings)})
    assert r.status_code == 403 and "pemutus tinjauan" in r.text
    # reviews are per OPD: the refusal names that OPD's head as the one who decides
    assert "kepala perangkat daerah yang bersangkutan" in r.text
    assert "pimpinan rumpun" not in r.text
    assert _decisions(engine, "verdict") == [] and used_links(engine) == 3  # selection, 2 defences
    refused = audit_actions(engine, link_id_of(wrong, portal_settings))
    assert refused.count((second, "link_refused")) == 2

    # The head's link shows both defences, escaped, and records the head as the actor.
    url = issue("verdict", "DINAS-A", head)
    page = client.get(url).text
    assert f'name="verdict_{second}"' in page and f'name="verdict_{first}"' in page
    assert "<script>" not in page and "&lt;script&gt;alert(" in page
    r = client.post(url, data=form | {"csrf": csrf_of(page)})
    assert r.status_code == 422  # both defences need a verdict
    form |= {f"verdict_{first}": "tolak", f"reason_{first}": "Tidak ada bukti pendukung"}
    r = client.post(url, data=form | {"csrf": csrf_of(r.text)})
    assert r.status_code == 200 and "Terima kasih, keputusan Bapak/Ibu telah tercatat" in r.text
    assert _decisions(engine, "verdict") == [
        (first, "verdict", "rejected", f"{head}/portal"),
        (second, "verdict", "accepted", f"{head}/portal"),
    ]


def test_a_replaced_heads_old_link_is_refused_and_the_new_head_is_recorded(
    client: TestClient, issue: IssueLink, world: World, engine: Engine, portal_settings: Settings
) -> None:
    old_link = issue("selection", "DINAS-B", world.heads["DINAS-B"])
    csrf = csrf_of(client.get(old_link).text)
    # The OPD gets a new head (here one of its own staff) after the link went out.
    new_head = next(nip for nip, name in world.names.items() if name == "Rajin DINAS-B 0")
    with session_scope(engine) as s:
        opd = s.get(Opd, "DINAS-B")
        assert opd is not None
        opd.head_nip = new_head
    nips = world.candidates["DINAS-B"]
    data = {"csrf": csrf, "step": "confirm"} | {f"choice_{n}": "tidak" for n in nips}
    data |= {f"reason_{n}": "Menunjukkan perbaikan" for n in nips}
    r = client.post(old_link, data=data)
    assert r.status_code == 403 and 'data-refusal="not_head"' in r.text
    assert decision_count(engine) == 0 and used_links(engine) == 0

    _select(client, issue("selection", "DINAS-B", new_head), dict.fromkeys(nips, False))
    assert {actor for *_, actor in _decisions(engine, "selection")} == {f"{new_head}/portal"}


@pytest.mark.prefect
def test_a_review_whose_run_was_deleted_refuses_the_answer_and_keeps_the_link(
    prefect_api: None,
    issue: IssueLink,
    world: World,
    engine: Engine,
    portal_settings: Settings,
) -> None:
    from kinerja.portal.app import create_app
    from kinerja.runs.paused import PrefectPausedRuns

    # The portal as `kinerja portal` composes it: with the Prefect adapter for the runs.
    client = TestClient(create_app(engine, portal_settings, PrefectPausedRuns()))
    # The review points at a flow run the Prefect API does not know (deleted, another server):
    # nothing would ever follow an answer, so none is recorded and the head is told why.
    with session_scope(engine) as s:
        review = get_review(s, "2025-10", "DINAS-B")
        assert review is not None
        review.flow_run_id = str(uuid.uuid4())
    head = world.heads["DINAS-B"]
    first, *rest = world.candidates["DINAS-B"]
    url = issue("selection", "DINAS-B", head)
    data = {"csrf": csrf_of(client.get(url).text), f"choice_{first}": "ya", "step": "confirm"}
    data[f"reason_{first}"] = "Terlambat berulang tanpa keterangan"
    for nip in rest:
        data |= {f"choice_{nip}": "tidak", f"reason_{nip}": "Kinerja membaik bulan ini"}
    r = client.post(url, data=data)
    assert r.status_code == 409
    assert "telah dihapus di Prefect" in r.text and "Hubungi BKD" in r.text
    assert _decisions(engine, "selection") == []
    assert client.get(url).status_code == 200  # the link is not used up
    with session_scope(engine) as s:
        event = s.scalars(
            select(AuditEvent).where(
                AuditEvent.link_id == link_id_of(url, portal_settings),
                AuditEvent.action == "submit_refused",
            )
        ).one()
        assert "dihapus" in event.detail["problems"][0]
