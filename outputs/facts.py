"""The facts of one month that every output draws on, read once from the database."""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from kinerja.db import outcomes
from kinerja.db.models import Decision, Score
from kinerja.db.outcomes import Person


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
    _medians: dict[tuple[str, str], float | None] = field(default_factory=dict, repr=False)

    def decision(self, kind: str, nip: str) -> Decision | None:
        return self.decisions.get(kind, {}).get(nip)

    def value(self, kind: str, nip: str) -> str | None:
        d = self.decision(kind, nip)
        return d.value if d is not None else None

    def publishable(self) -> list[str]:
        """NIPs whose outcome is "published", checked against the steps before it.

        The outcome must rest on a confirmed selection and a defence that was rejected or never
        given; anything else is left out (and reported) rather than announced.
        """
        out = []
        self.inconsistent = {}
        for nip, d in sorted(self.decisions.get("outcome", {}).items()):
            if d.value != "published":
                continue
            if self.value("selection", nip) != "selected":
                self.inconsistent[nip] = "hasil 'published' tanpa penetapan (selection) yang sah"
            elif self.value("verdict", nip) == "accepted":
                self.inconsistent[nip] = "hasil 'published' padahal pembelaan diterima"
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


def load_facts(session: Session, period: str) -> MonthFacts:
    scores = {s.nip: s for s in outcomes.scores(session, period)}
    decisions = {
        kind: outcomes.effective_decisions(session, period, kind)
        for kind in ("selection", "warning", "defence", "verdict", "outcome", "no_decision")
    }
    nips = set(scores) | {nip for d in decisions.values() for nip in d}
    return MonthFacts(
        period=period,
        scores=scores,
        people=outcomes.people(session, period, nips),
        decisions=decisions,
        opd_names=outcomes.opd_names(session),
        rumpun_names=outcomes.rumpun_names(session),
    )
