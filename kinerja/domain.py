"""Shared vocabulary of the domain: position levels, statuses, decision kinds."""

from __future__ import annotations

from enum import StrEnum


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
