"""Coaching for the month after publication, and next month's follow-up of it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from kinerja.db import coaching as store
from kinerja.db import outcomes
from kinerja.db.models import CoachingAssignment
from kinerja.domain import OutcomeValue
from kinerja.outputs.facts import MonthFacts
from kinerja.outputs.periods import next_period, shift
from kinerja.rules.calendar import working_days
from kinerja.rules.labels import (
    COACH_LABELS,
    COMPONENT_LABELS,
    INDICATOR_LABELS,
    INDICATORS,
    is_low,
)
from kinerja.rules.policy import Policy


def published_before(session: Session, period: str, policy: Policy) -> list[set[str]]:
    """Per earlier month that counts for repeats, the NIPs published then."""
    earlier = [shift(period, -i) for i in range(1, policy.coaching.repeat_after_months)]
    return [
        {
            n
            for n, d in outcomes.effective_decisions(session, p, "outcome").items()
            if d.value == OutcomeValue.PUBLISHED
        }
        for p in earlier
    ]


def coach_role_for(nip: str, earlier: list[set[str]], policy: Policy) -> str:
    """The policy's coach, or the repeat coach when the person was published in each of the
    previous `repeat_after_months - 1` months as well (a repeated case)."""
    cp = policy.coaching
    return cp.repeat_coach if all(nip in month for month in earlier) else cp.coach


def checkin_dates(period: str, policy: Policy) -> list[str]:
    """`checkins` working days spread evenly over the coaching month (ISO dates)."""
    days = working_days(period, policy.calendar)
    k = policy.coaching.checkins
    if not days:
        return []
    picks = sorted(
        {min(len(days) - 1, max(0, round((i + 1) * len(days) / (k + 1)) - 1)) for i in range(k)}
    )
    return [days[i].isoformat() for i in picks]


def goals_for(facts: MonthFacts, nip: str, policy: Policy) -> list[dict[str, Any]]:
    """Goals on the indicators that were low: below the OPD median or below the policy's
    `letters.indicator_threshold` (what the letters call "perlu ditingkatkan").

    The target is the OPD median or the baseline plus the improvement threshold, whichever is
    higher (at most 100). With no low indicator the lowest one gets the goal.
    """
    score = facts.scores.get(nip)
    if score is None:
        return []
    step = policy.coaching.improvement_threshold
    candidates: list[tuple[float, dict[str, Any]]] = []
    for ind in INDICATORS:
        value = getattr(score, ind)
        if value is None:
            continue
        median = facts.opd_median(score.opd_code, ind)
        target = min(100.0, max(value + step, median if median is not None else 0.0))
        goal = {
            "indicator": ind,
            "label": INDICATOR_LABELS[ind],
            "baseline": round(float(value), 2),
            "opd_median": round(median, 2) if median is not None else None,
            "target": round(target, 2),
        }
        low = is_low(value, median, policy)
        candidates.append((float(value), {**goal, "low": low}))
    goals = [g for _, g in candidates if g["low"]]
    if not goals and candidates:
        goals = [min(candidates, key=lambda c: c[0])[1]]
    weakest = weakest_components(score.components or {}, 2)
    for g in goals:
        g["detail"] = weakest
    return goals


def weakest_components(components: dict[str, Any], n: int) -> list[dict[str, Any]]:
    """The `n` lowest leaf components (c_<input>) with Indonesian labels."""
    leaves = []
    for key, value in components.items():
        name = key[2:]
        if key.startswith("c_") and name in COMPONENT_LABELS and isinstance(value, int | float):
            leaves.append({"component": name, "label": COMPONENT_LABELS[name], "value": value})
    return sorted(leaves, key=lambda c: (c["value"], c["component"]))[:n]


def plan_coaching(
    session: Session, facts: MonthFacts, nips: list[str], policy: Policy
) -> list[CoachingAssignment]:
    """Coaching assignments in the month after `facts.period` for the published `nips`."""
    month = next_period(facts.period)
    dates = checkin_dates(month, policy)
    earlier = published_before(session, facts.period, policy)
    rows = []
    for nip in nips:
        person = facts.people[nip]
        role = coach_role_for(nip, earlier, policy)
        coach_nip = {"supervisor": person.supervisor_nip, "head_of_opd": person.head_nip}.get(role)
        score = facts.scores.get(nip)
        baseline: dict[str, Any] = {}
        if score is not None:
            baseline = {ind: getattr(score, ind) for ind in (*INDICATORS, "composite")}
        rows.append(
            store.upsert_assignment(
                session,
                period=month,
                source_period=facts.period,
                nip=nip,
                coach_role=role,
                coach_nip=coach_nip,
                goals=goals_for(facts, nip, policy),
                checkin_dates=dates,
                baseline=baseline,
            )
        )
    store.remove_stale(session, facts.period, set(nips))
    return rows


def coach_label(role: str) -> str:
    return COACH_LABELS.get(role, role)


@dataclass(frozen=True)
class FollowUp:
    """How a coached employee did in the coaching month, per indicator."""

    nip: str
    name: str
    opd_name: str
    coach_role: str
    source_period: str
    baseline: dict[str, float | None]
    current: dict[str, float | None]
    change: dict[str, float | None]
    status: str  # improved | not_improved | no_data

    @property
    def status_label(self) -> str:
        return {
            "improved": "membaik",
            "not_improved": "tidak membaik",
            "no_data": "tidak ada data",
        }[self.status]


def follow_up(session: Session, facts: MonthFacts, policy: Policy) -> list[FollowUp]:
    """For everyone coached during `facts.period`: the change per indicator since the month
    that led to coaching; improved means the composite rose by at least the threshold."""
    out = []
    keys = (*INDICATORS, "composite")
    for a in store.for_period(session, facts.period):
        score = facts.scores.get(a.nip)
        person = facts.people.get(a.nip)
        base = {k: a.baseline.get(k) for k in keys}
        cur: dict[str, float | None] = {
            k: (getattr(score, k) if score is not None else None) for k in keys
        }
        change: dict[str, float | None] = {
            k: (
                round(float(cur[k]) - float(base[k]), 2)  # type: ignore[arg-type]
                if cur[k] is not None and base[k] is not None
                else None
            )
            for k in keys
        }
        if score is None or change["composite"] is None or not score.sufficient:
            status = "no_data"
        elif change["composite"] >= policy.coaching.improvement_threshold:
            status = "improved"
        else:
            status = "not_improved"
        out.append(
            FollowUp(
                nip=a.nip,
                name=person.name if person else a.nip,
                opd_name=person.opd_name if person else "",
                coach_role=a.coach_role,
                source_period=a.source_period,
                baseline=base,
                current=cur,
                change=change,
                status=status,
            )
        )
    return out
