"""The predikat distribution of each OPD against its organisation rating, from the database."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy.orm import Session

from kinerja.db.opd_ratings import band_counts, ratings_for
from kinerja.rules.policy import Policy
from kinerja.rules.predikat import ORG_RATING_LABELS, DistributionCheck, check_distribution


def distribution_checks(
    session: Session, period: str, policy: Policy, opd_codes: Iterable[str] | None = None
) -> list[DistributionCheck]:
    """One check per OPD (those with scores, or `opd_codes`); none unless the policy has predikat.

    Only a warning for the recap and the head's page: no predikat or rank is changed here.
    """
    if policy.predikat is None:
        return []
    counts = band_counts(session, period)
    ratings = ratings_for(session, period)
    codes = sorted(counts) if opd_codes is None else sorted(set(opd_codes))
    return [
        check_distribution(code, counts.get(code, {}), ratings.get(code), policy.predikat)
        for code in codes
    ]


def distribution_rows(
    checks: list[DistributionCheck], policy: Policy, names: dict[str, str]
) -> list[dict[str, Any]]:
    """The checks as rows for the recap: unit, rating, counts per predikat, verdict."""
    rows = []
    for c in checks:
        if c.warnings:
            verdict = "; ".join(c.warnings)
        elif c.note:
            verdict = c.note
        else:
            verdict = "Sesuai pedoman distribusi"
        rows.append(
            {
                "code": c.opd_code,
                "name": names.get(c.opd_code, c.opd_code),
                "rating": ORG_RATING_LABELS.get(c.org_rating or "", "-"),
                "total": c.total,
                "counts": dict(c.counts),
                "ok": c.ok and not c.note,
                "warning": bool(c.warnings),
                "verdict": verdict,
            }
        )
    return rows
