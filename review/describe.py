"""Markdown shown above the pause forms: the candidates, their indicators, trend and explanation."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kinerja.db import reviews
from kinerja.db.models import Assignment, Candidate, Employee, Score
from kinerja.review.logic import ReviewState, candidates_of, state_of


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


def selection_markdown(rows: list[dict[str, Any]], period: str, scope_code: str) -> str:
    """The Indonesian text above the selection form."""
    lines = [
        f"## Pemilihan pegawai berkinerja rendah: {scope_code}, periode {period}",
        "",
        "Pilih kandidat yang dinyatakan berkinerja rendah (boleh tidak ada) dan tulis alasan "
        "untuk setiap pilihan. Hanya kandidat di bawah ini yang dapat dipilih.",
        "",
        "| # | NIP | Nama | Indeks | Kinerja | Kehadiran | Perilaku | Kategori |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['rank']} | {r['nip']} | {r['name']} | {_fmt(r['composite'])} | "
            f"{_fmt(r['kinerja'])} | {_fmt(r['kehadiran'])} | {_fmt(r['perilaku'])} | "
            f"{r['band'] or '-'} |"
        )
    for r in rows:
        lines += ["", f"### {r['name']} ({r['nip']})"]
        if r["components"]:
            comps = ", ".join(f"{k}: {_fmt(v)}" for k, v in sorted(r["components"].items()))
            lines.append(f"- Komponen: {comps}")
        if r["trend"]:
            lines.append(f"- Tren indeks: {r['trend']}")
        if r["explanation"]:
            lines.append(f"- Penjelasan: {r['explanation']}")
    return "\n".join(lines)


def defence_markdown(state: ReviewState, names: dict[str, str]) -> str:
    """The Indonesian text above the defence and verdict form."""
    deadline = f"{state.defence_deadline:%Y-%m-%d %H:%M} UTC" if state.defence_deadline else "-"
    lines = [
        f"## Pembelaan dan putusan: {state.scope_code}, periode {state.period}",
        "",
        f"Batas waktu: {deadline}. Aksi `defence` mencatat pembelaan tertulis pegawai; "
        "aksi `verdict` mencatat putusan kepala OPD atas pembelaan itu, dengan alasan.",
        "",
        "| NIP | Nama | Status |",
        "|---|---|---|",
    ]
    for nip in state.selected:
        if nip in state.awaiting_defence:
            status = "menunggu pembelaan"
        elif nip in state.awaiting_verdict:
            status = "menunggu putusan"
        else:
            status = "sudah diputus"
        lines.append(f"| {nip} | {names.get(nip, nip)} | {status} |")
    return "\n".join(lines)


def defence_description(session: Session, period: str, scope_code: str) -> str:
    """The Indonesian text above the defence and verdict form, for the review as it is now."""
    state = state_of(session, reviews.require_review(session, period, scope_code))
    names = {
        e.nip: e.name
        for e in session.scalars(select(Employee).where(Employee.nip.in_(state.selected)))
    }
    return defence_markdown(state, names)


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
