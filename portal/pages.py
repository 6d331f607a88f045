"""Page builders and form parsers for each link purpose (plain functions over a session)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kinerja.db.decisions import effective
from kinerja.db.models import Candidate, Employee, PortalLink, Review
from kinerja.domain import utcnow
from kinerja.portal.people import DECIDER, scope_head_nip
from kinerja.portal.queries import (
    candidates_view,
    case_view,
    opd_names,
    overview,
    pending_verdicts,
    review_for,
)
from kinerja.review.corrections import (
    ACTIVITY_CLAIM,
    ATTENDANCE_CLAIMS,
    NOTE_MIN,
    ObjectionInput,
)
from kinerja.review.evidence import ALLOWED, Limits, Upload, check_uploads
from kinerja.review.links import LinkClaims, LinkRefused
from kinerja.review.validate import DEFENCE_MAX, DEFENCE_MIN, REASON_MAX, REASON_MIN
from kinerja.rules.policy import Policy, PolicyError, load_policy
from kinerja.rules.predikat import DistributionCheck

TEXT_MAX = DEFENCE_MAX  # the limits are review.validate's, shared with the CLI and the UI
ALL_SCOPES = "*"


@lru_cache(maxsize=4)
def _load(name: str) -> Policy:
    return load_policy(name)


def period_policy(session: Session, period: str) -> Policy:
    """The profile that scored the period (its category labels and distribution guide): the
    configured one (KINERJA_POLICY) when it is the one named on the scores, else the shipped
    profile of that name, else the configured one."""
    from kinerja.db.models import Score
    from kinerja.settings import get_settings

    configured = _load(get_settings().policy)
    name = session.scalar(select(Score.policy_name).where(Score.period == period).limit(1))
    if name is None or name == configured.name:
        return configured
    try:
        return _load(name)
    except PolicyError:
        return configured


@dataclass
class Page:
    """A template to render, its HTTP status and its context."""

    template: str
    status: int = 200
    context: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Form:
    """A page's form: its CSRF token and, when a submission comes back, its errors and values."""

    csrf: str
    errors: dict[str, str] = field(default_factory=dict)
    values: dict[str, str] = field(default_factory=dict)
    token: str = ""  # the link's token, for links under it (evidence files)


REFUSALS = {
    "invalid": (
        403,
        "Tautan tidak sah",
        "Tautan ini tidak dikenali atau telah diubah. Gunakan tautan asli dari notifikasi yang "
        "Bapak/Ibu terima.",
    ),
    "expired": (
        410,
        "Tautan kedaluwarsa",
        "Masa berlaku tautan ini telah habis. Hubungi BKD untuk meminta tautan baru.",
    ),
    "used": (
        410,
        "Tautan sudah digunakan",
        "Keputusan dari tautan ini sudah dicatat. Setiap tautan hanya dapat digunakan satu kali.",
    ),
    "csrf": (
        403,
        "Formulir tidak sah",
        "Formulir ini tidak berasal dari halaman portal untuk tautan Bapak/Ibu, atau sudah terlalu "
        "lama dibuka. Buka kembali tautan Bapak/Ibu lalu kirim ulang. Tidak ada yang dicatat.",
    ),
    "state": (
        409,
        "Keputusan tidak dapat dicatat",
        "Keputusan ini tidak sesuai dengan tahap tinjauan saat ini (misalnya sudah diputuskan "
        "atau batas waktunya telah lewat). Tidak ada yang diubah.",
    ),
    "not_head": (
        403,
        "Tautan bukan untuk pemutus tinjauan ini",
        # reviews are per OPD even when names are ranked per rumpun: only that OPD's head
        "Keputusan tinjauan ini hanya dapat diambil oleh kepala perangkat daerah yang "
        "bersangkutan, melalui tautan atas namanya. Tidak ada yang dicatat. Hubungi BKD bila "
        "Bapak/Ibu yang kini memegang jabatan tersebut.",
    ),
    "method": (405, "Tidak ada yang perlu dikirim", "Halaman ini hanya untuk dibaca."),
    "evidence": (
        403,
        "Bukti tidak dapat dibuka",
        "Berkas bukti pembelaan hanya dapat dibuka oleh pimpinan yang memutus dan BKD, melalui "
        "tautan putusan atau tautan pemantauan BKD untuk tinjauan yang sama.",
    ),
    "evidence_unreadable": (
        500,
        "Bukti tidak dapat dibuka",
        "Berkas bukti ini tidak ditemukan atau isinya tidak lagi sama dengan saat diterima "
        "(SHA-256 berbeda). Kejadian ini dicatat; hubungi BKD.",
    ),
    "too_large": (
        413,
        "Kiriman terlalu besar",
        "Ukuran berkas bukti melebihi batas. Kurangi jumlah atau ukuran berkas, lalu kirim ulang "
        "dengan tautan yang sama. Tidak ada yang dicatat.",
    ),
    "error": (
        503,
        "Terjadi gangguan",
        "Keputusan Bapak/Ibu belum tercatat karena gangguan sistem. Silakan coba lagi beberapa "
        "saat lagi dengan tautan yang sama.",
    ),
}


