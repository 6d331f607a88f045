"""SQLAlchemy 2.0 typed models for every table kinerja keeps."""

from __future__ import annotations

from datetime import date, datetime, time
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    Time,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.sql.expression import false

from kinerja.db.base import Base
from kinerja.domain import (
    DecisionKind,
    DefenceValue,
    DeliveryStatus,
    DraftStatus,
    NotificationStatus,
    OutcomeValue,
    PeriodStatus,
    ReviewStage,
    SelectionValue,
    VerdictValue,
    WarningValue,
)

NIP = String(32)  # 18 digits for PNS; PPPK numbers differ in length, so leave room.


def one_of(column: str, values: type[StrEnum] | tuple[str, ...], name: str) -> CheckConstraint:
    """CHECK (column IN (...)): the database refuses a status outside the domain's enum."""
    allowed = ", ".join(f"'{v}'" for v in (values if isinstance(values, tuple) else list(values)))
    return CheckConstraint(f"{column} IN ({allowed})", name=name)


# Decisions that affect a person carry one of these values (migration 0010 writes them out).
DECISION_VALUES: dict[DecisionKind, type[StrEnum]] = {
    DecisionKind.SELECTION: SelectionValue,
    DecisionKind.WARNING: WarningValue,
    DecisionKind.DEFENCE: DefenceValue,
    DecisionKind.VERDICT: VerdictValue,
    DecisionKind.OUTCOME: OutcomeValue,
    DecisionKind.OBJECTION: VerdictValue,
}
DECISION_VALUE_CHECK = " AND ".join(
    f"(kind <> '{kind}' OR value IN ({', '.join(repr(str(v)) for v in values)}))"
    for kind, values in DECISION_VALUES.items()
)


# --- organisation -----------------------------------------------------------------------------


class Rumpun(Base):
    """A cluster of related OPDs; announcements may be made per rumpun."""

    __tablename__ = "rumpun"

    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))


class Opd(Base):
    """A department (perangkat daerah)."""

    __tablename__ = "opd"

    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    rumpun_code: Mapped[str | None] = mapped_column(ForeignKey("rumpun.code"), nullable=True)
    head_nip: Mapped[str | None] = mapped_column(NIP, nullable=True)
    # The head post is vacant or held by a Plt/Plh: the head decides as the acting head.
    head_acting: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class Employee(Base):
    """A civil servant (PNS or PPPK), keyed by NIP."""

    __tablename__ = "employee"

    nip: Mapped[str] = mapped_column(NIP, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(8))  # PNS | PPPK
    email: Mapped[str | None] = mapped_column(String(200), nullable=True)
    phone: Mapped[str | None] = mapped_column(String(40), nullable=True)


class Assignment(Base):
    """Where an employee works, at which level, under whom, and when.

    Several rows per employee express transfers and new hires; a month's scoring uses the
    assignment(s) overlapping the month.
    """

    __tablename__ = "assignment"
    __table_args__ = (UniqueConstraint("nip", "start_date", name="uq_assignment_nip_start"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    nip: Mapped[str] = mapped_column(ForeignKey("employee.nip"), index=True)
    opd_code: Mapped[str] = mapped_column(ForeignKey("opd.code"), index=True)
    position_level: Mapped[str] = mapped_column(String(16))
    job_title: Mapped[str] = mapped_column(String(200), default="")
    supervisor_nip: Mapped[str | None] = mapped_column(NIP, nullable=True)
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date, nullable=True)


class Period(Base):
    """A month of assessment, e.g. 2025-10."""

    __tablename__ = "period"
    __table_args__ = (one_of("status", PeriodStatus, "status"),)

    code: Mapped[str] = mapped_column(String(7), primary_key=True)
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default=PeriodStatus.OPEN)
    policy_name: Mapped[str | None] = mapped_column(String(64), nullable=True)


# --- raw month data ---------------------------------------------------------------------------


class AttendanceRecord(Base):
    """One working day of one employee: check-in/out times or an excused status."""

    __tablename__ = "attendance"
    # Rows are looked up by NIP and day (the unique index); a month is read whole.
    __table_args__ = (UniqueConstraint("nip", "work_date", name="uq_attendance_nip_date"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    period: Mapped[str] = mapped_column(String(7))
    nip: Mapped[str] = mapped_column(NIP)
    work_date: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20))
    check_in: Mapped[time | None] = mapped_column(Time, nullable=True)
    check_out: Mapped[time | None] = mapped_column(Time, nullable=True)
    source: Mapped[str] = mapped_column(String(64))
    batch_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)


