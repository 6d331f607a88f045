"""Shared vocabulary of the domain: the month, the clock, levels, statuses and decision values."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import StrEnum

_PERIOD = re.compile(r"(\d{4})-(\d{1,2})")


@dataclass(frozen=True, order=True)
class Period:
    """A month of assessment, written "YYYY-MM" everywhere (str(period) gives that form)."""

    year: int
    month: int

    def __post_init__(self) -> None:
        if not 1 <= self.month <= 12 or not 1 <= self.year <= 9999:
            raise ValueError(f"period {self.year:04d}-{self.month:02d} is not a month")

    @classmethod
    def parse(cls, text: str) -> Period:
        """ "2025-01" -> Period(2025, 1); anything else is a ValueError that says how to fix it."""
        match = _PERIOD.fullmatch(str(text).strip())
        if match is None or not 1 <= int(match[2]) <= 12:
            raise ValueError(f"period {text!r} is not YYYY-MM (a month such as 2025-01)")
        year, month = int(match[1]), int(match[2])
        if len(match[2]) != 2:
            raise ValueError(f"period {text!r} is not YYYY-MM: write {year:04d}-{month:02d}")
        return cls(year, month)

    @classmethod
    def of(cls, day: date) -> Period:
        """The month a day (or a datetime, in its own zone) falls in."""
        return cls(day.year, day.month)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def first_day(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def last_day(self) -> date:
        return date(self.year, self.month, calendar.monthrange(self.year, self.month)[1])

    def bounds(self) -> tuple[date, date]:
        """First and last day of the month."""
        return self.first_day, self.last_day

    def previous(self) -> Period:
        return Period(self.year - 1, 12) if self.month == 1 else Period(self.year, self.month - 1)


def period_text(text: str) -> str:
    """A period as given, checked: "2025-01" stays "2025-01", "2025-1" is refused with the fix."""
    return str(Period.parse(text))


def now() -> datetime:
    """The clock: the current time, aware, in UTC (the one place the time of day is read)."""
    return datetime.now(UTC)


def naive_utc(value: datetime) -> datetime:
    """Naive UTC, as every DateTime column stores it (naive input is taken as UTC already)."""
    if value.tzinfo is not None:
        return value.astimezone(UTC).replace(tzinfo=None)
    return value


def utcnow() -> datetime:
    """now() as the database stores times: naive UTC."""
    return naive_utc(now())


class PositionLevel(StrEnum):
    """Jabatan levels as in Sikap (Banten): staff covers pelaksana and fungsional."""

    STAFF = "staff"
    ESELON_IV = "eselon_iv"
    ESELON_III = "eselon_iii"
    ESELON_II = "eselon_ii"
    ESELON_I = "eselon_i"


class EmployeeStatus(StrEnum):
    PNS = "PNS"
    PPPK = "PPPK"


class AttendanceStatus(StrEnum):
    """A day's attendance; everything but PRESENT and ABSENT is excused and never counts against."""

    PRESENT = "present"
    ABSENT = "absent"
    LEAVE = "leave"
    SICK = "sick"
    OFFICIAL_TRAVEL = "official_travel"
    HOLIDAY = "holiday"
    CONNECTIVITY_GAP = "connectivity_gap"


class ActivityKind(StrEnum):
    MAIN = "main"
    ADDITIONAL = "additional"


class ApprovalStatus(StrEnum):
    APPROVED = "approved"
    PENDING = "pending"
    REJECTED = "rejected"


class RaterRole(StrEnum):
    SUPERVISOR = "supervisor"
    PEER = "peer"
    SUBORDINATE = "subordinate"
    SELF = "self"


class IndicatorKind(StrEnum):
    """Monthly per-employee achievement figures (0-100) reported by planning systems."""

    CAPAIAN_FISIK = "capaian_fisik"
    IKI = "iki"
    IKU = "iku"
    IKP = "ikp"


class DataKind(StrEnum):
    """What a source delivers."""

    EMPLOYEES = "employees"
    ATTENDANCE = "attendance"
    ACTIVITIES = "activities"
    BEHAVIOUR = "behaviour"
    INDICATORS = "indicators"


class DecisionKind(StrEnum):
    """Every step that affects a person is one of these, stored with who, when and why."""

    SELECTION = "selection"  # head of OPD classes a candidate as underperforming (or not)
    WARNING = "warning"  # warning issued to a selected employee
    DEFENCE = "defence"  # the employee's written defence
    VERDICT = "verdict"  # head's verdict on the defence: accepted or rejected
    OUTCOME = "outcome"  # final: published / not_published
    PUBLICATION = "publication"  # a draft approved for posting
    NO_DECISION = "no_decision"  # a deadline passed with no answer
    EXTENSION = "extension"  # an operator extended a deadline
    OBJECTION = "objection"  # the verdict's ruling on one data objection: accepted or rejected
    RESCORE = "rescore"  # the person's score again, with the accepted corrections
    CORRECTION = "correction"  # a new record that supersedes an earlier one


class ReviewStage(StrEnum):
    SELECTION = "awaiting_selection"
    DEFENCE = "awaiting_defence"
    DONE = "done"
    NO_DECISION = "no_decision"
    NOT_ASSESSABLE = "not_assessable"


class PeriodStatus(StrEnum):
    """Where the month is: data being gathered, reviews under way, or closed."""

    OPEN = "open"
    REVIEWING = "reviewing"
    CLOSED = "closed"


class SelectionValue(StrEnum):
    """The head's selection of one candidate."""

    SELECTED = "selected"
    NOT_SELECTED = "not_selected"


class WarningValue(StrEnum):
    ISSUED = "issued"


class DefenceValue(StrEnum):
    SUBMITTED = "submitted"


class VerdictValue(StrEnum):
    """The head's verdict on a defence (and a ruling on one data objection)."""

    ACCEPTED = "accepted"
    REJECTED = "rejected"


class OutcomeValue(StrEnum):
    """Whether the person is announced."""

    PUBLISHED = "published"
    NOT_PUBLISHED = "not_published"


class DraftStatus(StrEnum):
    """An announcement draft: waiting, approved for posting, rejected, or withdrawn by a rerun."""

    DRAFT = "draft"
    APPROVED = "approved"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


class DeliveryStatus(StrEnum):
    """A source's delivery (one batch): loaded into the month's data, or failed."""

    LOADED = "loaded"
    FAILED = "failed"


class NotificationStatus(StrEnum):
    """One message to one recipient on one channel."""

    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    UNCERTAIN = "uncertain"  # its process died mid-send: it may have arrived; resent, same key
