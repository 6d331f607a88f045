"""Read-only page data for the portal: candidates, one employee's case, the BKD overview.

Behaviour (360°) data leaves this module only aggregated over all raters, and the per-item
breakdown only when enough raters answered that no single rater's answer can be recovered.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kinerja.db import objections as objection_store
from kinerja.db.decisions import effective, history
from kinerja.db.models import (
    Activity,
    AttendanceRecord,
    BehaviourAnswer,
    Candidate,
    Decision,
    Employee,
    Evidence,
    Opd,
    Review,
    Score,
)
from kinerja.domain import OutcomeValue
from kinerja.review.logic import state_of

MIN_RATERS_FOR_BREAKDOWN = 3
TREND_MONTHS = 6


@dataclass
class TrendPoint:
    period: str
    composite: float | None


@dataclass
class ComponentRow:
    """One leaf of the score tree: its value (0-100) and its effective weight in percent."""

    key: str
    value: float
    weight_pct: float | None


@dataclass
class CandidateView:
    nip: str
    name: str
    opd_code: str
    opd_name: str
    rank: int
    composite: float | None
    kinerja: float | None
    kehadiran: float | None
    perilaku: float | None
    band: str | None
    explanation: str
    components: list[ComponentRow]
    counts: list[tuple[str, int]]
    trend: list[TrendPoint]
    # under a predikat profile: (what, rating label), e.g. ("Hasil kerja", "Di bawah ekspektasi")
    ratings: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class BehaviourSummary:
    raters: int
    overall: float | None
    items: list[tuple[str, float]]  # (item, mean over all raters); empty when too few raters


@dataclass
class AttendanceDay:
    work_date: date
    status: str
    check_in: time | None
    check_out: time | None


@dataclass
class ActivityRow:
    work_date: date
    kind: str
    description: str
    minutes: float
    completed: bool
    approval: str
    id: int = 0


@dataclass
class ObjectionView:
    """A data objection of the defence, and the ruling on it once given."""

    id: int
    kind: str
    row_ref: str
    claim: str
    note: str
    text: str  # the objection in one Indonesian line
    ruling: Decision | None = None


@dataclass
class CaseView:
    """Everything an employee may see about their own warning."""

    nip: str
    name: str
    opd_code: str
    opd_name: str
    score: Score | None
    components: list[ComponentRow]
    counts: list[tuple[str, int]]
    selection: Decision | None
    warning: Decision | None
    defence: Decision | None
    verdict: Decision | None
    attendance: list[AttendanceDay]
    attendance_counts: dict[str, int]
    activities: list[ActivityRow]
    behaviour: BehaviourSummary
    evidence: list[Evidence] = field(default_factory=list)
    objections: list[ObjectionView] = field(default_factory=list)
    rescore: Decision | None = None


@dataclass
class OverviewRow:
    scope_code: str
    scope_name: str
    stage: str
    deadline: datetime | None
    waiting: list[str] = field(default_factory=list)
    selected: int = 0
    published: int = 0
    decisions: int = 0
    evidence: list[Evidence] = field(default_factory=list)  # defence files, for BKD
    note: str = ""  # why the review holds as many names as it does


def _names(session: Session, nips: list[str]) -> dict[str, str]:
    """NIP -> name of the employees in `nips` found in the register."""
    stmt = select(Employee.nip, Employee.name).where(Employee.nip.in_(nips))
    return {nip: name for nip, name in session.execute(stmt).tuples()}


def review_for(session: Session, period: str, scope_code: str) -> Review | None:
    return session.scalar(
        select(Review).where(Review.period == period, Review.scope_code == scope_code)
    )


def opd_names(session: Session) -> dict[str, str]:
    return {code: name for code, name in session.execute(select(Opd.code, Opd.name))}


COUNT_KEYS = (
    "workdays_expected",
    "days_observed",
    "days_excused",
    "days_absent",
    "late_count",
    "early_count",
    "missing_checkin",
    "missing_checkout",
    "activities_unapproved",
    "activities_incomplete",
    "raters",
)


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float) or value != value:
        return None
    return float(value)


def split_components(
    components: dict[str, Any],
) -> tuple[list[ComponentRow], list[tuple[str, int]]]:
    """The leaves that had data (heaviest first) and the counts behind them."""
    leaves = []
    for key, raw in components.items():
        value = _number(raw)
        if not key.startswith("c_") or value is None:
            continue
        weight = _number(components.get("w_" + key[2:]))
        leaves.append(ComponentRow(key, value, None if weight is None else weight * 100))
    leaves.sort(key=lambda r: (-(r.weight_pct or 0.0), r.key))
    counts = [
        (key, int(value))
        for key in COUNT_KEYS
        if (value := _number(components.get(key))) is not None
    ]
    return leaves, counts


def _trends(session: Session, nips: list[str], period: str) -> dict[str, list[TrendPoint]]:
    rows = session.execute(
        select(Score.nip, Score.period, Score.composite)
        .where(Score.nip.in_(nips), Score.period <= period)
        .order_by(Score.nip, Score.period.desc())
    )
    out: dict[str, list[TrendPoint]] = defaultdict(list)
    for nip, per, composite in rows:
        if len(out[nip]) < TREND_MONTHS:
            out[nip].append(TrendPoint(per, composite))
    return {nip: list(reversed(points)) for nip, points in out.items()}


def candidates_view(session: Session, period: str, scope_code: str) -> list[CandidateView]:
    """The review's candidates with their indicators, trend and explanation, by rank."""
    cands = list(
        session.scalars(
            select(Candidate)
            .where(Candidate.period == period, Candidate.review_scope == scope_code)
            .order_by(Candidate.rank, Candidate.nip)
        )
    )
    if not cands:
        return []
    nips = [c.nip for c in cands]
    names = _names(session, nips)
    scores = {
        s.nip: s
        for s in session.scalars(select(Score).where(Score.period == period, Score.nip.in_(nips)))
    }
    opds = opd_names(session)
    trends = _trends(session, nips, period)
    views = []
    for c in cands:
        s = scores.get(c.nip)
        leaves, counts = split_components(dict(s.components or {}) if s else {})
        views.append(
            CandidateView(
                nip=c.nip,
                name=names.get(c.nip, c.nip),
                opd_code=c.opd_code,
                opd_name=opds.get(c.opd_code, c.opd_code),
                rank=c.rank,
                composite=s.composite if s else c.composite,
                kinerja=s.kinerja if s else None,
                kehadiran=s.kehadiran if s else None,
                perilaku=s.perilaku if s else None,
                band=s.band if s else None,
                explanation=s.explanation if s else "",
                components=leaves,
                counts=counts,
                trend=trends.get(c.nip, []),
                ratings=ratings_of(dict(s.components or {}) if s else {}),
            )
        )
    return views


