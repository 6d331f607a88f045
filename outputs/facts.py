"""The facts of one month that every output draws on, read once from the database."""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from kinerja.db import outcomes
from kinerja.db.models import DataObjection, Decision, Score
from kinerja.db.outcomes import Person
from kinerja.domain import OutcomeValue, SelectionValue, VerdictValue


@dataclass
class MonthFacts:
    """Scores, people and the decisions in force for a period."""

    period: str
    scores: dict[str, Score]
    people: dict[str, Person]
    decisions: dict[str, dict[str, Decision]]  # kind -> nip -> decision in force
    opd_names: dict[str, str]
    rumpun_names: dict[str, str]
    inconsistent: dict[str, str] = field(default_factory=dict)  # nip -> why left out
    # review scope -> how letters name its decider ("Kepala Dinas X", "Sekretaris Daerah")
    signers: dict[str, str] = field(default_factory=dict)
    # nip -> each data objection of their defence: (text, note, ruling or "", ruling reason)
    objections: dict[str, list[tuple[str, str, str, str]]] = field(default_factory=dict)
    _medians: dict[tuple[str, str], float | None] = field(default_factory=dict, repr=False)

    def decision(self, kind: str, nip: str) -> Decision | None:
        return self.decisions.get(kind, {}).get(nip)

    def value(self, kind: str, nip: str) -> str | None:
        d = self.decision(kind, nip)
        return d.value if d is not None else None

    def publishable(self, floor: float | None = None) -> list[str]:
        """NIPs whose outcome is "published", checked against the steps before it.

        The outcome must rest on a confirmed selection and a defence that was rejected or never
        given, and the score must be at or below the floor (`floor`, the policy's
        selection.max_composite; a rescore after corrections must have kept it there);
        anything else is left out (and reported) rather than announced.
        """
        out = []
        self.inconsistent = {}
        for nip, d in sorted(self.decisions.get("outcome", {}).items()):
            if d.value != OutcomeValue.PUBLISHED:
                continue
            score = self.scores.get(nip)
            redo = self.decision("rescore", nip)
            if self.value("selection", nip) != SelectionValue.SELECTED:
                self.inconsistent[nip] = "hasil 'published' tanpa penetapan (selection) yang sah"
            elif self.value("verdict", nip) == VerdictValue.ACCEPTED:
                self.inconsistent[nip] = "hasil 'published' padahal pembelaan diterima"
            elif redo is not None and not redo.payload.get("publishable", True):
                self.inconsistent[nip] = "setelah koreksi data nilainya di atas ambang"
            elif floor is not None and (
                score is None or score.composite is None or score.composite > floor
            ):
                self.inconsistent[nip] = f"indeks komposit di atas ambang {floor:g}"
            elif nip not in self.people:
                self.inconsistent[nip] = "pegawai tidak ditemukan pada periode ini"
            else:
                out.append(nip)
        return out

    def opd_median(self, opd_code: str, indicator: str) -> float | None:
        """Median of an indicator over the OPD's employees with enough data (cached)."""
        if not self._medians:
            groups: dict[tuple[str, str], list[float]] = {}
            for s in self.scores.values():
                if not s.sufficient:
                    continue
                for ind in ("kinerja", "kehadiran", "perilaku", "composite"):
                    v = getattr(s, ind)
                    if v is not None:
                        groups.setdefault((s.opd_code, ind), []).append(float(v))
            self._medians = {k: statistics.median(v) for k, v in groups.items()}
            self._medians[("", "")] = None  # marks the cache as built
        return self._medians.get((opd_code, indicator))


KINDS = ("selection", "warning", "defence", "verdict", "outcome", "no_decision", "rescore")


def load_facts(session: Session, period: str) -> MonthFacts:
    from kinerja.review.corrections import describe
    from kinerja.review.deciders import decider_of

    scores = {s.nip: s for s in outcomes.scores(session, period)}
    decisions = {kind: outcomes.effective_decisions(session, period, kind) for kind in KINDS}
    nips = set(scores) | {nip for d in decisions.values() for nip in d}
    rulings = {
        d.payload.get("objection_id"): d
        for d in session.scalars(
            select(Decision).where(Decision.period == period, Decision.kind == "objection")
        )
    }
    objections: dict[str, list[tuple[str, str, str, str]]] = {}
    for o in session.scalars(
        select(DataObjection).where(DataObjection.period == period).order_by(DataObjection.id)
    ):
        r = rulings.get(o.id)
        objections.setdefault(o.nip, []).append(
            (describe(o), o.note, r.value if r else "", r.reason if r else "")
        )
    return MonthFacts(
        period=period,
        scores=scores,
        people=outcomes.people(session, period, nips),
        decisions=decisions,
        opd_names=outcomes.opd_names(session),
        rumpun_names=outcomes.rumpun_names(session),
        signers={
            r.scope_code: decider_of(session, r.scope_code).title
            for r in outcomes.reviews(session, period).values()
        },
        objections=objections,
    )
