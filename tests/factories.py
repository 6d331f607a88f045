"""Factories: organisations, employees and a month of raw data, as MonthData frames or DB rows.

Typical use::

    mb = MonthBuilder("2025-10")                     # jabar policy unless given another
    head = mb.employee(level="eselon_iv", opd="DISKOMINFO")
    nip = mb.good_employee(supervisor=head)           # on time, full activities, rated 4/5
    mb.full_attendance(nip, late_minutes=[10, 45])    # replace a person's attendance pattern
    data = mb.build()                                  # MonthData for rules.scoring.score_month
    mb.to_db(session)                                  # the same month stored through db.models

Every helper works on the month's working days (rules.calendar) within the employee's post
dates, so hand-computed expectations stay simple: `mb.workdays(nip)` lists them. Other helpers:
`attend` (one day), `activity` (one entry, any entry time/approval), `rate` / `rate_360`,
`indicator`, `unassessable[opd] = reason`, and `policy_with` to vary one policy section.
`to_db` only flushes: commit in the test. October 2025 has 23 working days (no holidays).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

import pandas as pd
from sqlalchemy.orm import Session

from kinerja.domain import ActivityKind, ApprovalStatus, AttendanceStatus, EmployeeStatus, Period
from kinerja.rules.calendar import working_days
from kinerja.rules.frames import FRAME_COLUMNS, MonthData
from kinerja.rules.policy import Policy, load_policy

FRIDAY = 4


def policy_with(policy: Policy, section: str, **changes: Any) -> Policy:
    """A copy of `policy` with fields of one section changed, validated again, e.g.
    policy_with(load_policy("jabar"), "selection", scope="rumpun", count=5)."""
    data = policy.model_dump()
    data[section].update(changes)
    return Policy.model_validate(data)


def make_nip(i: int) -> str:
    """A deterministic 18-digit NIP (birth date, appointment month, sex, sequence 1-999)."""
    return f"198001012010011{i:03d}"


def _clock(t: time) -> str:
    return t.strftime("%H:%M")


def _shift(t: time, minutes: int) -> str:
    moment = datetime.combine(date(2000, 1, 1), t) + timedelta(minutes=minutes)
    return moment.strftime("%H:%M")


@dataclass
class MonthBuilder:
    """Accumulates rows for one period; build() returns MonthData, to_db() stores them."""

    period: str = "2025-10"
    policy: Policy = field(default_factory=lambda: load_policy("jabar"))
    employees: list[dict[str, Any]] = field(default_factory=list)
    attendance: list[dict[str, Any]] = field(default_factory=list)
    activities: list[dict[str, Any]] = field(default_factory=list)
    behaviour: list[dict[str, Any]] = field(default_factory=list)
    indicators: list[dict[str, Any]] = field(default_factory=list)
    unassessable: dict[str, str] = field(default_factory=dict)
    _seq: int = 0
    _rater_seq: int = 0
    _by_nip: dict[str, dict[str, Any]] = field(default_factory=dict)

    # --- organisation ---------------------------------------------------------------------

    def employee(
        self,
        *,
        nip: str | None = None,
        name: str | None = None,
        opd: str = "DINAS-A",
        opd_name: str | None = None,
        rumpun: str | None = "RUMPUN-1",
        level: str = "staff",
        job_title: str = "Pelaksana",
        supervisor: str | None = None,
        status: str = EmployeeStatus.PNS,
        start: date | None = None,
        end: date | None = None,
    ) -> str:
        """Add an employee; by default in post since before the month and still there."""
        self._seq += 1
        nip = nip or make_nip(self._seq)
        row = self._by_nip[nip] = {
            "nip": nip,
            "name": name or f"Pegawai {self._seq}",
            "status": status,
            "opd_code": opd,
            "opd_name": opd_name or f"Dinas {opd}",
            "rumpun_code": rumpun,
            "position_level": level,
            "job_title": job_title,
            "supervisor_nip": supervisor,
            "start_date": start or date(2020, 1, 1),
            "end_date": end,
        }
        self.employees.append(row)
        return nip

    def _emp(self, nip: str) -> dict[str, Any]:
        found = self._by_nip.get(nip)
        if found is None:
            found = next(e for e in self.employees if e["nip"] == nip)
        return found

    def workdays(self, nip: str | None = None) -> list[date]:
        """The month's working days, within the employee's post dates when a NIP is given."""
        days = working_days(self.period, self.policy.calendar)
        if nip is None:
            return days
        e = self._emp(nip)
        return [
            d
            for d in days
            if d >= e["start_date"] and (e["end_date"] is None or d <= e["end_date"])
        ]

    def day_end(self, day: date) -> time:
        cal = self.policy.calendar
        return cal.friday_work_end if day.weekday() == FRIDAY else cal.work_end

    # --- attendance -----------------------------------------------------------------------

    def attend(
        self,
        nip: str,
        day: date,
        *,
        status: str = AttendanceStatus.PRESENT,
        check_in: str | None = "on_time",
        check_out: str | None = "on_time",
    ) -> None:
        """Set nip's row for `day` (replacing any); "on_time" means exactly work_start / the
        day's work end."""
        self.attendance = [
            r for r in self.attendance if not (r["nip"] == nip and r["work_date"] == day)
        ]
        self._attendance_row(nip, day, status, check_in, check_out)

    def _attendance_row(
        self, nip: str, day: date, status: str, check_in: str | None, check_out: str | None
    ) -> None:
        if status != AttendanceStatus.PRESENT:
            check_in = check_out = None
        if check_in == "on_time":
            check_in = _clock(self.policy.calendar.work_start)
        if check_out == "on_time":
            check_out = _clock(self.day_end(day))
        self.attendance.append(
            {
                "nip": nip,
                "work_date": day,
                "status": status,
                "check_in": check_in,
                "check_out": check_out,
            }
        )

    def full_attendance(
        self,
        nip: str,
        *,
        late_minutes: list[int] | tuple[int, ...] = (),
        early_minutes: list[int] | tuple[int, ...] = (),
        absent_days: int = 0,
        excused_days: int = 0,
        excused_status: str = "leave",
        unobserved_days: int = 0,
    ) -> None:
        """Replace nip's attendance with one row per working day in post.

        In order of the days: the first len(late_minutes) days late by those minutes, the next
        len(early_minutes) days leaving early by those minutes; at the end of the month,
        `unobserved_days` days with no row at all, before them `absent_days` absences, before
        those `excused_days` excused days. Every other day is on time.
        """
        self.attendance = [r for r in self.attendance if r["nip"] != nip]
        days = self.workdays(nip)
        start = self.policy.calendar.work_start
        tail = len(days) - unobserved_days
        for i, day in enumerate(days[:tail]):
            if i < len(late_minutes):
                self._attendance_row(
                    nip, day, AttendanceStatus.PRESENT, _shift(start, late_minutes[i]), "on_time"
                )
            elif i < len(late_minutes) + len(early_minutes):
                minutes = early_minutes[i - len(late_minutes)]
                self._attendance_row(
                    nip,
                    day,
                    AttendanceStatus.PRESENT,
                    "on_time",
                    _shift(self.day_end(day), -minutes),
                )
            elif i >= tail - absent_days:
                self._attendance_row(nip, day, AttendanceStatus.ABSENT, None, None)
            elif i >= tail - absent_days - excused_days:
                self._attendance_row(nip, day, excused_status, None, None)
            else:
                self._attendance_row(nip, day, AttendanceStatus.PRESENT, "on_time", "on_time")

    # --- activities -----------------------------------------------------------------------

    def activity(
        self,
        nip: str,
        work_date: date,
        *,
        minutes: float = 300.0,
        kind: str = ActivityKind.MAIN,
        entered_at: datetime | None = None,
        approval: str = ApprovalStatus.APPROVED,
        completed: bool = True,
        approver: str | None = None,
    ) -> str:
        """One activity; entered the same day at 16:10 unless `entered_at` says otherwise."""
        ext = f"A{len(self.activities) + 1:07d}"
        self.activities.append(
            {
                "nip": nip,
                "external_id": ext,
                "work_date": work_date,
                "entered_at": entered_at or datetime.combine(work_date, time(16, 10)),
                "kind": kind,
                "minutes": float(minutes),
                "completed": completed,
                "approval": approval,
                "approver_nip": approver or self._emp(nip)["supervisor_nip"],
            }
        )
        return ext

    def full_activities(
        self, nip: str, *, main_ratio: float = 1.0, additional_ratio: float = 1.0
    ) -> None:
        """Replace nip's activities: each observed non-excused working day, one main and one
        additional entry worth ratio x the daily target, approved, entered that day at 16:10."""
        self.activities = [r for r in self.activities if r["nip"] != nip]
        excused = {s.value for s in self.policy.attendance.excused_statuses}
        skip = {
            r["work_date"] for r in self.attendance if r["nip"] == nip and r["status"] in excused
        }
        pol = self.policy.activities
        for day in self.workdays(nip):
            if day in skip:
                continue
            if main_ratio:
                self.activity(nip, day, minutes=pol.main_target_minutes_per_day * main_ratio)
            if additional_ratio:
                self.activity(
                    nip,
                    day,
                    kind=ActivityKind.ADDITIONAL,
                    minutes=pol.additional_target_minutes_per_day * additional_ratio,
                )

    # --- behaviour and indicators ---------------------------------------------------------

    def rater(self) -> str:
        """A NIP for someone outside the roster who answers questionnaires."""
        self._rater_seq += 1
        return f"197505052000012{self._rater_seq:03d}"

    def register_raters(self, opd: str = "INSPEKTORAT") -> list[str]:
        """Put the raters from outside the roster in the register (posted at `opd`), as a
        month gathered or read from files must have them: a rater nobody knows is refused."""
        known = {e["nip"] for e in self.employees}
        added = []
        for nip in sorted({r["rater_nip"] for r in self.behaviour} - known):
            self.employee(nip=nip, opd=opd)
            added.append(nip)
        return added

    def rate(
        self,
        nip: str,
        score: float = 4.0,
        *,
        role: str = "peer",
        rater: str | None = None,
        items: list[str] | None = None,
    ) -> str:
        """One rater's answers on every policy item (or `items`) for nip, all with `score`."""
        rater = rater or self.rater()
        for item in items or self.policy.behaviour.items:
            self.behaviour.append(
                {"nip": nip, "rater_nip": rater, "rater_role": role, "item": item, "score": score}
            )
        return rater

    def rate_360(self, nip: str, score: float = 4.0, *, peers: int = 2) -> None:
        """A supervisor (the real one if any) and `peers` peers, all answering `score`."""
        self.behaviour = [r for r in self.behaviour if r["nip"] != nip]
        self.rate(nip, score, role="supervisor", rater=self._emp(nip)["supervisor_nip"])
        for _ in range(peers):
            self.rate(nip, score, role="peer")

    def indicator(self, nip: str, kind: str, value: float) -> None:
        self.indicators.append({"nip": nip, "kind": kind, "value": float(value)})

    def good_employee(self, **employee: Any) -> str:
        """An employee on time every day, with full approved activities and rated 4 of 5."""
        nip = self.employee(**employee)
        self.full_attendance(nip)
        self.full_activities(nip)
        self.rate_360(nip)
        return nip

    # --- outputs --------------------------------------------------------------------------

    def frames(self) -> dict[str, pd.DataFrame]:
        """The rows as DataFrames with the rules.frames column contract and dtypes."""
        out: dict[str, pd.DataFrame] = {}
        rows = {
            "employees": self.employees,
            "attendance": self.attendance,
            "activities": self.activities,
            "behaviour": self.behaviour,
            "indicators": self.indicators,
        }
        for name, records in rows.items():
            cols = FRAME_COLUMNS[name]
            df = pd.DataFrame.from_records(records, columns=cols)
            for c in ("start_date", "end_date", "work_date", "entered_at"):
                if c in df:
                    df[c] = pd.to_datetime(df[c])
            for c in ("minutes", "score", "value"):
                if c in df:
                    df[c] = df[c].astype(float)
            if "completed" in df:
                df["completed"] = df["completed"].astype(bool)
            out[name] = df
        return out

    def build(self) -> MonthData:
        f = self.frames()
        return MonthData(
            period=self.period,
            employees=f["employees"],
            attendance=f["attendance"],
            activities=f["activities"],
            behaviour=f["behaviour"],
            indicators=f["indicators"],
            unassessable_opds=dict(self.unassessable),
        )

    def to_db(self, session: Session, *, source: str = "factory") -> None:
        """Store the organisation, the employees' assignments and the raw month; flushes only."""
        from kinerja.db import models as m

        first, last = Period.parse(self.period).bounds()
        if session.get(m.Period, self.period) is None:
            session.add(m.Period(code=self.period, start_date=first, end_date=last))
        for code in sorted({e["rumpun_code"] for e in self.employees if e["rumpun_code"]}):
            if session.get(m.Rumpun, code) is None:
                session.add(m.Rumpun(code=code, name=f"Rumpun {code}"))
        session.flush()
        opds: set[str] = set()
        nips: set[str] = set()
        for e in self.employees:
            if e["opd_code"] not in opds and session.get(m.Opd, e["opd_code"]) is None:
                session.add(
                    m.Opd(code=e["opd_code"], name=e["opd_name"], rumpun_code=e["rumpun_code"])
                )
            opds.add(e["opd_code"])
            if e["nip"] not in nips and session.get(m.Employee, e["nip"]) is None:
                session.add(m.Employee(nip=e["nip"], name=e["name"], status=e["status"]))
            nips.add(e["nip"])
        session.flush()
        for e in self.employees:
            session.add(
                m.Assignment(
                    nip=e["nip"],
                    opd_code=e["opd_code"],
                    position_level=e["position_level"],
                    job_title=e["job_title"],
                    supervisor_nip=e["supervisor_nip"],
                    start_date=e["start_date"],
                    end_date=e["end_date"],
                )
            )
        session.flush()
        for r in self.attendance:
            session.add(
                m.AttendanceRecord(
                    period=self.period,
                    nip=r["nip"],
                    work_date=r["work_date"],
                    status=r["status"],
                    check_in=time.fromisoformat(r["check_in"]) if r["check_in"] else None,
                    check_out=time.fromisoformat(r["check_out"]) if r["check_out"] else None,
                    source=source,
                )
            )
        for r in self.activities:
            session.add(m.Activity(period=self.period, source=source, **r))
        for r in self.behaviour:
            session.add(m.BehaviourAnswer(period=self.period, source=source, **r))
        for r in self.indicators:
            session.add(m.IndicatorValue(period=self.period, source=source, **r))
        for opd, reason in self.unassessable.items():
            session.add(
                m.OpdPeriodStatus(period=self.period, opd_code=opd, assessable=False, reason=reason)
            )
        session.flush()