def ratings_of(components: dict[str, Any]) -> list[tuple[str, str]]:
    """The two PermenPAN-RB ratings kept with a score (none outside a predikat profile)."""
    from kinerja.rules.predikat import RATING_LABELS

    pairs = (("Hasil kerja", "rating_hasil_kerja"), ("Perilaku kerja", "rating_perilaku_kerja"))
    return [
        (what, RATING_LABELS[components[key]])
        for what, key in pairs
        if components.get(key) in RATING_LABELS
    ]


def behaviour_summary(session: Session, period: str, nip: str) -> BehaviourSummary:
    """Means over all raters; per item only with enough raters to keep each one anonymous."""
    raters = session.scalar(
        select(func.count(func.distinct(BehaviourAnswer.rater_nip))).where(
            BehaviourAnswer.period == period, BehaviourAnswer.nip == nip
        )
    )
    overall = session.scalar(
        select(func.avg(BehaviourAnswer.score)).where(
            BehaviourAnswer.period == period, BehaviourAnswer.nip == nip
        )
    )
    items: list[tuple[str, float]] = []
    if (raters or 0) >= MIN_RATERS_FOR_BREAKDOWN:
        rows = session.execute(
            select(BehaviourAnswer.item, func.avg(BehaviourAnswer.score))
            .where(BehaviourAnswer.period == period, BehaviourAnswer.nip == nip)
            .group_by(BehaviourAnswer.item)
            .order_by(BehaviourAnswer.item)
        )
        items = [(item, float(mean)) for item, mean in rows]
    else:
        # With one or two raters even the overall mean would expose an answer.
        overall = None
    return BehaviourSummary(
        raters=int(raters or 0),
        overall=float(overall) if overall is not None else None,
        items=items,
    )