def refusal_page(
    session: Session | None, reason: str, link_id: str | None = None, detail: str = ""
) -> Page:
    status, title, message = REFUSALS[reason]
    link = session.get(PortalLink, link_id) if session is not None and link_id else None
    return Page(
        "portal/refused.html",
        status,
        {
            "title": title,
            "message": message,
            "reason": reason,
            "detail": detail,
            "problems": [],
            "expired_at": link.expires_at if link is not None and reason == "expired" else None,
            "used_at": link.used_at if link is not None and reason == "used" else None,
        },
    )


def refusal_from(session: Session, exc: LinkRefused) -> Page:
    return refusal_page(session, exc.reason, exc.link_id)


def _before(deadline: datetime | None, now: datetime) -> bool:
    return deadline is None or now < deadline


def _base(session: Session, claims: LinkClaims, form: Form) -> dict[str, Any]:
    decider, scope_name = DECIDER, opd_names(session).get(claims.scope_code, claims.scope_code)
    if claims.scope_code != ALL_SCOPES:
        from kinerja.review.deciders import decider_of

        who = decider_of(session, claims.scope_code)
        decider, scope_name = who.title, opd_names(session).get(claims.scope_code, who.scope_name)
    policy = period_policy(session, claims.period)
    return {
        "CATEGORY": {c.code: c.label for c in policy.categories()},
        "predikat_profile": policy.predikat is not None,
        "claims": claims,
        "period": claims.period,
        "scope_code": claims.scope_code,
        "scope_name": scope_name,
        "decider": decider,
        "csrf": form.csrf,
        "token": form.token,
        "link_expires": claims.expires_at,
    }


def _deadline(review: Review | None, purpose: str) -> datetime | None:
    """The deadline of the stage in which a link of `purpose` acts."""
    if review is None:
        return None
    return review.selection_deadline if purpose == "selection" else review.defence_deadline


def _form_page(
    template: str,
    session: Session,
    claims: LinkClaims,
    form: Form,
    review: Review | None,
    closed: str,
    **context: Any,
) -> Page:
    """A decision page: `closed` says why it takes no answer; 422 when a submission had errors."""
    ctx = _base(session, claims, form) | {
        "review": review,
        "deadline": _deadline(review, claims.purpose),
        "closed": closed,
        "errors": form.errors,
        "values": form.values,
        **context,
    }
    return Page(template, 422 if form.errors else 200, ctx)


def holder_refusal(session: Session, claims: LinkClaims) -> str | None:
    """'not_head' when a selection or verdict link is held by someone other than the decider.

    The head is read when the link is used, not when it was issued: a head replaced since
    then can no longer decide with the old link.
    """
    if claims.purpose not in ("selection", "verdict"):
        return None
    review = review_for(session, claims.period, claims.scope_code)
    if review is None:
        return None  # nothing to decide; the page says so and the service refuses a post
    head = scope_head_nip(session, review)
    return None if head is not None and head == claims.person_nip else "not_head"


