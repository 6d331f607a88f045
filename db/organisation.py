"""Data access for the organisation: rumpun, OPDs, employees and their assignments."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pandas as pd
from sqlalchemy import Table, bindparam, insert, or_, select, update
from sqlalchemy.orm import Session

from kinerja.db.models import Assignment, Employee, Opd, Rumpun
from kinerja.rules.deciders import Head, opd_heads

EMPLOYEE: Table = Employee.__table__  # type: ignore[assignment]
ASSIGNMENT: Table = Assignment.__table__  # type: ignore[assignment]

EMPLOYEE_FIELDS = ["name", "status", "email", "phone"]
ASSIGNMENT_FIELDS = ["opd_code", "position_level", "job_title", "supervisor_nip", "end_date"]


@dataclass
class RegisterChanges:
    """What loading a register did; `changes` are (row_key, before, after) for row_change."""

    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    changes: list[tuple[str, dict[str, Any], dict[str, Any]]] = field(default_factory=list)


def _d(value: Any) -> date | None:
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NA:
        return None
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def _clean(value: Any) -> Any:
    return None if value is None or (not isinstance(value, str) and pd.isna(value)) else value


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [{str(k): _clean(v) for k, v in row.items()} for row in frame.to_dict("records")]


def _heads(valid: pd.DataFrame, month_start: date, month_end: date) -> dict[str, Head]:
    """Head of each OPD among the people posted there this month (rules.deciders.opd_heads):
    the highest level, acting when the head post is vacant or held by a Plt/Plh."""
    start = valid["start_date"].map(_d)
    end = valid["end_date"].map(_d)
    active = valid[(start <= month_end) & (end.isna() | (end >= month_start))]
    return opd_heads(active)


def _diff(
    existing: pd.DataFrame, new: pd.DataFrame, keys: list[str], fields: list[str]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(rows to insert, rows whose fields changed, with old values suffixed _old)."""
    merged = new.merge(existing, on=keys, how="left", suffixes=("", "_old"), indicator=True)
    fresh = merged[merged["_merge"] == "left_only"]
    both = merged[merged["_merge"] == "both"]
    changed = pd.Series(False, index=both.index)
    for f in fields:
        a = both[f].astype(object).where(both[f].notna(), None).map(str)
        b = both[f"{f}_old"].astype(object).where(both[f"{f}_old"].notna(), None).map(str)
        changed |= a != b
    return fresh[keys + fields], both[changed]


