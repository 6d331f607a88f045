"""Read-side queries the month's outputs need: effective decisions, people, scores, data quality."""

from __future__ import annotations

import calendar
from collections import Counter
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kinerja.db.models import (
    Assignment,
    Candidate,
    Decision,
    Employee,
    Opd,
    OpdPeriodStatus,
    QuarantinedRow,
    Review,
    Rumpun,
    Score,
)


@dataclass(frozen=True)
class Person:
    """What outputs may say about an employee in a period (and whom to ask)."""

    nip: str
    name: str
    job_title: str
    position_level: str
    opd_code: str
    opd_name: str
    rumpun_code: str | None
    rumpun_name: str | None
    supervisor_nip: str | None
    head_nip: str | None
    email: str | None


def _bounds(period: str) -> tuple[date, date]:
    year, month = (int(x) for x in period.split("-"))
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def effective_decisions(session: Session, period: str, kind: str) -> dict[str, Decision]:
    """Per NIP, the decision of `kind` in force: the latest row that no other row supersedes."""
    rows = list(
        session.scalars(
            select(Decision)
            .where(Decision.period == period, Decision.kind == kind)
            .order_by(Decision.id)
        )
    )
    superseded = set(
        session.scalars(
            select(Decision.supersedes_id).where(
                Decision.period == period, Decision.supersedes_id.is_not(None)
            )
        )
    )
    out: dict[str, Decision] = {}
    for row in rows:
        if row.nip is not None and row.id not in superseded:
            out[row.nip] = row
    return out


def decision_counts(
    session: Session, period: str, opd_of: dict[str, str] | None = None
) -> Counter[tuple[str, str, str]]:
    """(opd_code, kind, value) -> how many people, counting only decisions in force.

    `opd_of` (NIP -> OPD code) saves reading the period's scores again when the caller has them.
    """
    if opd_of is None:
        opd_of = {
            nip: opd
            for nip, opd in session.execute(
                select(Score.nip, Score.opd_code).where(Score.period == period)
            ).tuples()
        }
    counts: Counter[tuple[str, str, str]] = Counter()
    for kind in ("selection", "warning", "defence", "verdict", "outcome"):
        for nip, d in effective_decisions(session, period, kind).items():
            counts[(opd_of.get(nip, d.scope_code), kind, d.value)] += 1
    # A deadline with no answer may concern a whole review (no NIP): counted per scope.
    rows = session.scalars(
        select(Decision).where(Decision.period == period, Decision.kind == "no_decision")
    ).all()
    superseded = {r.supersedes_id for r in rows if r.supersedes_id is not None}
    for d in rows:
        if d.id not in superseded:
            opd = opd_of.get(d.nip, d.scope_code) if d.nip else d.scope_code
            counts[(opd, "no_decision", d.value)] += 1
    return counts


def people(session: Session, period: str, nips: list[str] | set[str]) -> dict[str, Person]:
    """Name, post and OPD of each NIP in the period (the latest assignment overlapping it)."""
    if not nips:
        return {}
    start, end = _bounds(period)
    wanted = set(nips)
    # Plain columns, not ORM entities: a province is tens of thousands of rows.
    stmt = (
        select(
            Assignment.nip,
            Assignment.job_title,
            Assignment.position_level,
            Assignment.supervisor_nip,
            Employee.name,
            Employee.email,
            Opd.code,
            Opd.name,
            Opd.rumpun_code,
            Opd.head_nip,
        )
        .join(Employee, Employee.nip == Assignment.nip)
        .join(Opd, Opd.code == Assignment.opd_code)
        .where(
            Assignment.start_date <= end,
            (Assignment.end_date.is_(None)) | (Assignment.end_date >= start),
        )
        .order_by(Assignment.start_date, Assignment.id)
    )
    if len(wanted) <= 500:
        # A short IN list is cheap; a whole province is read in one pass (and SQLite caps the
        # number of bound parameters), then filtered here.
        stmt = stmt.where(Assignment.nip.in_(sorted(wanted)))
    rumpun_names = {r.code: r.name for r in session.scalars(select(Rumpun))}
    out: dict[str, Person] = {}
    for nip, job, level, sup, name, email, opd, opd_name, rumpun, head in session.execute(stmt):
        if nip not in wanted:
            continue
        out[nip] = Person(
            nip=nip,
            name=name,
            job_title=job,
            position_level=level,
            opd_code=opd,
            opd_name=opd_name,
            rumpun_code=rumpun,
            rumpun_name=rumpun_names.get(rumpun) if rumpun else None,
            supervisor_nip=sup,
            head_nip=head,
            email=email,
        )
    return out


def scores(session: Session, period: str) -> list[Score]:
    return list(session.scalars(select(Score).where(Score.period == period).order_by(Score.nip)))


def scores_for(
    session: Session, periods: list[str], nips: list[str]
) -> dict[tuple[str, str], Score]:
    """(period, nip) -> score, for the given periods and people."""
    if not periods or not nips:
        return {}
    stmt = select(Score).where(Score.period.in_(periods), Score.nip.in_(sorted(set(nips))))
    return {(s.period, s.nip): s for s in session.scalars(stmt)}


def candidates(session: Session, period: str) -> list[Candidate]:
    stmt = (
        select(Candidate)
        .where(Candidate.period == period)
        .order_by(Candidate.scope_code, Candidate.rank)
    )
    return list(session.scalars(stmt))


def opd_names(session: Session) -> dict[str, str]:
    return {o.code: o.name for o in session.scalars(select(Opd))}


def rumpun_names(session: Session) -> dict[str, str]:
    return {r.code: r.name for r in session.scalars(select(Rumpun))}


def opd_statuses(session: Session, period: str) -> dict[str, OpdPeriodStatus]:
    stmt = select(OpdPeriodStatus).where(OpdPeriodStatus.period == period)
    return {s.opd_code: s for s in session.scalars(stmt)}


def quarantine_counts(session: Session, period: str) -> Counter[tuple[str, str]]:
    """(opd_code or "", reason) -> rows quarantined this period.

    A rejected row may not name its OPD; then the NIP's OPD in the period is used, else "".
    """
    rows = list(session.scalars(select(QuarantinedRow).where(QuarantinedRow.period == period)))
    nips = {str(r.row.get("nip")) for r in rows if isinstance(r.row, dict) and r.row.get("nip")}
    where = {nip: p.opd_code for nip, p in people(session, period, nips).items()}
    counts: Counter[tuple[str, str]] = Counter()
    for r in rows:
        data = r.row if isinstance(r.row, dict) else {}
        opd = str(data.get("opd_code") or where.get(str(data.get("nip")), "") or "")
        counts[(opd, r.reason)] += 1
    return counts


def reviews(session: Session, period: str) -> dict[str, Review]:
    """scope_code -> review of the period (deadlines for letters)."""
    return {r.scope_code: r for r in session.scalars(select(Review).where(Review.period == period))}


def mean_composites(session: Session, periods: list[str]) -> dict[tuple[str, str], float]:
    """(period, opd_code) -> mean composite of the employees with enough data."""
    if not periods:
        return {}
    stmt = (
        select(Score.period, Score.opd_code, func.avg(Score.composite))
        .where(Score.period.in_(periods), Score.sufficient.is_(True), Score.composite.is_not(None))
        .group_by(Score.period, Score.opd_code)
    )
    return {(p, o): float(v) for p, o, v in session.execute(stmt).tuples() if v is not None}
