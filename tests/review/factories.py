"""Factories for review tests: OPDs, employees, scores and candidates inserted directly."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Engine

from kinerja.db.models import Assignment, Candidate, Employee, Opd, Score
from kinerja.db.session import session_scope
from kinerja.domain import EmployeeStatus, utcnow


def nip_for(opd: str, i: int) -> str:
    """A deterministic 18-digit NIP per OPD and index."""
    return f"19800101{abs(hash(opd)) % 10**6:06d}{i:04d}"[:18]


def make_opd(
    engine: Engine, period: str, opd: str, n_candidates: int = 3, rumpun: str | None = None
) -> list[str]:
    """An OPD with a head and `n_candidates` scored candidates; returns the candidate NIPs."""
    now = utcnow()
    head = f"{opd}-HEAD"
    nips = [f"{opd}-{i:03d}" for i in range(1, n_candidates + 1)]
    with session_scope(engine) as s:
        if s.get(Employee, head) is None:
            s.add(Employee(nip=head, name=f"Kepala {opd}", status=EmployeeStatus.PNS))
            s.add(Opd(code=opd, name=f"Dinas {opd}", head_nip=head, rumpun_code=rumpun))
            s.flush()
        for rank, nip in enumerate(nips, start=1):
            if s.get(Employee, nip) is None:
                s.add(Employee(nip=nip, name=f"Pegawai {nip}", status=EmployeeStatus.PNS))
                s.flush()
                s.add(
                    Assignment(
                        nip=nip,
                        opd_code=opd,
                        position_level="staff",
                        job_title="Analis",
                        supervisor_nip=head,
                        start_date=date(2020, 1, 1),
                    )
                )
            s.add(
                Score(
                    period=period,
                    nip=nip,
                    opd_code=opd,
                    position_level="staff",
                    kinerja=40.0 + rank,
                    kehadiran=60.0 + rank,
                    perilaku=70.0,
                    composite=50.0 + rank,
                    components={"c_main_activity": 40.0 + rank, "c_behaviour": 70.0},
                    band="low",
                    sufficient=True,
                    explanation=f"Kegiatan utama rendah ({40 + rank}%).",
                    policy_name="jabar",
                    computed_at=now,
                )
            )
            s.add(
                Candidate(
                    period=period,
                    nip=nip,
                    scope_kind="opd",
                    scope_code=opd,
                    opd_code=opd,
                    rank=rank,
                    composite=50.0 + rank,
                )
            )
    return nips
