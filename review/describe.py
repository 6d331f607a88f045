"""Markdown above the pause forms: candidates' composite, band, weakest parts and trend."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kinerja.db import reviews
from kinerja.db.models import Assignment, Candidate, Employee, Score
from kinerja.review.logic import ReviewState, candidates_of, state_of
from kinerja.rules.labels import COMPONENT_LABELS
from kinerja.templates.filters import local_time, zone_label


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


def _trend(session: Session, nips: list[str], period: str) -> dict[str, str]:
    """Composite over the last six months per NIP, oldest first (db.scores.score_history)."""
    from kinerja.db.scores import score_history

    hist = score_history(session, nips, period, months=6)
    return {
        str(nip): " → ".join(
            f"{p}: {_fmt(c)}" for p, c in zip(rows["period"], rows["composite"], strict=True)
        )
        for nip, rows in hist.groupby("nip")
    }


def candidate_rows(session: Session, period: str, scope_code: str) -> list[dict[str, Any]]:
    """One dict per candidate with name, indicators, components and explanation."""
    cands: list[Candidate] = candidates_of(session, period, scope_code)
    nips = [c.nip for c in cands]
    scores = {
        s.nip: s
        for s in session.scalars(select(Score).where(Score.period == period, Score.nip.in_(nips)))
    }
    names = {e.nip: e.name for e in session.scalars(select(Employee).where(Employee.nip.in_(nips)))}
    trend = _trend(session, nips, period) if nips else {}
    titles: dict[str, str] = {}
    for a in session.scalars(
        select(Assignment).where(Assignment.nip.in_(nips)).order_by(Assignment.start_date)
    ):
        titles[a.nip] = a.job_title  # the latest assignment wins
    rows = []
    for c in cands:
        s = scores.get(c.nip)
        rows.append(
            {
                "rank": c.rank,
                "nip": c.nip,
                "name": names.get(c.nip, c.nip),
                "opd_code": c.opd_code,
                "job_title": titles.get(c.nip, ""),
                "composite": c.composite,
                "kinerja": s.kinerja if s else None,
                "kehadiran": s.kehadiran if s else None,
                "perilaku": s.perilaku if s else None,
                "band": s.band if s else None,
                "components": {
                    k: v
                    for k, v in ((s.components or {}) if s else {}).items()
                    if k.startswith("c_") and isinstance(v, int | float) and not isinstance(v, bool)
                },
                "explanation": s.explanation if s else "",
                "trend": trend.get(c.nip, ""),
            }
        )
    return rows


def _lowest(components: dict[str, float], n: int = 2) -> str:
    """The `n` lowest score components, with their Indonesian labels: 'Kegiatan utama ... 41.0'."""
    low = sorted(components.items(), key=lambda kv: (kv[1], kv[0]))[:n]
    return "; ".join(f"{COMPONENT_LABELS.get(k.removeprefix('c_'), k)} {_fmt(v)}" for k, v in low)


def _trend_values(trend: str) -> str:
    """'2025-09: 51.0 → 2025-10: 51.0' -> '51.0 → 51.0' (the months are in the header)."""
    return " → ".join(part.split(": ", 1)[-1] for part in trend.split(" → ")) if trend else "-"


def selection_markdown(rows: list[dict[str, Any]], period: str, scope_code: str) -> str:
    """The short Indonesian text above the selection form: the candidates' table first (the
    classic UI gives it only the height the form leaves), then their weakest parts and trend."""
    lines = ["| # | Nama | NIP | Indeks | Kategori |", "|---|---|---|---|---|"]
    for r in rows:
        lines.append(
            f"| {r['rank']} | {r['name']} | {r['nip']} | {_fmt(r['composite'])} | "
            f"{r['band'] or '-'} |"
        )
    lines += [
        "",
        f"Pemilihan {scope_code} periode {period}: tulis alasan hanya untuk kandidat yang "
        "dinyatakan berkinerja rendah (boleh tidak ada); kosongkan yang lain.",
        "",
    ]
    for r in rows:
        lines.append(
            f"- {r['rank']}. {r['name']}: terendah {_lowest(r['components']) or '-'}; "
            f"tren 6 bulan {_trend_values(r['trend'])}"
        )
    return "\n".join(lines)


def selection_brief(session: Session, period: str, scope_code: str) -> str:
    """The review's selection Markdown as the cycle wrote it when it asked the head (computed
    now for a review the cycle has not reached)."""
    review = reviews.require_review(session, period, scope_code)
    if review.selection_brief is not None:
        return review.selection_brief
    return selection_markdown(candidate_rows(session, period, scope_code), period, scope_code)


def candidate_names(session: Session, period: str, scope_code: str) -> dict[str, str]:
    """NIP -> name of the review's candidates (the NIP itself when the register has no name)."""
    nips = [c.nip for c in candidates_of(session, period, scope_code)]
    return _names(session, nips)


def _names(session: Session, nips: list[str]) -> dict[str, str]:
    found = {e.nip: e.name for e in session.scalars(select(Employee).where(Employee.nip.in_(nips)))}
    return {nip: found.get(nip, nip) for nip in nips}


def defence_markdown(state: ReviewState, names: dict[str, str]) -> str:
    """The short Indonesian text above the defence and verdict form."""
    deadline = "-"
    if state.defence_deadline:
        deadline = f"{local_time(state.defence_deadline):%Y-%m-%d %H:%M} {zone_label()}"
    lines = ["| Nama | NIP | Status |", "|---|---|---|"]
    for nip in state.selected:
        if nip in state.awaiting_defence:
            status = "menunggu pembelaan"
        elif nip in state.awaiting_verdict:
            status = "menunggu putusan"
        else:
            status = "sudah diputus"
        lines.append(f"| {names.get(nip, nip)} | {nip} | {status} |")
    lines += [
        "",
        f"Pembelaan dan putusan {state.scope_code} periode {state.period}, batas waktu "
        f"{deadline}. Satu pegawai per kiriman: catat pembelaannya, atau putusan kepala OPD "
        "(diterima/ditolak) dengan alasan.",
    ]
    return "\n".join(lines)


def defence_description(
    session: Session, period: str, scope_code: str
) -> tuple[str, dict[str, str]]:
    """The text above the defence and verdict form for the review as it is now, and the names."""
    state = state_of(session, reviews.require_review(session, period, scope_code))
    names = _names(session, state.selected)
    return defence_markdown(state, names), names


def recorded_by(decision: Any) -> str:
    """Who recorded a decision, as shown beside it (portal pages, recap): '' for the decider's
    own answer through their link; an operator's, or an operator's at the head's request.

    `decision` is a Decision row (actor, actor_role, channel, payload) or None.
    """
    if decision is None or decision.actor_role != "bkd_operator":
        return ""
    channel = {"cli": "CLI", "ui": "Prefect UI"}.get(decision.channel, decision.channel)
    behalf = (decision.payload or {}).get("on_behalf_of")
    if behalf:
        return (
            f"dicatat oleh operator BKD {decision.actor} ({channel}) atas nama NIP "
            f"{behalf.get('nip')}, atas permintaannya: {behalf.get('note')}"
        )
    return f"keputusan operator BKD {decision.actor} ({channel})"
