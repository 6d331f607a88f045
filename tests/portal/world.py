"""A small two-OPD month for portal tests: real scores, candidates and reviews in the database."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import Engine

from kinerja.db.models import Employee, Opd, Score
from kinerja.db.reviews import ensure_review
from kinerja.db.scores import save_candidates, save_scores
from kinerja.db.session import session_scope
from kinerja.domain import utcnow
from kinerja.rules.policy import Policy, load_policy
from kinerja.rules.scoring import score_month
from kinerja.rules.selection import propose_candidates
from tests.factories import MonthBuilder

PERIOD = "2025-10"
# Composite of each candidate in the two months before, for the trend.
HISTORY = {"2025-08": 71.25, "2025-09": 66.75}
# Distinctive individual answers: none of them may ever appear on a page.
SECRET_SCORES = (1.37, 4.93, 2.71, 3.19)


@dataclass
class World:
    period: str
    heads: dict[str, str]  # opd code -> head NIP
    candidates: dict[str, list[str]] = field(default_factory=dict)  # opd code -> candidate NIPs
    raters: list[str] = field(default_factory=list)
    names: dict[str, str] = field(default_factory=dict)


def _opd(mb: MonthBuilder, code: str, name: str, world: World, weak: int, strong: int) -> None:
    head = mb.employee(opd=code, opd_name=name, level="eselon_ii", name=f"Kepala {name}")
    world.heads[code] = head
    mb.full_attendance(head)
    mb.full_activities(head)
    mb.rate_360(head)
    for i in range(strong):
        nip = mb.good_employee(opd=code, opd_name=name, supervisor=head, name=f"Rajin {code} {i}")
        world.names[nip] = f"Rajin {code} {i}"
    for i in range(weak):
        nip = mb.employee(opd=code, opd_name=name, supervisor=head, name=f"Lemah {code} {i}")
        world.names[nip] = f"Lemah {code} {i}"
        mb.full_attendance(nip, late_minutes=[20 + 5 * i] * (4 + i), absent_days=1 + i)
        mb.full_activities(nip, main_ratio=0.4 + 0.05 * i)
        # Four raters, each with a distinctive score per item, so item means differ from them.
        mb.behaviour = [r for r in mb.behaviour if r["nip"] != nip]
        mb.rate(nip, SECRET_SCORES[0], role="supervisor", rater=head)
        for score in SECRET_SCORES[1:]:
            world.raters.append(mb.rate(nip, score, role="peer"))


def _travel_opd(mb: MonthBuilder, world: World) -> None:
    """DINAS-C: one candidate whose three absences were official travel (composite 74.3, just
    at the floor; one day corrected brings it above 75), the others well above the floor."""
    head = mb.good_employee(opd="DINAS-C", opd_name="Dinas Sosial", level="eselon_ii")
    world.heads["DINAS-C"] = head
    nip = mb.employee(opd="DINAS-C", opd_name="Dinas Sosial", supervisor=head, name="Dinas Luar")
    world.names[nip] = "Dinas Luar"
    mb.full_attendance(nip, absent_days=3)
    mb.full_activities(nip, main_ratio=0.55)
    mb.rate_360(nip)
    for i in range(2):
        world.names[
            mb.good_employee(
                opd="DINAS-C", opd_name="Dinas Sosial", supervisor=head, name=f"Rajin C {i}"
            )
        ] = f"Rajin C {i}"


def build_world(
    engine: Engine,
    period: str = PERIOD,
    *,
    deadline_days: float = 5,
    travel: bool = False,
    policy: Policy | None = None,
) -> World:
    """Two OPDs (DINAS-A, DINAS-B), scored by the real rules (jabar unless `policy`), with
    reviews awaiting selection; with `travel`, a third (DINAS-C) whose one candidate can
    contest three absences."""
    mb = MonthBuilder(period, policy=policy or load_policy("jabar"))
    world = World(period=period, heads={})
    _opd(mb, "DINAS-A", "Dinas Pendidikan", world, weak=3, strong=3)
    _opd(mb, "DINAS-B", "Dinas Kesehatan", world, weak=3, strong=3)
    if travel:
        _travel_opd(mb, world)
    data = mb.build()
    scores = score_month(data, mb.policy)
    cands = propose_candidates(scores, mb.policy, {}, data.employees)
    now = utcnow()
    with session_scope(engine) as session:
        # Employees first: an assignment must never be flushed before its employee.
        for e in mb.employees:
            session.add(Employee(nip=e["nip"], name=e["name"], status=e["status"]))
        session.flush()
        mb.to_db(session)
        for code, head in world.heads.items():
            opd = session.get(Opd, code)
            assert opd is not None
            opd.head_nip = head
        save_scores(session, period, scores, mb.policy.name)
        save_candidates(session, period, cands)
        for row in cands.to_dict("records"):
            world.candidates.setdefault(row["scope_code"], []).append(row["nip"])
        for nips in world.candidates.values():
            for past, composite in HISTORY.items():
                for nip in nips:
                    session.add(
                        Score(
                            period=past,
                            nip=nip,
                            opd_code=scores.set_index("nip").at[nip, "opd_code"],
                            position_level="staff",
                            composite=composite,
                            policy_name="jabar",
                            computed_at=now,
                        )
                    )
        for code in world.candidates:
            ensure_review(
                session,
                period=period,
                scope_kind="opd",
                scope_code=code,
                selection_deadline=now + timedelta(days=deadline_days),
                now=now,
            )
    return world


def later(hours: float) -> datetime:
    return utcnow() + timedelta(hours=hours)
