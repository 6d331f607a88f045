"""The BKD recap of a month: per OPD distribution, bands, candidates, decisions, data quality."""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from kinerja.db import coaching as coaching_store
from kinerja.db import drafts as draft_store
from kinerja.db import outcomes
from kinerja.domain import DefenceValue, OutcomeValue, SelectionValue, VerdictValue, WarningValue
from kinerja.outputs.announcements import not_announced, not_announced_rows
from kinerja.outputs.coaching import FollowUp, coach_label, follow_up
from kinerja.outputs.distribution import distribution_checks, distribution_rows
from kinerja.outputs.facts import MonthFacts
from kinerja.outputs.periods import next_period, previous
from kinerja.review.describe import recorded_by
from kinerja.rules.policy import Policy

BINS = 10  # score distribution in steps of 10 points
TREND_MONTHS = 6

# Decision counters shown per OPD: (column, kind, value).
DECISION_COLUMNS = [
    ("ditetapkan", "selection", SelectionValue.SELECTED),
    ("tidak_ditetapkan", "selection", SelectionValue.NOT_SELECTED),
    ("peringatan", "warning", WarningValue.ISSUED),
    ("pembelaan", "defence", DefenceValue.SUBMITTED),
    ("pembelaan_diterima", "verdict", VerdictValue.ACCEPTED),
    ("pembelaan_ditolak", "verdict", VerdictValue.REJECTED),
    ("diumumkan", "outcome", OutcomeValue.PUBLISHED),
    ("tidak_diumumkan", "outcome", OutcomeValue.NOT_PUBLISHED),
]

# The per-OPD summary, one definition for every format: (key, header). Excel shows all of it,
# Markdown the keys in SUMMARY_MARKDOWN.
SUMMARY_COLUMNS: list[tuple[str, str]] = [
    ("name", "Perangkat daerah"),
    ("code", "Kode"),
    ("rumpun", "Rumpun"),
    ("assessable", "Dapat dinilai"),
    ("status_reason", "Alasan"),
    ("scored", "Dinilai"),
    ("sufficient", "Data cukup"),
    ("insufficient", "Data kurang"),
    ("mean", "Rata-rata"),
    ("median", "Median"),
    ("minimum", "Min"),
    ("maximum", "Maks"),
    ("candidates", "Usulan"),
    ("announced", "Diumumkan"),
]
SUMMARY_MARKDOWN = (
    "name",
    "scored",
    "sufficient",
    "mean",
    "median",
    "minimum",
    "maximum",
    "candidates",
    "announced",
)
SUMMARY_STATS = frozenset({"mean", "median", "minimum", "maximum"})
# Published employees no announcement names, with why: (key, header).
NOT_ANNOUNCED_COLUMNS: list[tuple[str, str]] = [
    ("nip", "NIP"),
    ("name", "Nama"),
    ("opd_name", "Perangkat daerah"),
    ("reason", "Alasan tidak diumumkan"),
]


@dataclass
class OpdRecap:
    code: str
    name: str
    rumpun: str
    assessable: bool = True
    status_reason: str = ""
    scored: int = 0
    sufficient: int = 0
    mean: float | None = None
    median: float | None = None
    minimum: float | None = None
    maximum: float | None = None
    histogram: list[int] = field(default_factory=lambda: [0] * BINS)
    bands: dict[str, int] = field(default_factory=dict)
    candidates: int = 0
    decisions: dict[str, int] = field(default_factory=dict)
    no_decision: int = 0
    quarantined: dict[str, int] = field(default_factory=dict)

    @property
    def insufficient(self) -> int:
        return self.scored - self.sufficient

    @property
    def quarantined_total(self) -> int:
        return sum(self.quarantined.values())


def summary_headers(keys: Sequence[str]) -> list[str]:
    labels = dict(SUMMARY_COLUMNS)
    return [labels[k] for k in keys]


def summary_row(
    o: OpdRecap, keys: Sequence[str], number: Callable[[float | None], Any]
) -> list[Any]:
    """One OPD's summary values for `keys`; `number` formats the statistics."""
    values: dict[str, Any] = {
        "name": o.name,
        "code": o.code,
        "rumpun": o.rumpun,
        "assessable": "ya" if o.assessable else "tidak",
        "status_reason": o.status_reason,
        "scored": o.scored,
        "sufficient": o.sufficient,
        "insufficient": o.insufficient,
        "mean": o.mean,
        "median": o.median,
        "minimum": o.minimum,
        "maximum": o.maximum,
        "candidates": o.candidates,
        "announced": o.decisions.get("diumumkan", 0),
    }
    return [number(values[k]) if k in SUMMARY_STATS else values[k] for k in keys]