def parse_choices(
    fields: dict[str, str],
    nips: list[str],
    *,
    field: str,
    options: dict[str, bool],
    choose: str,
    foreign: str,
    empty: str,
) -> tuple[dict[str, tuple[bool, str]], dict[str, str]]:
    """A per-NIP radio + reason form -> {nip: (option's value, reason)} and errors by NIP.

    Every NIP in `nips` must be answered with a reason; a field naming any other NIP is an
    error for the whole form (`foreign` + the NIPs), never silently dropped.
    """
    errors: dict[str, str] = {}
    strangers = sorted(
        {
            key.split("_", 1)[1]
            for key in fields
            if key.startswith((f"{field}_", "reason_")) and key.split("_", 1)[1] not in nips
        }
    )
    if strangers:
        errors["_form"] = foreign + ", ".join(strangers)
    answers: dict[str, tuple[bool, str]] = {}
    for nip in nips:
        choice = fields.get(f"{field}_{nip}", "")
        reason = fields.get(f"reason_{nip}", "").strip()
        if choice not in options:
            errors[nip] = choose
        elif len(reason) < REASON_MIN:
            errors[nip] = f"Tuliskan alasan (minimal {REASON_MIN} karakter)."
        elif len(reason) > REASON_MAX:
            errors[nip] = f"Alasan terlalu panjang (maksimal {REASON_MAX} karakter)."
        else:
            answers[nip] = (options[choice], reason)
    if not nips and "_form" not in errors:
        errors["_form"] = empty
    return answers, errors


# --- selection ------------------------------------------------------------------------------


def selection_page(session: Session, claims: LinkClaims, form: Form) -> Page:
    review = review_for(session, claims.period, claims.scope_code)
    now = utcnow()
    closed = ""
    if review is None:
        closed = "Belum ada tinjauan untuk unit ini pada periode ini."
    elif review.stage != "awaiting_selection":
        closed = "Pemilihan untuk unit ini sudah selesai; tahap saat ini tidak menunggu pilihan."
    elif not _before(review.selection_deadline, now):
        closed = "Batas waktu pemilihan telah lewat."
    candidates = candidates_view(session, claims.period, claims.scope_code)
    from kinerja.db.candidates import notes_for

    note = notes_for(session, claims.period).get(claims.scope_code)
    return _form_page(
        "portal/selection.html", session, claims, form, review, closed,
        candidates=candidates, note=note.note if note is not None else "",
        distribution=_distribution(session, claims),
    )  # fmt: skip


def selection_confirm_page(
    session: Session, claims: LinkClaims, form: Form, answers: dict[str, tuple[bool, str]]
) -> Page:
    """The step before a once-only selection: who would be classed underperforming (and who
    not) and why, by name and NIP; "Kirim" records it, "Ubah" goes back to the form."""
    review = review_for(session, claims.period, claims.scope_code)
    rows = [
        {"nip": c.nip, "name": c.name, "rank": c.rank, "selected": answers[c.nip][0],
         "reason": answers[c.nip][1]}
        for c in candidates_view(session, claims.period, claims.scope_code)
        if c.nip in answers
    ]  # fmt: skip
    hidden = {k: v for k, v in form.values.items() if k.startswith(("choice_", "reason_"))}
    ctx = _base(session, claims, form) | {
        "deadline": _deadline(review, claims.purpose),
        "rows": rows,
        "hidden": hidden,
    }
    return Page("portal/selection_confirm.html", 200, ctx)


def names_of(session: Session, nips: list[str]) -> dict[str, str]:
    """NIP -> name for the result page (the NIP itself when the register has no name)."""
    rows = session.execute(select(Employee.nip, Employee.name).where(Employee.nip.in_(nips)))
    found = {nip: name for nip, name in rows}
    return {n: found.get(n, n) for n in nips}


def _distribution(session: Session, claims: LinkClaims) -> DistributionCheck | None:
    """The OPD's predikat distribution against its organisation rating (a predikat profile
    only): shown to the head as a warning; it never changes who is proposed or in which order."""
    policy = period_policy(session, claims.period)
    if policy.predikat is None or claims.scope_code not in opd_names(session):
        return None
    from kinerja.outputs.distribution import distribution_checks

    (check,) = distribution_checks(session, claims.period, policy, [claims.scope_code])
    return check


def _scope_candidates(session: Session, claims: LinkClaims) -> list[str]:
    return list(
        session.scalars(
            select(Candidate.nip)
            .where(Candidate.period == claims.period, Candidate.review_scope == claims.scope_code)
            .order_by(Candidate.rank, Candidate.nip)
        )
    )


