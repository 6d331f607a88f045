"""A hand-made month stored the way the cycle stores it: register with heads, raw rows, scores,
candidates, notes and one review per review scope (no Prefect)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import Engine

from kinerja.db import reviews
from kinerja.db.models import Opd
from kinerja.db.scores import save_candidates, save_notes, save_scores
from kinerja.db.session import session_scope
from kinerja.domain import utcnow
from kinerja.rules.deciders import opd_heads
from kinerja.rules.scopes import review_kind
from kinerja.rules.scoring import score_month
from kinerja.rules.selection import Proposal, propose
from tests.factories import MonthBuilder


def store_month(engine: Engine, mb: MonthBuilder, *, days: float = 5) -> Proposal:
    """Everything up to the selection pause, as tasks.cycle does it; returns the proposal."""
    data = mb.build()
    scores = score_month(data, mb.policy)
    proposal = propose(scores, mb.policy, dict(data.unassessable_opds), data.employees)
    now = utcnow()
    with session_scope(engine) as s:
        mb.to_db(s)
        for code, head in opd_heads(data.employees).items():
            opd = s.get(Opd, code)
            assert opd is not None
            opd.head_nip, opd.head_acting = head.nip, head.acting
        save_scores(s, mb.period, scores, mb.policy.name)
        save_candidates(s, mb.period, proposal.candidates)
        save_notes(s, mb.period, proposal.notes)
        for scope in sorted(set(proposal.candidates["review_scope"])):
            reviews.ensure_review(
                s,
                period=mb.period,
                scope_kind=review_kind(scope),
                scope_code=scope,
                selection_deadline=now + timedelta(days=days),
                now=now,
            )
    return proposal


def province(mb: MonthBuilder) -> dict[str, str]:
    """A Sekda with a small secretariat, and DINAS: a weak head, a weak and a strong member,
    and one whose three absences were in fact official travel (composite 74.3, just below the
    floor; 80.3 once corrected). Returns role -> NIP."""
    sekda = mb.good_employee(opd="SETDA", level="eselon_i", job_title="Sekretaris Daerah")
    setda = mb.employee(opd="SETDA", supervisor=sekda, name="Staf Setda")
    mb.full_attendance(setda)
    mb.full_activities(setda, main_ratio=0.2)
    mb.rate_360(setda)
    head = mb.employee(
        opd="DINAS", level="eselon_ii", supervisor=sekda, job_title="Kepala Dinas", name="Kadis"
    )
    mb.full_attendance(head, absent_days=6, late_minutes=[60] * 8)
    mb.rate_360(head, score=2.0)
    weak = mb.employee(opd="DINAS", supervisor=head, name="Pegawai Lemah")
    mb.full_attendance(weak, late_minutes=[30] * 6)
    mb.full_activities(weak, main_ratio=0.2)
    mb.rate_360(weak)
    travel = mb.employee(opd="DINAS", supervisor=head, name="Pegawai Dinas Luar")
    mb.full_attendance(travel, absent_days=3)
    mb.full_activities(travel, main_ratio=0.55)
    mb.rate_360(travel)
    strong = mb.good_employee(opd="DINAS", supervisor=head, name="Pegawai Rajin")
    return {
        "sekda": sekda,
        "setda": setda,
        "head": head,
        "weak": weak,
        "travel": travel,
        "strong": strong,
    }
