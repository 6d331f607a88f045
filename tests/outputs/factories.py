"""Demo-like month data for output tests: organisation, scores, candidates and decisions.

Decisions are inserted directly, the way the review flows record them (db.models.Decision with
the kinds/values of the brief), so output tests do not depend on the flows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

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
from kinerja.domain import (
    DecisionKind,
    DefenceValue,
    EmployeeStatus,
    OutcomeValue,
    ReviewStage,
    SelectionValue,
    VerdictValue,
    WarningValue,
)
from kinerja.rules.policy import Policy

NAMES = [
    "Asep Sunandar",
    "Siti Nurhaliza",
    "Dedi Kurniawan",
    "Rina Marlina",
    "Agus Salim",
    "Euis Komariah",
    "Bambang Pamungkas",
    "Wulan Sari",
    "Hendra Gunawan",
    "Neneng Hasanah",
    "Ujang Supriatna",
    "Yanti Rahmawati",
]
OPDS = [
    ("DISHUB", "Dinas Perhubungan", "EKON"),
    ("BAPPEDA", "Badan Perencanaan Pembangunan Daerah", "EKON"),
    ("DINKES", "Dinas Kesehatan", "KESRA"),
]
RUMPUN = {"EKON": "Rumpun Perekonomian dan Pembangunan", "KESRA": "Rumpun Kesejahteraan Rakyat"}
PER_OPD = 6


def nip_of(opd_index: int, j: int) -> str:
    return f"19800101200501{opd_index:02d}{j:02d}"


@dataclass
class World:
    """The organisation of the demo province: OPD code -> NIPs (index 0 is the head)."""

    staff: dict[str, list[str]] = field(default_factory=dict)
    heads: dict[str, str] = field(default_factory=dict)

    def nip(self, opd: str, j: int) -> str:
        return self.staff[opd][j]


def build_world(session: Session, *, names: dict[str, str] | None = None) -> World:
    """3 OPDs in 2 rumpun, 6 employees each (1 head, 5 staff), with email addresses."""
    world = World()
    for code, name in RUMPUN.items():
        session.add(Rumpun(code=code, name=name))
    session.flush()
    for i, (code, name, rumpun) in enumerate(OPDS):
        head = nip_of(i, 0)
        session.add(Opd(code=code, name=name, rumpun_code=rumpun, head_nip=head))
        session.flush()
        world.staff[code], world.heads[code] = [], head
        for j in range(PER_OPD):
            nip = nip_of(i, j)
            full = (names or {}).get(nip, NAMES[(i * PER_OPD + j) % len(NAMES)] + f" {i}{j}")
            session.add(
                Employee(
                    nip=nip, name=full, status=EmployeeStatus.PNS, email=f"{nip}@example.go.id"
                )
            )
            session.flush()
            session.add(
                Assignment(
                    nip=nip,
                    opd_code=code,
                    position_level="eselon_ii" if j == 0 else "staff",
                    job_title=f"Kepala {name}" if j == 0 else "Analis Kebijakan",
                    supervisor_nip=None if j == 0 else head,
                    start_date=date(2020, 1, 1),
                )
            )
            world.staff[code].append(nip)
    session.flush()
    return world


def band_code(policy: Policy, value: float) -> str:
    for b in policy.bands:
        lo_ok = value > b.min_score or (b.include_min and value == b.min_score)
        hi_ok = value < b.max_score or (b.include_max and value == b.max_score)
        if lo_ok and hi_ok:
            return b.code
    raise AssertionError(value)


def add_scores(
    session: Session,
    world: World,
    period: str,
    policy: Policy,
    overrides: dict[str, dict[str, Any]] | None = None,
) -> dict[str, Score]:
    """Composite 40 + 9*j + i for employee j of OPD i (so j=1 is the lowest staff member)."""
    out = {}
    for i, (code, _, rumpun) in enumerate(OPDS):
        for j, nip in enumerate(world.staff[code]):
            composite = 40.0 + 9 * j + i if j else 85.0 + i
            values: dict[str, Any] = {
                "kinerja": composite - 5,
                "kehadiran": composite + 8,
                "perilaku": composite + 2,
                "composite": composite,
                "sufficient": True,
            }
            values.update((overrides or {}).get(nip, {}))
            c = values["composite"]
            row = Score(
                period=period,
                nip=nip,
                opd_code=code,
                rumpun_code=rumpun,
                position_level="eselon_ii" if j == 0 else "staff",
                kinerja=values["kinerja"],
                kehadiran=values["kehadiran"],
                perilaku=values["perilaku"],
                composite=c,
                components={
                    "c_main_activity": values["kinerja"] - 3,
                    "c_additional_activity": values["kinerja"] + 4,
                    "c_behaviour": values["perilaku"],
                },
                band=band_code(policy, c) if c is not None else None,
                sufficient=values["sufficient"],
                insufficient_reason="" if values["sufficient"] else "data kehadiran < 50%",
                rank_opd=j,
                rank_rumpun=None,
                explanation="",
                policy_name=policy.name,
                computed_at=datetime(2025, 11, 3, 8, 0),
            )
            session.add(row)
            out[nip] = row
    session.flush()
    return out


def add_candidates(session: Session, world: World, period: str, count: int = 3) -> None:
    for code in world.staff:
        for rank, nip in enumerate(world.staff[code][1 : 1 + count], start=1):
            session.add(
                Candidate(
                    period=period,
                    nip=nip,
                    scope_kind="opd",
                    scope_code=code,
                    opd_code=code,
                    rank=rank,
                    composite=0.0,
                )
            )
    session.flush()


def add_review(session: Session, period: str, scope_code: str) -> Review:
    now = datetime(2025, 11, 3, 9, 0)
    review = Review(
        period=period,
        scope_kind="opd",
        scope_code=scope_code,
        stage=ReviewStage.DONE,
        selection_deadline=now + timedelta(days=7),
        defence_deadline=datetime(2025, 11, 17, 9, 0),  # naive UTC: 16.00 WIB
        created_at=now,
        updated_at=now,
    )
    session.add(review)
    session.flush()
    return review


_seq = [0]


def decide(
    session: Session,
    period: str,
    scope_code: str,
    nip: str | None,
    kind: str,
    value: str,
    *,
    actor: str = "kepala.opd",
    actor_role: str = "head_of_opd",
    reason: str = "",
    supersedes: Decision | None = None,
) -> Decision:
    _seq[0] += 1
    row = Decision(
        idempotency_key=f"{kind}:{period}:{scope_code}:{nip or '-'}:{_seq[0]}",
        period=period,
        scope_code=scope_code,
        nip=nip,
        kind=kind,
        value=value,
        reason=reason,
        payload={},
        actor=actor,
        actor_role=actor_role,
        channel="portal",
        created_at=datetime(2025, 11, 4, 10, 0) + timedelta(minutes=_seq[0]),
        supersedes_id=supersedes.id if supersedes is not None else None,
    )
    session.add(row)
    session.flush()
    return row


def case(
    session: Session,
    period: str,
    scope_code: str,
    nip: str,
    *,
    defence: str | None,
    reason: str = "Kehadiran dan capaian kegiatan rendah",
) -> None:
    """A selected employee's path: warning, then a defence that is rejected/accepted/absent."""
    decide(
        session,
        period,
        scope_code,
        nip,
        DecisionKind.SELECTION,
        SelectionValue.SELECTED,
        reason=reason,
    )
    decide(
        session,
        period,
        scope_code,
        nip,
        DecisionKind.WARNING,
        WarningValue.ISSUED,
        actor="system",
        actor_role="system",
    )
    if defence is None:
        decide(
            session,
            period,
            scope_code,
            nip,
            DecisionKind.NO_DECISION,
            DecisionKind.DEFENCE,
            actor="system",
            actor_role="system",
        )
        outcome = OutcomeValue.PUBLISHED
    else:
        decide(
            session,
            period,
            scope_code,
            nip,
            DecisionKind.DEFENCE,
            DefenceValue.SUBMITTED,
            actor=nip,
            actor_role="employee",
            reason="Saya dinas luar, bukti terlampir",
        )
        decide(
            session,
            period,
            scope_code,
            nip,
            DecisionKind.VERDICT,
            defence,
            reason="Bukti tidak sah"
            if defence == VerdictValue.REJECTED
            else "Bukti dinas luar sah",
        )
        outcome = (
            OutcomeValue.PUBLISHED
            if defence == VerdictValue.REJECTED
            else OutcomeValue.NOT_PUBLISHED
        )
    decide(
        session,
        period,
        scope_code,
        nip,
        DecisionKind.OUTCOME,
        outcome,
        actor="system",
        actor_role="system",
    )