def case_view(session: Session, period: str, scope_code: str, nip: str) -> CaseView:
    """One employee's own case: warning, defence, verdict and the data behind the warning."""
    employee = session.get(Employee, nip)
    score = session.get(Score, {"period": period, "nip": nip})
    by_kind = {
        kind: effective(session, period, scope_code, kind).get(nip)
        for kind in ("selection", "warning", "defence", "verdict")
    }
    days = [
        AttendanceDay(r.work_date, r.status, r.check_in, r.check_out)
        for r in session.scalars(
            select(AttendanceRecord)
            .where(AttendanceRecord.period == period, AttendanceRecord.nip == nip)
            .order_by(AttendanceRecord.work_date)
        )
    ]
    counts: dict[str, int] = defaultdict(int)
    for d in days:
        counts[d.status] += 1
    acts = [
        ActivityRow(a.work_date, a.kind, a.description, a.minutes, a.completed, a.approval, a.id)
        for a in session.scalars(
            select(Activity)
            .where(Activity.period == period, Activity.nip == nip)
            .order_by(Activity.work_date, Activity.id)
        )
    ]
    opd_code = score.opd_code if score else scope_code
    leaves, tallies = split_components(dict(score.components or {}) if score else {})
    return CaseView(
        nip=nip,
        name=employee.name if employee else nip,
        opd_code=opd_code,
        opd_name=opd_names(session).get(opd_code, opd_code),
        score=score,
        components=leaves,
        counts=tallies,
        selection=by_kind["selection"],
        warning=by_kind["warning"],
        defence=by_kind["defence"],
        verdict=by_kind["verdict"],
        attendance=days,
        attendance_counts=dict(counts),
        activities=acts,
        behaviour=behaviour_summary(session, period, nip),
        evidence=objection_store.evidence_of(session, period, scope_code, nip),
        objections=_objections(session, period, scope_code, nip),
        rescore=effective(session, period, scope_code, "rescore").get(nip),
    )


def _objections(session: Session, period: str, scope_code: str, nip: str) -> list[ObjectionView]:
    from kinerja.review.corrections import describe

    rulings = {
        d.payload.get("objection_id"): d
        for d in session.scalars(
            select(Decision).where(
                Decision.period == period,
                Decision.scope_code == scope_code,
                Decision.nip == nip,
                Decision.kind == "objection",
            )
        )
    }
    return [
        ObjectionView(o.id, o.kind, o.row_ref, o.claim, o.note, describe(o), rulings.get(o.id))
        for o in objection_store.objections_of(session, period, scope_code, nip)
    ]


def selected_nips(session: Session, period: str, scope_code: str) -> list[str]:
    """NIPs the head classed underperforming (the selection decisions in force)."""
    review = review_for(session, period, scope_code)
    return state_of(session, review).selected if review is not None else []


def pending_verdicts(session: Session, period: str, scope_code: str) -> list[CaseView]:
    """Selected employees who sent a defence that has no verdict yet."""
    review = review_for(session, period, scope_code)
    if review is None:
        return []
    return [
        case_view(session, period, scope_code, nip)
        for nip in state_of(session, review).awaiting_verdict
    ]


def overview(session: Session, period: str) -> list[OverviewRow]:
    """Every review of the period: stage, the deadline that matters now, who is awaited."""
    from kinerja.db.candidates import notes_for

    opds = opd_names(session)
    notes = notes_for(session, period)
    rows = []
    for review in session.scalars(
        select(Review).where(Review.period == period).order_by(Review.scope_code)
    ):
        state = state_of(session, review)
        waiting_nips = state.awaiting_defence + state.awaiting_verdict
        names = _names(session, waiting_nips)
        from kinerja.review.deciders import decider_for

        who = decider_for(session, review)
        head = who.nip
        scope_name = opds.get(review.scope_code, who.scope_name)
        head_label = who.title + (f" (NIP {head})" if head else " (belum ditetapkan)")
        waiting: list[str] = []
        deadline = None
        if review.stage == "awaiting_selection":
            waiting.append(f"{head_label}: pemilihan")
            deadline = review.selection_deadline
        elif review.stage == "awaiting_defence":
            deadline = review.defence_deadline
            waiting += [
                f"{names.get(nip, 'Pegawai')} (NIP {nip}): pembelaan"
                for nip in state.awaiting_defence
            ]
            waiting += [
                f"{head_label}: putusan atas pembelaan {names.get(nip, '')} (NIP {nip})"
                for nip in state.awaiting_verdict
            ]
        rows.append(
            OverviewRow(
                scope_code=review.scope_code,
                scope_name=scope_name,
                stage=review.stage,
                deadline=deadline,
                waiting=waiting,
                selected=len(state.selected),
                published=sum(
                    d.value == OutcomeValue.PUBLISHED
                    for d in effective(session, period, review.scope_code, "outcome").values()
                ),
                decisions=len(history(session, period, review.scope_code)),
                evidence=list(
                    session.scalars(
                        select(Evidence)
                        .where(Evidence.period == period, Evidence.scope_code == review.scope_code)
                        .order_by(Evidence.id)
                    )
                ),
                note=notes[review.scope_code].note if review.scope_code in notes else "",
            )
        )
    return rows