@dataclass
class Recap:
    period: str
    policy_name: str
    region: str
    bands: list[dict[str, Any]]
    opds: list[OpdRecap]
    total: OpdRecap
    trend_periods: list[str]
    trend: dict[str, list[float | None]]
    followups: list[FollowUp]
    coaching_next: list[dict[str, Any]]
    drafts: dict[str, int]
    quarantined_unplaced: int = 0
    # every approval, rejection, reset and withdrawal of a draft: who, when (local), why
    draft_history: list[dict[str, Any]] = field(default_factory=list)
    not_announced: list[dict[str, str]] = field(default_factory=list)
    # per review: how many names and why (e.g. "Hanya 1 pegawai di bawah ambang 75: ...")
    proposals: list[dict[str, Any]] = field(default_factory=list)
    # per candidate: review, selection and the head's reason verbatim, the outcome and why
    candidates: list[dict[str, Any]] = field(default_factory=list)
    # per OPD under a predikat profile: its predikat distribution against its organisation
    # rating (outputs.distribution.distribution_rows); a warning, never a re-ranking
    distribution: list[dict[str, Any]] = field(default_factory=list)


PROPOSAL_COLUMNS: list[tuple[str, str]] = [
    ("scope", "Tinjauan"),
    ("name", "Unit"),
    ("proposed", "Diusulkan"),
    ("below_floor", "Di bawah ambang"),
    ("note", "Keterangan"),
]
CANDIDATE_COLUMNS: list[tuple[str, str]] = [
    ("scope", "Tinjauan"),
    ("nip", "NIP"),
    ("name", "Nama"),
    ("composite", "Indeks komposit"),
    ("selection", "Penetapan"),
    ("reason", "Alasan pimpinan"),
    ("outcome", "Hasil"),
    ("outcome_reason", "Alasan hasil"),
]


DRAFT_HISTORY_COLUMNS: list[tuple[str, str]] = [
    ("draft", "Draf"),
    ("purpose", "Jenis"),
    ("scope", "Cakupan"),
    ("format", "Format"),
    ("decision", "Keputusan"),
    ("by", "Oleh"),
    ("at", "Waktu"),
    ("reason", "Alasan"),
]
PURPOSE_LABELS = {"announcement": "Pengumuman", "recognition": "Apresiasi"}
FORMAT_LABELS = {
    "caption": "Keterangan foto",
    "x_post": "Unggahan X",
    "press_release": "Siaran pers",
}


def draft_history(session: Session, period: str) -> list[dict[str, Any]]:
    """Every approval, rejection, reset and withdrawal of the period's drafts, oldest first."""
    from kinerja.templates.filters import local_stamp

    drafts = {d.id: d for d in draft_store.list_drafts(session, period)}
    rows: list[dict[str, Any]] = []
    for draft_id, steps in sorted(draft_store.histories(session, period).items()):
        d = drafts.get(draft_id)
        if d is None:
            continue
        for h in steps:
            rows.append(
                {
                    "draft": f"#{d.id}",
                    "purpose": PURPOSE_LABELS.get(d.purpose, d.purpose),
                    "scope": d.scope_code,
                    "format": FORMAT_LABELS.get(d.fmt, d.fmt),
                    "decision": draft_store.VALUE_LABELS.get(h.value, h.value),
                    "by": f"{h.actor} ({h.actor_role})",
                    "at": local_stamp(h.created_at),
                    "reason": h.reason,
                }
            )
    return rows


