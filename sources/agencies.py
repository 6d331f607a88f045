"""A national month by agency (instansi): each agency's gathering, checking, loading and scoring.

An agency is what one province is on a single machine: its own database and its own sources.
These plain functions are the unit of work that flows.nation runs once per agency on a Dask
cluster; run in one process they give the same rows (the test compares them).
"""

from __future__ import annotations

import hashlib
import resource
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from sqlalchemy import select

CODE = r"^[A-Za-z0-9_.-]{1,32}$"


class Agency(BaseModel):
    """One agency: a code, a name, where its data lives and (optionally) where it comes from."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    code: str = Field(pattern=CODE)
    name: str = Field(min_length=1)
    database_url: str = Field(min_length=1, description="The agency's own database.")
    sources_config: Path | None = Field(
        default=None, description="Its sources YAML; none: its month is already loaded."
    )

    def __repr__(self) -> str:  # the URL may hold a password: never in a log line
        return f"Agency(code={self.code!r}, name={self.name!r})"

    __str__ = __repr__


class AgenciesConfig(BaseModel):
    """The agencies of a national month (KINERJA_AGENCIES_CONFIG)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    agencies: list[Agency] = Field(min_length=1)

    @field_validator("agencies")
    @classmethod
    def _unique(cls, v: list[Agency]) -> list[Agency]:
        seen: set[str] = set()
        for a in v:
            if a.code in seen:
                raise ValueError(f"agency code {a.code!r} appears twice")
            seen.add(a.code)
        return v


def load_agencies(path: Path) -> list[Agency]:
    """The agencies of a YAML file; a bad file fails naming the entry and the field."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        return AgenciesConfig.model_validate(data).agencies
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()
        )
        raise ValueError(f"invalid agencies file {path.name}: {problems}") from exc


@dataclass
class AgencyMonth:
    """What one agency's unit of work did, with its timings and the worker's peak memory."""

    agency: str
    period: str
    employees: int = 0
    sufficient: int = 0
    candidates: int = 0
    source_rows: int = 0
    seconds: dict[str, float] = field(default_factory=dict)
    peak_rss_mb: float = 0.0
    digest: str = ""
    frozen: bool = False

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def peak_rss_mb() -> float:
    """This process's peak resident memory so far (a worker's high-water mark), in MB.

    VmHWM on Linux: ru_maxrss survives exec, so a spawned worker would report its parent's.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _engine(agency: Agency) -> Any:
    from kinerja.db.migrate import upgrade
    from kinerja.db.session import make_engine

    upgrade(agency.database_url)
    return make_engine(agency.database_url)


def gather_agency(agency: Agency, period: str, policy_name: str) -> dict[str, Any]:
    """Gather, check and load the agency's month from its sources (idempotent per delivery:
    a re-run after a worker died writes nothing twice). Without sources: nothing to gather."""
    from kinerja.rules.policy import load_policy
    from kinerja.sources.config import load_sources_config
    from kinerja.sources.gather import gather_month

    t0 = time.perf_counter()
    if agency.sources_config is None:
        return {"agency": agency.code, "rows": 0, "seconds": 0.0, "errors": []}
    engine = _engine(agency)
    try:
        report = gather_month(
            engine,
            period,
            load_sources_config(agency.sources_config),
            policy=load_policy(policy_name),
            workers=1,  # the cluster is the parallelism: no pool inside a worker
        )
    finally:
        engine.dispose()
    if not report.ok:
        raise RuntimeError(f"agency {agency.code}: gathering {period} failed: {report.errors}")
    return {
        "agency": agency.code,
        "rows": report.rows(),
        "seconds": time.perf_counter() - t0,
        "errors": list(report.errors),
    }


def score_agency(agency: Agency, period: str, policy_name: str) -> AgencyMonth:
    """Score the agency's month and propose candidates per OPD, in one transaction.

    A re-run replaces the period's rows (never adds to them); once a review exists the
    candidates are frozen, as in the monthly cycle.
    """
    from kinerja.db import reviews
    from kinerja.db.month_data import load_month
    from kinerja.db.periods import ensure_period
    from kinerja.db.scores import save_candidates, save_notes, save_scores
    from kinerja.db.session import session_scope
    from kinerja.rules.policy import load_policy
    from kinerja.rules.scoring import score_month
    from kinerja.rules.selection import propose

    pol = load_policy(policy_name)
    out = AgencyMonth(agency=agency.code, period=period)
    engine = _engine(agency)
    try:
        with session_scope(engine) as s:
            ensure_period(s, period, pol.name)
            if reviews.list_reviews(s, period):
                out.frozen = True
            else:
                t = time.perf_counter()
                data = load_month(s, period, workers=1)
                out.seconds["read"] = time.perf_counter() - t
                out.source_rows = len(data.attendance) + len(data.activities) + len(data.behaviour)
                t = time.perf_counter()
                scores = score_month(data, pol)
                proposal = propose(scores, pol, dict(data.unassessable_opds), data.employees)
                out.seconds["score"] = time.perf_counter() - t
                t = time.perf_counter()
                save_scores(s, period, scores, pol.name)
                save_candidates(s, period, proposal.candidates)
                save_notes(s, period, proposal.notes)
                out.seconds["write"] = time.perf_counter() - t
        with session_scope(engine) as s:
            out.employees, out.sufficient, out.candidates, out.digest = month_digest(s, period)
    finally:
        engine.dispose()
    out.peak_rss_mb = peak_rss_mb()
    return out


def month_digest(session: Any, period: str) -> tuple[int, int, int, str]:
    """(employees, sufficient, candidates, sha256 of every score and candidate row): two runs
    of a month gave the same result exactly when the digests match."""
    from kinerja.db.models import Candidate, Score

    h = hashlib.sha256()
    employees = sufficient = 0
    cols = (
        Score.nip, Score.opd_code, Score.kinerja, Score.kehadiran, Score.perilaku,
        Score.composite, Score.band, Score.sufficient, Score.rank_opd, Score.rank_rumpun,
        Score.explanation, Score.components,
    )  # fmt: skip
    for row in session.execute(select(*cols).where(Score.period == period).order_by(Score.nip)):
        employees += 1
        sufficient += int(bool(row.sufficient))
        h.update(repr(tuple(row[:-1])).encode())
        h.update(repr(sorted((row.components or {}).items())).encode())
    candidates = 0
    stmt = (
        select(Candidate.nip, Candidate.review_scope, Candidate.rank, Candidate.composite)
        .where(Candidate.period == period)
        .order_by(Candidate.nip)
    )
    for row in session.execute(stmt):
        candidates += 1
        h.update(repr(tuple(row)).encode())
    return employees, sufficient, candidates, h.hexdigest()