class Activity(Base):
    """A daily activity entered in Sikap/e-Kinerja, with its approval."""

    __tablename__ = "activity"
    __table_args__ = (
        UniqueConstraint("source", "external_id", name="uq_activity_source_ext"),
        Index("ix_activity_nip_work_date", "nip", "work_date"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    period: Mapped[str] = mapped_column(String(7))
    nip: Mapped[str] = mapped_column(NIP)
    external_id: Mapped[str] = mapped_column(String(64))
    work_date: Mapped[date] = mapped_column(Date)
    entered_at: Mapped[datetime] = mapped_column(DateTime)
    kind: Mapped[str] = mapped_column(String(16))  # main | additional
    minutes: Mapped[float] = mapped_column(Float)  # effective work minutes (the activity's weight)
    completed: Mapped[bool] = mapped_column(Boolean, default=True)
    approval: Mapped[str] = mapped_column(String(16))  # approved | pending | rejected
    approver_nip: Mapped[str | None] = mapped_column(NIP, nullable=True)
    approved_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    description: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(String(64))
    batch_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)


class BehaviourAnswer(Base):
    """One 360-degree questionnaire answer: rater scores ratee on one item."""

    __tablename__ = "behaviour_answer"
    __table_args__ = (
        UniqueConstraint("nip", "period", "rater_nip", "item", name="uq_behaviour_answer"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    period: Mapped[str] = mapped_column(String(7))
    nip: Mapped[str] = mapped_column(NIP)
    rater_nip: Mapped[str] = mapped_column(NIP)
    rater_role: Mapped[str] = mapped_column(String(16))
    item: Mapped[str] = mapped_column(String(64))
    score: Mapped[float] = mapped_column(Float)
    source: Mapped[str] = mapped_column(String(64))
    batch_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)


class IndicatorValue(Base):
    """A monthly achievement figure (capaian fisik, IKI, IKU, IKP) in percent."""

    __tablename__ = "indicator_value"
    __table_args__ = (UniqueConstraint("nip", "period", "kind", name="uq_indicator_value"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    period: Mapped[str] = mapped_column(String(7))
    nip: Mapped[str] = mapped_column(NIP)
    kind: Mapped[str] = mapped_column(String(16))
    value: Mapped[float] = mapped_column(Float)
    source: Mapped[str] = mapped_column(String(64))
    batch_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)


# --- gathering bookkeeping --------------------------------------------------------------------


class SourceBatch(Base):
    """One delivery from one source for one period (and OPD, where the source is per OPD)."""

    __tablename__ = "source_batch"
    __table_args__ = (one_of("status", DeliveryStatus, "status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    period: Mapped[str] = mapped_column(String(7), index=True)
    source: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16))
    opd_code: Mapped[str | None] = mapped_column(String(32), nullable=True)
    received_at: Mapped[datetime] = mapped_column(DateTime)
    checksum: Mapped[str] = mapped_column(String(64))
    rows_received: Mapped[int] = mapped_column(Integer, default=0)
    rows_loaded: Mapped[int] = mapped_column(Integer, default=0)
    rows_rejected: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(16), default=DeliveryStatus.LOADED)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)


class QuarantinedRow(Base):
    """A rejected incoming row, kept as received with the reason."""

    __tablename__ = "quarantined_row"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    period: Mapped[str] = mapped_column(String(7), index=True)
    batch_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    source: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16))
    row_key: Mapped[str] = mapped_column(String(200), default="")
    row: Mapped[dict[str, Any]] = mapped_column(JSON)
    reason: Mapped[str] = mapped_column(String(64))
    detail: Mapped[str] = mapped_column(Text, default="")
    received_at: Mapped[datetime] = mapped_column(DateTime)