def add_quality(session: Session, world: World, period: str) -> None:
    """Two quarantined rows for DISHUB, one without an OPD; BAPPEDA is not assessable."""
    at = datetime(2025, 11, 1, 6, 0)
    for reason, row in [
        ("bad_time", {"nip": world.nip("DISHUB", 2), "check_in": "25:99"}),
        ("unknown_nip", {"nip": "000", "work_date": "2025-10-02"}),
        ("bad_time", {"nip": world.nip("DISHUB", 3), "check_in": "x"}),
    ]:
        session.add(
            QuarantinedRow(
                period=period,
                source="kmob",
                kind="attendance",
                row_key=str(row.get("nip")),
                row=row,
                reason=reason,
                detail="",
                received_at=at,
            )
        )
    session.add(OpdPeriodStatus(period=period, opd_code="DISHUB", assessable=True, reason=""))
    session.add(
        OpdPeriodStatus(
            period=period, opd_code="BAPPEDA", assessable=False, reason="data K-Mob tidak lengkap"
        )
    )
    session.flush()


def standard_month(session: Session, policy: Policy, period: str = "2025-10") -> World:
    """DISHUB: j=1 published (no defence), j=2 defence accepted, j=3 not selected;
    DINKES: j=1 published (defence rejected); BAPPEDA: candidates but no selection."""
    world = build_world(session)
    add_scores(session, world, period, policy)
    add_candidates(session, world, period)
    for code in world.staff:
        add_review(session, period, code)
    case(session, period, "DISHUB", world.nip("DISHUB", 1), defence=None)
    case(session, period, "DISHUB", world.nip("DISHUB", 2), defence=VerdictValue.ACCEPTED)
    decide(
        session,
        period,
        "DISHUB",
        world.nip("DISHUB", 3),
        DecisionKind.SELECTION,
        SelectionValue.NOT_SELECTED,
        reason="Sedang cuti melahirkan",
    )
    case(session, period, "DINKES", world.nip("DINKES", 1), defence=VerdictValue.REJECTED)
    add_quality(session, world, period)
    session.commit()
    return world