def bin_of(score: float) -> int:
    return min(BINS - 1, max(0, int(score // (100 / BINS))))


def _stats(rec: OpdRecap, values: list[float]) -> None:
    if values:
        rec.mean = statistics.fmean(values)
        rec.median = statistics.median(values)
        rec.minimum, rec.maximum = min(values), max(values)
    for v in values:
        rec.histogram[bin_of(v)] += 1


def build_recap(session: Session, facts: MonthFacts, policy: Policy) -> Recap:
    """Everything the BKD recap shows, computed from the database for `facts.period`."""
    period = facts.period
    statuses = outcomes.opd_statuses(session, period)
    codes = sorted(
        {s.opd_code for s in facts.scores.values()}
        | set(statuses)
        | {p.opd_code for p in facts.people.values()}
    )
    rumpun_of = {p.opd_code: p.rumpun_name or "" for p in facts.people.values()}
    recs = {
        c: OpdRecap(code=c, name=facts.opd_names.get(c, c), rumpun=rumpun_of.get(c, ""))
        for c in codes
    }
    total = OpdRecap(code="", name="Seluruh perangkat daerah", rumpun="")
    values: dict[str, list[float]] = {c: [] for c in codes}
    for s in facts.scores.values():
        rec = recs[s.opd_code]
        for r in (rec, total):
            r.scored += 1
            r.sufficient += int(bool(s.sufficient))
            if s.band:
                r.bands[s.band] = r.bands.get(s.band, 0) + 1
        if s.composite is not None and s.sufficient:
            values[s.opd_code].append(float(s.composite))
    for c, vals in values.items():
        _stats(recs[c], vals)
    _stats(total, [x for vals in values.values() for x in vals])
    for c, st in statuses.items():
        recs[c].assessable, recs[c].status_reason = st.assessable, st.reason
    for cand in outcomes.candidates(session, period):
        if cand.opd_code in recs:
            recs[cand.opd_code].candidates += 1
            total.candidates += 1
    counts = outcomes.decision_counts(
        session, period, {n: sc.opd_code for n, sc in facts.scores.items()}
    )
    for (opd, kind, value), n in counts.items():
        targets = [t for t in (recs.get(opd), total) if t is not None]
        for col, k, v in DECISION_COLUMNS:
            if (kind, value) == (k, v):
                for t in targets:
                    t.decisions[col] = t.decisions.get(col, 0) + n
        if kind == "no_decision":
            for t in targets:
                t.no_decision += n
    unplaced = 0
    for (opd, reason), n in outcomes.quarantine_counts(session, period).items():
        total.quarantined[reason] = total.quarantined.get(reason, 0) + n
        if opd in recs:
            recs[opd].quarantined[reason] = recs[opd].quarantined.get(reason, 0) + n
        else:
            unplaced += n
    periods = previous(period, TREND_MONTHS)
    means = outcomes.mean_composites(session, periods)
    trend = {c: [means.get((p, c)) for p in periods] for c in codes}
    next_month = next_period(period)
    coaching_next = [
        {
            "nip": a.nip,
            "name": facts.people[a.nip].name if a.nip in facts.people else a.nip,
            "opd_name": facts.people[a.nip].opd_name if a.nip in facts.people else "",
            "coach": coach_label(a.coach_role),
            "period": a.period,
            "checkins": list(a.checkin_dates),
            "goals": ", ".join(g["label"] for g in a.goals),
        }
        for a in coaching_store.for_period(session, next_month)
    ]
    drafts = Counter(d.status for d in draft_store.list_drafts(session, period))
    from kinerja.db.candidates import notes_for
    from kinerja.rules.labels import DECISION_LABELS

    proposals = [
        {
            "scope": code,
            "name": facts.opd_names.get(code, "Kepala Perangkat Daerah"),
            "proposed": n.proposed,
            "below_floor": n.below_floor,
            "note": n.note,
        }
        for code, n in sorted(notes_for(session, period).items())
    ]
    candidate_rows = []
    for cand in outcomes.candidates(session, period):
        sel, out = facts.decision("selection", cand.nip), facts.decision("outcome", cand.nip)
        person = facts.people.get(cand.nip)
        candidate_rows.append(
            {
                "scope": cand.review_scope,
                "nip": cand.nip,
                "name": person.name if person else cand.nip,
                "composite": cand.composite,
                "selection": DECISION_LABELS.get(("selection", sel.value), sel.value)
                if sel
                else "-",
                "reason": sel.reason if sel else "",
                "recorded_by": recorded_by(sel),
                "outcome": DECISION_LABELS.get(("outcome", out.value), out.value) if out else "-",
                "outcome_reason": out.reason if out else "",
            }
        )
    return Recap(
        period=period,
        policy_name=policy.name,
        region=policy.region,
        bands=[
            {
                "code": b.code,
                "label": b.label,
                "allowance": b.allowance,
                "promotion": b.promotion,
                "max_score": b.max_score,
            }
            for b in policy.categories()
        ],
        opds=[recs[c] for c in codes],
        total=total,
        trend_periods=periods,
        trend=trend,
        followups=follow_up(session, facts, policy),
        coaching_next=coaching_next,
        drafts=dict(drafts),
        draft_history=draft_history(session, period),
        quarantined_unplaced=unplaced,
        not_announced=not_announced_rows(facts, not_announced(facts, policy)),
        proposals=proposals,
        candidates=sorted(candidate_rows, key=lambda r: (r["scope"], r["composite"], r["nip"])),
        distribution=distribution_rows(
            distribution_checks(session, period, policy, codes), policy, facts.opd_names
        ),
    )