def parse_selection(
    session: Session, claims: LinkClaims, fields: dict[str, str]
) -> tuple[dict[str, tuple[bool, str]], dict[str, str]]:
    """Form -> {nip: (selected, reason)}; every candidate answered, no NIP from elsewhere."""
    return parse_choices(
        fields,
        _scope_candidates(session, claims),
        field="choice",
        options={"ya": True, "tidak": False},
        choose="Pilih 'Ya' atau 'Tidak' untuk pegawai ini.",
        foreign="NIP berikut bukan kandidat unit ini dan tidak dapat diputuskan dari tautan ini: ",
        empty="Tidak ada kandidat untuk unit ini pada periode ini.",
    )


# --- defence --------------------------------------------------------------------------------


@dataclass(frozen=True)
class DefenceInput:
    """A defence as submitted: the text, the files and the rows marked wrong."""

    text: str
    files: list[Upload] = field(default_factory=list)
    objections: list[ObjectionInput] = field(default_factory=list)


def defence_page(session: Session, claims: LinkClaims, form: Form) -> Page:
    review = review_for(session, claims.period, claims.scope_code)
    case = case_view(session, claims.period, claims.scope_code, claims.person_nip)
    now = utcnow()
    closed = ""
    if case.selection is None or case.selection.value != "selected":
        closed = "Tidak ada peringatan untuk Bapak/Ibu pada periode ini."
    elif case.defence is not None:
        closed = "Pembelaan Bapak/Ibu sudah diterima."
    elif review is None or review.stage != "awaiting_defence":
        closed = "Tahap pembelaan untuk unit Bapak/Ibu sudah ditutup."
    elif not _before(review.defence_deadline, now):
        closed = "Batas waktu pembelaan telah lewat."
    limits = Limits.from_settings()
    return _form_page(
        "portal/defence.html",
        session,
        claims,
        form,
        review,
        closed,
        case=case,
        defence_min=DEFENCE_MIN,
        note_min=NOTE_MIN,
        claims_attendance=ATTENDANCE_CLAIMS,
        evidence_allowed=ALLOWED,
        evidence_limits={
            "files": limits.max_files,
            "file_mb": limits.max_file_bytes / (1024 * 1024),
            "total_mb": limits.max_total_bytes / (1024 * 1024),
        },
    )


def _objections_from(fields: dict[str, str], errors: dict[str, str]) -> list[ObjectionInput]:
    """Rows ticked as wrong: obj_att_<date> (with claim_att_<date>), obj_act_<id> and
    obj_apv_<id>, each with its note_<same suffix>."""
    out: list[ObjectionInput] = []
    for key, value in fields.items():
        if not key.startswith("obj_") or value != "ya":
            continue
        kind_code, ref = key[4:].split("_", 1) if "_" in key[4:] else ("", "")
        note = fields.get(f"note_{kind_code}_{ref}", "").strip()
        if kind_code == "att":
            claim = fields.get(f"claim_att_{ref}", "")
            out.append(ObjectionInput("attendance_day", ref, claim, note))
        elif kind_code in ("act", "apv"):
            kind = "activity" if kind_code == "act" else "approval_missing"
            out.append(ObjectionInput(kind, ref, ACTIVITY_CLAIM[kind], note))
        else:
            errors["objections"] = "Isian keberatan data tidak dikenali."
            continue
        if len(note) < NOTE_MIN:
            errors["objections"] = (
                f"Tuliskan keterangan (minimal {NOTE_MIN} karakter) untuk setiap baris yang "
                "Bapak/Ibu tandai keliru."
            )
    return out


def parse_defence(
    session: Session, claims: LinkClaims, fields: dict[str, str], files: list[Upload] | None = None
) -> tuple[DefenceInput, dict[str, str]]:
    text = fields.get("defence", "").strip()
    errors: dict[str, str] = {}
    if len(text) < DEFENCE_MIN:
        errors["defence"] = f"Tuliskan pembelaan Bapak/Ibu (minimal {DEFENCE_MIN} karakter)."
    elif len(text) > TEXT_MAX:
        errors["defence"] = f"Pembelaan terlalu panjang (maksimal {TEXT_MAX} karakter)."
    objections = _objections_from(fields, errors)
    _, problems = check_uploads(files or [], Limits.from_settings())
    if problems:
        errors["evidence"] = "; ".join(problems)
    return DefenceInput(text, list(files or []), objections), errors