class RowChange(Base):
    """A corrected re-delivery replaced a stored row: what it was and what it became."""

    __tablename__ = "row_change"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    period: Mapped[str] = mapped_column(String(7), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    row_key: Mapped[str] = mapped_column(String(200))
    before: Mapped[dict[str, Any]] = mapped_column(JSON)
    after: Mapped[dict[str, Any]] = mapped_column(JSON)
    batch_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    changed_at: Mapped[datetime] = mapped_column(DateTime)


class OpdPeriodStatus(Base):
    """Whether an OPD is assessable this month, and why not."""

    __tablename__ = "opd_period_status"

    period: Mapped[str] = mapped_column(String(7), primary_key=True)
    opd_code: Mapped[str] = mapped_column(String(32), primary_key=True)
    assessable: Mapped[bool] = mapped_column(Boolean, default=True)
    reason: Mapped[str] = mapped_column(Text, default="")


class OpdRating(Base):
    """An OPD's organisation rating for a period (predikat kinerja organisasi, PermenPAN-RB
    6/2022): the input of the predikat distribution check, set by the BKD."""

    __tablename__ = "opd_rating"

    period: Mapped[str] = mapped_column(String(7), primary_key=True)
    opd_code: Mapped[str] = mapped_column(String(32), primary_key=True)
    rating: Mapped[str] = mapped_column(String(16))  # istimewa | baik | butuh_perbaikan | ...
    note: Mapped[str] = mapped_column(Text, default="")
    set_by: Mapped[str] = mapped_column(String(64), default="")
    set_at: Mapped[datetime] = mapped_column(DateTime)


# --- scores and candidates --------------------------------------------------------------------


class Score(Base):
    """One employee's computed month, with every component kept."""

    __tablename__ = "score"

    period: Mapped[str] = mapped_column(String(7), primary_key=True)
    nip: Mapped[str] = mapped_column(NIP, primary_key=True)
    opd_code: Mapped[str] = mapped_column(String(32), index=True)
    rumpun_code: Mapped[str | None] = mapped_column(String(32), nullable=True)
    position_level: Mapped[str] = mapped_column(String(16))
    kinerja: Mapped[float | None] = mapped_column(Float, nullable=True)
    kehadiran: Mapped[float | None] = mapped_column(Float, nullable=True)
    perilaku: Mapped[float | None] = mapped_column(Float, nullable=True)
    composite: Mapped[float | None] = mapped_column(Float, nullable=True)
    components: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    band: Mapped[str | None] = mapped_column(String(16), nullable=True)
    sufficient: Mapped[bool] = mapped_column(Boolean, default=True)
    insufficient_reason: Mapped[str] = mapped_column(Text, default="")
    rank_opd: Mapped[int | None] = mapped_column(Integer, nullable=True)
    rank_rumpun: Mapped[int | None] = mapped_column(Integer, nullable=True)
    explanation: Mapped[str] = mapped_column(Text, default="")
    policy_name: Mapped[str] = mapped_column(String(64))
    computed_at: Mapped[datetime] = mapped_column(DateTime)


class Candidate(Base):
    """A name the system proposes for a period: ranked in its scope, decided in its review.

    `review_scope` is the review that decides on this person: their OPD, or the heads' review
    (rules.deciders.HEADS_SCOPE) for a head of OPD, decided by their superior.
    """

    __tablename__ = "candidate"

    period: Mapped[str] = mapped_column(String(7), primary_key=True)
    nip: Mapped[str] = mapped_column(NIP, primary_key=True)
    scope_kind: Mapped[str] = mapped_column(String(8))  # opd | rumpun | heads | sekda
    scope_code: Mapped[str] = mapped_column(String(32), index=True)
    opd_code: Mapped[str] = mapped_column(String(32), index=True)
    # unless said otherwise, a candidate is decided in their own OPD's review
    review_scope: Mapped[str] = mapped_column(
        String(32), index=True, default=lambda ctx: ctx.get_current_parameters()["opd_code"]
    )
    rank: Mapped[int] = mapped_column(Integer)
    composite: Mapped[float] = mapped_column(Float)


class SelectionNote(Base):
    """Why a review holds as many names as it does (Indonesian), shown to the head and BKD."""

    __tablename__ = "selection_note"

    period: Mapped[str] = mapped_column(String(7), primary_key=True)
    review_scope: Mapped[str] = mapped_column(String(32), primary_key=True)
    members: Mapped[int] = mapped_column(Integer, default=0)
    sufficient: Mapped[int] = mapped_column(Integer, default=0)
    below_floor: Mapped[int] = mapped_column(Integer, default=0)
    proposed: Mapped[int] = mapped_column(Integer, default=0)
    floor: Mapped[float] = mapped_column(Float)
    note: Mapped[str] = mapped_column(Text, default="")


# --- review, decisions, audit -----------------------------------------------------------------


class Review(Base):
    """One OPD's (or rumpun's) review for a period: the unit a head of OPD decides in."""

    __tablename__ = "review"
    __table_args__ = (
        UniqueConstraint("period", "scope_code", name="uq_review_period_scope"),
        one_of("stage", ReviewStage, "stage"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    period: Mapped[str] = mapped_column(String(7), index=True)
    scope_kind: Mapped[str] = mapped_column(String(8))
    scope_code: Mapped[str] = mapped_column(String(32))
    stage: Mapped[str] = mapped_column(String(24))
    flow_run_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    selection_deadline: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    defence_deadline: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    # The Markdown above the selection form, written by the cycle when it asks the head, so
    # the review run's first execution only reads it (see review.notices.request_selections).
    selection_brief: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime)


class Decision(Base):
    """An append-only record of a decision that affects a person: who, when, what and why.

    A correction is a new row whose `supersedes_id` points at the row it corrects; rows are
    never updated in place. `idempotency_key` makes a rerun or a crash-retry a no-op.
    """

    __tablename__ = "decision"
    __table_args__ = (
        one_of("kind", DecisionKind, "kind"),
        CheckConstraint(DECISION_VALUE_CHECK, name="value"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    idempotency_key: Mapped[str] = mapped_column(String(200), unique=True)
    period: Mapped[str] = mapped_column(String(7), index=True)
    review_id: Mapped[int | None] = mapped_column(ForeignKey("review.id"), nullable=True)
    scope_code: Mapped[str] = mapped_column(String(32))
    nip: Mapped[str | None] = mapped_column(NIP, nullable=True, index=True)
    kind: Mapped[str] = mapped_column(String(16))
    value: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(Text, default="")
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    actor: Mapped[str] = mapped_column(String(200))
    actor_role: Mapped[str] = mapped_column(String(32))
    channel: Mapped[str] = mapped_column(String(32), default="system")  # ui | cli | portal | system
    created_at: Mapped[datetime] = mapped_column(DateTime)
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("decision.id"), nullable=True)


class Evidence(Base):
    """A file an employee attached to their defence, stored outside any web root by checksum."""

    __tablename__ = "evidence"
    __table_args__ = (
        UniqueConstraint("period", "scope_code", "nip", "sha256", name="uq_evidence_file"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    period: Mapped[str] = mapped_column(String(7), index=True)
    scope_code: Mapped[str] = mapped_column(String(32))
    nip: Mapped[str] = mapped_column(NIP, index=True)
    defence_id: Mapped[int | None] = mapped_column(ForeignKey("decision.id"), nullable=True)
    filename: Mapped[str] = mapped_column(String(200))  # as the employee named it (cleaned)
    media_type: Mapped[str] = mapped_column(String(32))  # from the content, not the name
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    stored_as: Mapped[str] = mapped_column(String(300))  # relative to the evidence folder
    uploaded_at: Mapped[datetime] = mapped_column(DateTime)
    uploaded_by: Mapped[str] = mapped_column(String(200))


class DataObjection(Base):
    """An employee marks one data row as wrong (an attendance day, an activity, an approval
    that never arrived), with what it should be and a note; the verdict rules on it."""

    __tablename__ = "data_objection"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    period: Mapped[str] = mapped_column(String(7), index=True)
    scope_code: Mapped[str] = mapped_column(String(32))
    nip: Mapped[str] = mapped_column(NIP, index=True)
    defence_id: Mapped[int | None] = mapped_column(ForeignKey("decision.id"), nullable=True)
    kind: Mapped[str] = mapped_column(String(24))  # attendance_day | activity | approval_missing
    row_ref: Mapped[str] = mapped_column(String(64))  # the work date, or the activity's id
    claim: Mapped[str] = mapped_column(String(32))  # what the row should say
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime)
    created_by: Mapped[str] = mapped_column(String(200))


class DataCorrection(Base):
    """An accepted objection applied to its row: before and after, who ruled and under which
    decision. The raw row itself is updated (and a row_change written) so any rescoring uses it."""

    __tablename__ = "data_correction"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    period: Mapped[str] = mapped_column(String(7), index=True)
    nip: Mapped[str] = mapped_column(NIP, index=True)
    objection_id: Mapped[int] = mapped_column(ForeignKey("data_objection.id"), unique=True)
    ruling_id: Mapped[int] = mapped_column(ForeignKey("decision.id"))
    kind: Mapped[str] = mapped_column(String(16))  # attendance | activities (raw table kind)
    row_key: Mapped[str] = mapped_column(String(200))
    before: Mapped[dict[str, Any]] = mapped_column(JSON)
    after: Mapped[dict[str, Any]] = mapped_column(JSON)
    actor: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime)


class AuditEvent(Base):
    """Who did what, when, through which link or command (portal and CLI actions)."""

    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(DateTime, index=True)
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(64))
    period: Mapped[str | None] = mapped_column(String(7), nullable=True)
    scope_code: Mapped[str | None] = mapped_column(String(32), nullable=True)
    link_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class RefusalCount(Base):
    """Anonymous portal refusals (no link identified), counted per minute and source.

    A bad token costs one counter increment, not an audit row: the table grows by at most one
    row per minute, source and reason, and the sources of one minute are capped.
    """

    __tablename__ = "refusal_count"
    __table_args__ = (UniqueConstraint("minute", "source", "reason"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    minute: Mapped[datetime] = mapped_column(DateTime, index=True)
    source: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(String(32))
    count: Mapped[int] = mapped_column(Integer, default=0)


class PortalLink(Base):
    """A personal portal link, bound to period, scope, purpose and person; its action runs once."""

    __tablename__ = "portal_link"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    period: Mapped[str] = mapped_column(String(7), index=True)
    scope_code: Mapped[str] = mapped_column(String(32))
    purpose: Mapped[str] = mapped_column(String(16))  # selection | defence | verdict | overview
    person_nip: Mapped[str] = mapped_column(String(64))  # a NIP, or an operator id for overview
    issued_at: Mapped[datetime] = mapped_column(DateTime)
    expires_at: Mapped[datetime] = mapped_column(DateTime)
    used_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    used_action: Mapped[str | None] = mapped_column(String(64), nullable=True)
    # The code of the link's short form (<portal>/s/<code>, for paper): unique, signed.
    short_code: Mapped[str | None] = mapped_column(String(16), nullable=True, unique=True)


# --- outputs ----------------------------------------------------------------------------------


class Draft(Base):
    """An announcement or recognition draft waiting for approval by communications/BKD."""

    __tablename__ = "draft"
    __table_args__ = (
        UniqueConstraint("period", "scope_code", "purpose", "fmt", name="uq_draft_key"),
        one_of("status", DraftStatus, "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    period: Mapped[str] = mapped_column(String(7), index=True)
    scope_kind: Mapped[str] = mapped_column(String(8))
    scope_code: Mapped[str] = mapped_column(String(32))
    purpose: Mapped[str] = mapped_column(String(16))  # announcement | recognition
    fmt: Mapped[str] = mapped_column(String(16))  # caption | x_post | press_release
    body: Mapped[str] = mapped_column(Text)
    nips: Mapped[list[str]] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(16), default=DraftStatus.DRAFT)
    decided_by: Mapped[str | None] = mapped_column(String(200), nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    decision_reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime)


class CoachingAssignment(Base):
    """Coaching for the month after publication, and its check-ins."""

    __tablename__ = "coaching_assignment"
    __table_args__ = (UniqueConstraint("period", "nip", name="uq_coaching_period_nip"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    period: Mapped[str] = mapped_column(String(7), index=True)  # the month coaching happens in
    source_period: Mapped[str] = mapped_column(String(7))  # the month that led to it
    nip: Mapped[str] = mapped_column(NIP, index=True)
    coach_role: Mapped[str] = mapped_column(String(24))
    coach_nip: Mapped[str | None] = mapped_column(NIP, nullable=True)
    goals: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    checkin_dates: Mapped[list[str]] = mapped_column(JSON, default=list)
    baseline: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime)


class Notification(Base):
    """A message to a person on one channel; event_key makes a resend a no-op."""

    __tablename__ = "notification"
    __table_args__ = (
        Index("ix_notification_period", "period"),
        one_of("status", NotificationStatus, "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    event_key: Mapped[str] = mapped_column(String(200), unique=True)
    period: Mapped[str | None] = mapped_column(String(7), nullable=True)
    channel: Mapped[str] = mapped_column(String(32))
    recipient: Mapped[str] = mapped_column(String(200))
    recipient_role: Mapped[str] = mapped_column(String(32))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    # pending|sending|sent|failed|uncertain; "sending" is a claim (claimed_at, claimed_by) so
    # only one process sends; "uncertain": its process died mid-send, it may have arrived.
    status: Mapped[str] = mapped_column(String(16), default=NotificationStatus.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    claimed_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    claimed_by: Mapped[str | None] = mapped_column(String(120), nullable=True)  # "host:pid"
    # When a send was found interrupted (may have reached the channel) and sent again with the
    # same idempotency key; kept after it is sent, for the record.
    uncertain_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
