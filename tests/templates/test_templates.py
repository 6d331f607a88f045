"""Every template renders for every profile; the X post fits; HTML escapes what people typed."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine

from kinerja.notifications.render import TEMPLATE_KEYS, render_message
from kinerja.outputs.announcements import X_LIMIT, render_draft
from kinerja.outputs.letters import (
    render_coaching_note,
    render_coaching_note_text,
    render_outcome_letter,
    render_outcome_letter_text,
    render_warning_letter,
    render_warning_letter_text,
)
from kinerja.rules.calendar import add_workdays
from kinerja.rules.policy import Policy, load_policy
from kinerja.templates import environment

PROFILES = ["jabar", "banten-sikap"]
SCRIPT = "<script>alert(1)</script>"


def notification_context(template: str, policy: Policy) -> dict[str, Any]:
    start = datetime(2025, 11, 3, 9, 0)
    deadline = add_workdays(start, policy.review.defence_deadline_workdays, policy.calendar)
    base: dict[str, Any] = {
        "recipient_name": "Dr. H. Asep Sunandar, M.Si.",
        "period": "2025-10",
        "scope_name": "Dinas Perhubungan",
        "deadline": deadline,
        "link": "http://127.0.0.1:8100/l/tok",
        "candidates": [
            {
                "name": "Siti Nurhaliza",
                "nip": "198001012005012001",
                "job_title": "Analis",
                "composite": 41.25,
                "explanation": "Kehadiran 52 (8 kali terlambat)",
            },
            {
                "name": "Dedi Kurniawan",
                "nip": "198001012005011002",
                "job_title": "Pengadministrasi",
                "composite": 44.0,
            },
        ],
        "opd_name": "Dinas Perhubungan",
        "indicators": [
            {"label": "Kinerja", "value": 40.5},
            {"label": "Kehadiran", "value": 52.0, "note": "8 kali terlambat"},
        ],
        "reason": "Capaian kegiatan rendah",
        "employee_name": "Siti Nurhaliza",
        "stage": "selection",
        "outcome": "published",
        "coach_label": "atasan langsung",
        "checkin_dates": [date(2025, 12, 10), date(2025, 12, 18)],
        "count": 6,
        "goals": [{"label": "Kinerja", "baseline": 40.5, "target": 60.0}],
    }
    return {
        k: base[k] for k in TEMPLATE_KEYS[template] | {"coach_label", "checkin_dates"} if k in base
    }


def people(fields: list[str], names: list[str], opd: str) -> list[dict[str, str]]:
    every = {"nip": "198001012005011001", "position": "Analis Kebijakan Ahli Muda", "opd": opd}
    return [
        {
            **{f: every[f] for f in fields if f != "name"},
            **({"name": n} if "name" in fields else {}),
        }
        for n in names
    ]


def draft_context(policy: Policy, names: list[str], scope_name: str, opd: str) -> dict[str, Any]:
    fields = list(policy.publication.fields)
    return {
        "region": policy.region,
        "period": "2025-10",
        "next_period": "2025-11",
        "scope_kind": policy.publication.per,
        "scope_name": scope_name,
        "people": people(fields, names, opd),
        "show_opd": policy.publication.per != "opd",
        "coach_summary": "atasan langsung",
        "fields_label": "nama, jabatan dan unit kerja",
        "channel_label": policy.publication.channel_label,
    }


def letter_context(policy: Policy, name: str = "Siti Nurhaliza", **extra: Any) -> dict[str, Any]:
    band = policy.bands[0]
    ctx: dict[str, Any] = {
        "region": policy.region,
        "period": "2025-10",
        "issued_on": date(2025, 11, 4),
        "letter_no": "PRG/DISHUB/2025-10/198001012005012001",
        "signer": "Kepala Dinas Perhubungan",
        "employee": {
            "name": name,
            "nip": "198001012005012001",
            "job_title": "Analis",
            "opd_name": "Dinas Perhubungan",
        },
        "indicators": [
            {"label": "Kinerja", "value": 40.0, "opd_median": 66.0, "low": True},
            {"label": "Kehadiran", "value": 80.0, "opd_median": 79.0, "low": False},
            {"label": "Perilaku kerja", "value": None, "opd_median": None, "low": False},
        ],
        "components": [{"label": "Kegiatan utama yang disetujui", "value": 35.0}],
        "composite": 45.5,
        "band": {"label": band.label, "allowance": band.allowance, "promotion": band.promotion},
        "reason": "Capaian kegiatan rendah",
        "portal_url": "http://127.0.0.1:8100",
        "defence_deadline": datetime(2025, 11, 17, 16, 0),
        "indicator_threshold": 75.0,
        "evidence": {"allowed": "PDF, JPEG atau PNG", "files": 5, "file_mb": 5.0, "total_mb": 15.0},
        "outcome": "published",
        "case": "defence_rejected",
        "verdict": "rejected",
        "verdict_reason": "Surat tugas tidak ditandatangani",
        "outcome_reason": "pembelaan ditolak: Surat tugas tidak ditandatangani",
        "objections": [
            {
                "text": "hari kehadiran 2025-10-07: dinas luar",
                "note": "Rapat di Bandung",
                "ruling": "rejected",
                "reason": "Tidak ada surat tugas",
            }
        ],
        "rescore": None,
        "defence_submitted": True,
        "channel_label": policy.publication.channel_label,
        "published_fields": "nama, jabatan dan unit kerja",
        "coaching": {
            "coach_label": "Sekretaris Daerah",
            "period": "2025-11",
            "checkin_dates": ["2025-11-11", "2025-11-19"],
            "goals": [{"label": "Kinerja", "baseline": 40.0, "target": 66.0}],
        },
    }
    ctx.update(extra)
    return ctx


def rendered_for(policy: Policy, sqlite_engine: Engine) -> dict[str, str]:
    """Render every non-portal template once, the way the code renders it."""
    out: dict[str, str] = {}
    for name in TEMPLATE_KEYS:
        subject, body = render_message(name, notification_context(name, policy))
        out[f"notifications/{name}.subject.j2"] = subject
        out[f"notifications/{name}.txt.j2"] = body
    ctx = draft_context(policy, ["Siti Nurhaliza"], "Dinas Perhubungan", "Dinas Perhubungan")
    for purpose in ("announcement", "recognition"):
        for fmt in ("caption", "x_post", "press_release"):
            out[f"announcements/{purpose}_{fmt}.txt.j2"] = render_draft(purpose, fmt, ctx)
    lc = letter_context(policy)
    out["letters/warning.html.j2"] = render_warning_letter(lc)
    out["letters/warning.txt.j2"] = render_warning_letter_text(lc)
    out["letters/outcome.html.j2"] = render_outcome_letter(lc)
    out["letters/outcome.txt.j2"] = render_outcome_letter_text({**lc, "outcome": "not_published"})
    out["letters/coaching_note.html.j2"] = render_coaching_note(lc)
    out["letters/coaching_note.txt.j2"] = render_coaching_note_text(lc)
    out["outputs/recap.html.j2"] = recap_html(policy, sqlite_engine)
    return out


def recap_html(policy: Policy, sqlite_engine: Engine, names: dict[str, str] | None = None) -> str:
    from kinerja.db.session import make_session_factory
    from kinerja.outputs.facts import load_facts
    from kinerja.outputs.recap import build_recap
    from kinerja.outputs.recap_html import render_recap_html
    from tests.outputs.factories import standard_month

    with make_session_factory(sqlite_engine)() as session:
        world = standard_month(session, policy)
        if names:
            from kinerja.db.models import Employee, Opd

            for nip, name in names.items():
                emp = session.get(Employee, nip)
                assert emp is not None
                emp.name = name
            opd = session.get(Opd, "DINKES")
            assert opd is not None
            opd.name = SCRIPT
            session.commit()
        assert world.staff
        return render_recap_html(build_recap(session, load_facts(session, "2025-10"), policy))


@pytest.mark.parametrize("profile", PROFILES)
def test_every_template_renders(profile: str, sqlite_engine: Engine) -> None:
    policy = load_policy(profile)
    out = rendered_for(policy, sqlite_engine)
    listed = {
        n
        for n in environment().list_templates(extensions=["j2"])
        if not n.startswith("portal/") and not n.rsplit("/", 1)[-1].startswith("_")
    }
    assert listed == set(out), "a template without a rendering test (or a stale test)"
    for name, text in out.items():
        assert text.strip(), name
        assert "Undefined" not in text and "{{" not in text, name
    # Indonesian dates and the deadline in every message that asks for an action.
    assert "pukul" in out["notifications/selection_request.txt.j2"]
    assert policy.region in out["announcements/announcement_press_release.txt.j2"]
    assert len(out["announcements/announcement_x_post.txt.j2"]) <= X_LIMIT


@pytest.mark.parametrize("profile", PROFILES)
def test_x_post_fits_with_long_names(profile: str) -> None:
    policy = load_policy(profile)
    long_opd = "Dinas Pemberdayaan Masyarakat, Desa, Kependudukan dan Pencatatan Sipil " * 2
    names = [
        "Prof. Dr. Ir. H. Raden Muhammad Abdurrahman Wahid Kusumadinata Suryaatmadja, M.Sc.",
        "Hj. Siti Nurhalizah Kartika Dewi Permatasari Wulandari Ningsih, S.H., M.Kn.",
        "Ujang",
    ]
    for purpose in ("announcement", "recognition"):
        text = render_draft(
            "x_post" and purpose, "x_post", draft_context(policy, names, long_opd, long_opd)
        )
        assert len(text) <= X_LIMIT
        assert text.startswith(("Hasil penilaian", "Selamat"))
        assert "Prof. Dr. Ir. H. Raden" in text  # truncated sensibly, not dropped
    short = render_draft(
        "announcement",
        "x_post",
        draft_context(policy, ["Ujang"], "Dinas Kesehatan", "Dinas Kesehatan"),
    )
    assert "Ujang" in short and "#KinerjaASN" in short


@settings(max_examples=60, derandomize=True, deadline=None)
@given(
    names=st.lists(st.text(min_size=1, max_size=150), min_size=1, max_size=5),
    scope=st.text(min_size=1, max_size=200),
)
def test_x_post_never_exceeds_280(names: list[str], scope: str) -> None:
    policy = load_policy("banten-sikap")
    for purpose in ("announcement", "recognition"):
        text = render_draft(purpose, "x_post", draft_context(policy, names, scope, scope))
        assert len(text) <= X_LIMIT


@pytest.mark.parametrize("profile", PROFILES)
def test_html_escapes_what_people_typed(profile: str, sqlite_engine: Engine) -> None:
    policy = load_policy(profile)
    ctx = letter_context(
        policy,
        name=SCRIPT,
        reason=f"alasan {SCRIPT}",
        verdict_reason=SCRIPT,
        objections=[{"text": "hari", "note": SCRIPT, "ruling": "accepted", "reason": SCRIPT}],
    )
    for html in (render_warning_letter(ctx), render_outcome_letter(ctx)):
        assert "<script" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    from tests.outputs.factories import nip_of

    page = recap_html(policy, sqlite_engine, {nip_of(0, 1): SCRIPT})
    assert "<script" not in page
    assert "&lt;script&gt;" in page


@pytest.mark.parametrize(
    ("case", "verdict", "outcome", "says"),
    [
        ("defence_accepted", "accepted", "not_published", "PEMBELAAN SAUDARA DITERIMA"),
        ("defence_rejected", "rejected", "published", "PEMBELAAN SAUDARA DITOLAK"),
        ("no_defence", None, "published", "TIDAK ADA PEMBELAAN dari Saudara sampai batas waktu"),
        ("rescored_above_floor", "rejected", "not_published", "KEBERATAN SAUDARA ATAS DATA"),
        ("verdict_missing", None, "not_published", "BELUM DIPUTUS"),
    ],
)
def test_the_decision_letter_says_what_happened(
    case: str, verdict: str | None, outcome: str, says: str
) -> None:
    policy = load_policy("jabar")
    ctx = letter_context(
        policy,
        case=case,
        verdict=verdict,
        outcome=outcome,
        verdict_reason="Bukti sah dan lengkap" if verdict else "",
        rescore={"before": 70.0, "after": 80.5, "floor": 75.0},
    )
    text = render_outcome_letter_text(ctx)
    html = render_outcome_letter(ctx)
    assert says in text
    others = {"PEMBELAAN SAUDARA DITERIMA", "PEMBELAAN SAUDARA DITOLAK", "TIDAK ADA PEMBELAAN"}
    for other in others:
        assert (other in text) == (other in says), other
    assert "Alasan penetapan oleh Kepala Dinas Perhubungan: Capaian kegiatan rendah" in text
    if verdict:
        assert "Alasan putusan: Bukti sah dan lengkap" in text and "Bukti sah dan lengkap" in html
    if case == "rescored_above_floor":
        assert "80,50" in text and "di atas ambang 75,00" in text
    assert ("dimuat dalam pengumuman" in text) == (outcome == "published")
    # indicators: the low one is flagged, the others acknowledged
    assert "Kinerja: 40,0 (median unit kerja 66,0) - perlu ditingkatkan" in text
    assert "Kehadiran: 80,0 (median unit kerja 79,0) - memadai" in text


def test_the_warning_letter_offers_what_the_portal_receives() -> None:
    policy = load_policy("jabar")
    text = render_warning_letter_text(letter_context(policy))
    assert "PDF, JPEG atau PNG" in text and "5 MB per berkas" in text
    assert "menandai baris data yang keliru" in text
    assert "disertai bukti bila ada" not in text  # the old promise the portal could not keep


SHORT = "http://127.0.0.1:8100/s/7K3MQ9XA2BDF"


@pytest.mark.parametrize("render", [render_warning_letter_text, render_outcome_letter_text])
def test_a_link_in_a_text_letter_stands_alone_with_nothing_after_it(render: Any) -> None:
    text = render(letter_context(load_policy("jabar"), portal_url=SHORT))
    lines = [line for line in text.splitlines() if SHORT in line]
    assert lines, "the letter names no link"
    # copied with the line it is on, the link arrives whole: no full stop, bracket or comma
    assert all(line.strip() == SHORT for line in lines), lines


def test_the_html_warning_letter_links_and_prints_a_qr_code_of_the_short_link() -> None:
    html = render_warning_letter(letter_context(load_policy("jabar"), portal_url=SHORT))
    assert f'<a href="{SHORT}">{SHORT}</a>' in html
    assert html.count("<svg") == 1 and 'class="qr"' in html and "Pindai" in html
    outcome = render_outcome_letter(letter_context(load_policy("jabar"), portal_url=SHORT))
    assert f'<a href="{SHORT}">{SHORT}</a>' in outcome