# --- verdict --------------------------------------------------------------------------------


def _pending(session: Session, claims: LinkClaims) -> list[Any]:
    return pending_verdicts(session, claims.period, claims.scope_code)


def verdict_page(session: Session, claims: LinkClaims, form: Form) -> Page:
    review: Review | None = review_for(session, claims.period, claims.scope_code)
    cases = _pending(session, claims)
    closed = ""
    if review is None or review.stage != "awaiting_defence":
        closed = "Tahap pembelaan untuk unit ini sudah ditutup."
    elif not _before(review.defence_deadline, utcnow()):
        closed = "Batas waktu tahap pembelaan telah lewat."
    elif not cases:
        closed = "Tidak ada pembelaan yang menunggu putusan Bapak/Ibu."
    return _form_page("portal/verdict.html", session, claims, form, review, closed, cases=cases)


@dataclass(frozen=True)
class VerdictInput:
    """The verdict on one defence, and the ruling on each of its data objections."""

    accepted: bool
    reason: str
    rulings: dict[int, tuple[bool, str]] = field(default_factory=dict)


def parse_verdict(
    session: Session, claims: LinkClaims, fields: dict[str, str]
) -> tuple[dict[str, VerdictInput], dict[str, str]]:
    """Form -> {nip: verdict} for every defence shown, each objection ruled with a reason."""
    cases = _pending(session, claims)
    answers, errors = parse_choices(
        fields,
        [c.nip for c in cases],
        field="verdict",
        options={"terima": True, "tolak": False},
        choose="Pilih 'Terima' atau 'Tolak' untuk pembelaan ini.",
        foreign="NIP berikut tidak menunggu putusan dari tautan ini: ",
        empty="Tidak ada pembelaan yang menunggu putusan dari tautan ini.",
    )
    out: dict[str, VerdictInput] = {}
    for case in cases:
        rulings: dict[int, tuple[bool, str]] = {}
        for o in case.objections:
            choice = fields.get(f"ruling_{o.id}", "")
            why = fields.get(f"ruling_reason_{o.id}", "").strip()
            if choice not in ("terima", "tolak"):
                errors[f"ruling_{o.id}"] = "Pilih 'Terima' atau 'Tolak' untuk keberatan ini."
            elif len(why) < REASON_MIN:
                errors[f"ruling_{o.id}"] = f"Tuliskan alasan (minimal {REASON_MIN} karakter)."
            elif len(why) > REASON_MAX:
                errors[f"ruling_{o.id}"] = (
                    f"Alasan terlalu panjang (maksimal {REASON_MAX} karakter)."
                )
            else:
                rulings[o.id] = (choice == "terima", why)
        if case.nip in answers:
            accepted, reason = answers[case.nip]
            out[case.nip] = VerdictInput(accepted, reason, rulings)
    return out, errors


def recorded(session: Session, claims: LinkClaims, parsed: Any) -> bool:
    """Whether the decision a submission asked for is in the database (after a failure)."""
    if claims.purpose == "selection":
        return bool(effective(session, claims.period, claims.scope_code, "selection"))
    if claims.purpose == "defence":
        found = effective(session, claims.period, claims.scope_code, "defence")
        return claims.person_nip in found
    verdicts = effective(session, claims.period, claims.scope_code, "verdict")
    return all(nip in verdicts for nip in parsed)


# --- overview -------------------------------------------------------------------------------


def overview_page(session: Session, claims: LinkClaims, form: Form) -> Page:
    rows = overview(session, claims.period)
    if claims.scope_code != ALL_SCOPES:
        rows = [r for r in rows if r.scope_code == claims.scope_code]
    ctx = _base(session, claims, form) | {"rows": rows, "now": utcnow()}
    return Page("portal/overview.html", 200, ctx)


PAGES = {
    "selection": selection_page,
    "defence": defence_page,
    "verdict": verdict_page,
    "overview": overview_page,
}