def upsert_register(
    session: Session, valid: pd.DataFrame, month_start: date, month_end: date
) -> RegisterChanges:
    """Insert new rumpun/OPDs/employees/assignments, update changed ones, record each change."""
    out = RegisterChanges()
    if valid.empty:
        return out
    valid = valid.copy()
    valid["start_date"] = valid["start_date"].map(_d)
    valid["end_date"] = valid["end_date"].map(_d)

    # rumpun
    rumpun = valid[valid["rumpun_code"].notna()].drop_duplicates("rumpun_code")
    have = {r.code: r.name for r in session.scalars(select(Rumpun))}
    for code, name in zip(rumpun["rumpun_code"], rumpun["rumpun_name"], strict=True):
        name = _clean(name) or code
        if code not in have:
            session.add(Rumpun(code=code, name=name))
        elif have[code] != name:
            session.execute(update(Rumpun).where(Rumpun.code == code).values(name=name))
    session.flush()

    # OPDs and their heads
    heads = _heads(valid, month_start, month_end)
    opds = valid.sort_values("start_date").drop_duplicates("opd_code", keep="last")
    have_opd = {o.code: o for o in session.scalars(select(Opd))}
    for row in _records(opds[["opd_code", "opd_name", "rumpun_code"]]):
        code = row["opd_code"]
        head = heads.get(code)
        values = {
            "name": row["opd_name"] or code,
            "rumpun_code": row["rumpun_code"],
            "head_nip": head.nip if head else None,
            "head_acting": bool(head and head.acting),
        }
        if code not in have_opd:
            session.add(Opd(code=code, **values))
        else:
            o = have_opd[code]
            if (o.name, o.rumpun_code, o.head_nip, o.head_acting) != tuple(values.values()):
                session.execute(update(Opd).where(Opd.code == code).values(**values))
    session.flush()

    # employees: one row per NIP, from the latest assignment row
    emp = valid.sort_values("start_date").drop_duplicates("nip", keep="last")
    emp = emp[["nip", *EMPLOYEE_FIELDS]]
    old_emp = pd.DataFrame(
        session.execute(select(Employee.nip, *[getattr(Employee, f) for f in EMPLOYEE_FIELDS])),
        columns=["nip", *EMPLOYEE_FIELDS],
    )
    fresh, changed = _diff(old_emp, emp, ["nip"], EMPLOYEE_FIELDS)
    if len(fresh):
        session.execute(insert(Employee), _records(fresh))
    if len(changed):
        rows = _records(changed[["nip", *EMPLOYEE_FIELDS]])
        session.execute(
            update(EMPLOYEE).where(EMPLOYEE.c.nip == bindparam("b_nip")),
            [{"b_nip": r.pop("nip"), **r} for r in rows],
        )
        for r in _records(changed):
            out.changes.append(
                (
                    f"employee|{r['nip']}",
                    {f: r[f"{f}_old"] for f in EMPLOYEE_FIELDS},
                    {f: r[f] for f in EMPLOYEE_FIELDS},
                )
            )

    # assignments, keyed by (nip, start_date)
    asg = valid[["nip", "start_date", *ASSIGNMENT_FIELDS]]
    old_asg = pd.DataFrame(
        session.execute(
            select(
                Assignment.nip,
                Assignment.start_date,
                *[getattr(Assignment, f) for f in ASSIGNMENT_FIELDS],
            )
        ),
        columns=["nip", "start_date", *ASSIGNMENT_FIELDS],
    )
    fresh_a, changed_a = _diff(old_asg, asg, ["nip", "start_date"], ASSIGNMENT_FIELDS)
    if len(fresh_a):
        session.execute(insert(Assignment), _records(fresh_a))
    if len(changed_a):
        rows = _records(changed_a[["nip", "start_date", *ASSIGNMENT_FIELDS]])
        session.execute(
            update(ASSIGNMENT).where(
                ASSIGNMENT.c.nip == bindparam("b_nip"),
                ASSIGNMENT.c.start_date == bindparam("b_start"),
            ),
            [{"b_nip": r.pop("nip"), "b_start": r.pop("start_date"), **r} for r in rows],
        )
        for r in _records(changed_a):
            out.changes.append(
                (
                    f"assignment|{r['nip']}|{r['start_date']}",
                    {f: _jsonable(r[f"{f}_old"]) for f in ASSIGNMENT_FIELDS},
                    {f: _jsonable(r[f]) for f in ASSIGNMENT_FIELDS},
                )
            )
    session.flush()
    out.inserted = len(fresh_a)  # rows of the register: posts (a new employee brings one)
    out.updated = len(changed) + len(changed_a)
    out.unchanged = len(asg) - len(fresh_a) - len(changed_a)
    return out


def _jsonable(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def month_assignments(session: Session, month_start: date, month_end: date) -> pd.DataFrame:
    """nip, opd_code of every assignment overlapping the month (ordered by start date)."""
    stmt = (
        select(Assignment.nip, Assignment.opd_code)
        .where(
            Assignment.start_date <= month_end,
            or_(Assignment.end_date.is_(None), Assignment.end_date >= month_start),
        )
        .order_by(Assignment.start_date, Assignment.nip)
    )
    return pd.DataFrame(session.execute(stmt).all(), columns=["nip", "opd_code"])


def all_nips(session: Session) -> frozenset[str]:
    return frozenset(session.scalars(select(Employee.nip)))


def opd_codes(session: Session) -> list[str]:
    return list(session.scalars(select(Opd.code).order_by(Opd.code)))
