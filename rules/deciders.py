"""Who decides on whom: each OPD's head from the register, and the review each person is in.

Nobody decides on their own case, nor on their own superior's. Each employee is assessed in
the first review of this ladder whose decider is neither them nor above them in the register's
supervisor chain:

1. their OPD's review (scope = the OPD code), decided by the OPD's head;
2. the heads' review (scope ``PIMPINAN``), decided by the head of the secretariat OPD
   (`review.secretariat_opd`, the Sekda): the heads of OPD and anyone above an acting head;
3. the Sekda's review (scope ``SEKDA``), decided by `review.sekda_decider_nip` (the Governor's
   or Bupati's delegate), when the policy names one.

Someone no rung can take (no Sekda in the register, no delegate) is never proposed, with the
reason. The head of an OPD is its highest-level person this month; when nobody holds the head
post (no eselon II, or eselon I for the secretariat) or the highest person's job title says
Plt/Plh/Pj, the head is acting, and their decisions are recorded as the acting head's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pandas as pd

from kinerja.rules.policy import Policy
from kinerja.rules.scopes import HEADS_SCOPE, SCOPE_KINDS, SEKDA_SCOPE

LEVEL_RANK = {"eselon_i": 5, "eselon_ii": 4, "eselon_iii": 3, "eselon_iv": 2, "staff": 1}
HEAD_LEVEL = LEVEL_RANK["eselon_ii"]  # the head post of an OPD (eselon I for the secretariat)
# "Plt. Kepala Dinas", "Plh Kepala Badan", "Pj. Sekretaris Daerah": acting, not definitive.
ACTING_TITLE = re.compile(r"^\s*(plt|plh|pj|pjs)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Head:
    """The person who decides a review, and whether they only act in the post."""

    nip: str
    acting: bool = False
    basis: str = ""  # Indonesian: why this person decides

    @property
    def role(self) -> str:
        return "acting_head_of_opd" if self.acting else "head_of_opd"


def _text(value: object) -> str:
    return "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)


def opd_heads(employees: pd.DataFrame) -> dict[str, Head]:
    """Each OPD's decider among the month's employees (nip, opd_code, position_level, job_title).

    The definitive head holds the OPD's head level and no acting title (the lowest NIP when the
    register lists two); otherwise the highest-level person with an acting title, else the
    highest-level person at all, acts.
    """
    if employees.empty:
        return {}
    frame = pd.DataFrame(
        {
            "nip": employees["nip"].astype(str),
            "opd": employees["opd_code"].astype(str),
            "rank": employees["position_level"].astype(str).map(LEVEL_RANK).fillna(0),
            "acting": employees.get("job_title", pd.Series("", index=employees.index))
            .map(_text)
            .str.match(ACTING_TITLE),
        }
    ).sort_values(["opd", "rank", "nip"], ascending=[True, False, True])
    heads: dict[str, Head] = {}
    for opd, people in frame.groupby("opd", sort=True):
        top = max(HEAD_LEVEL, int(people["rank"].max()))
        definitive = people[(people["rank"] == top) & ~people["acting"]]
        if len(definitive):
            heads[str(opd)] = Head(str(definitive["nip"].iloc[0]), False, "kepala definitif")
            continue
        titled = people[people["acting"]]
        if len(titled):
            heads[str(opd)] = Head(str(titled["nip"].iloc[0]), True, "pelaksana tugas (Plt/Plh)")
        else:
            heads[str(opd)] = Head(
                str(people["nip"].iloc[0]),
                True,
                "jabatan kepala kosong: pejabat tertinggi bertindak sebagai kepala",
            )
    return heads


@dataclass
class ReviewPlan:
    """Per person the review they are assessed in, and per review who decides it."""

    scope_of: dict[str, str] = field(default_factory=dict)  # nip -> review scope
    deciders: dict[str, Head] = field(default_factory=dict)  # review scope -> decider
    unreviewable: dict[str, str] = field(default_factory=dict)  # nip -> why (Indonesian)
    moved_up: dict[str, str] = field(default_factory=dict)  # nip -> the OPD review they left


def _chain(nip: str, supervisors: dict[str, str]) -> set[str]:
    """`nip` and everyone above them in the register (cycle-safe)."""
    seen: set[str] = set()
    current: str | None = nip
    while current and current not in seen:
        seen.add(current)
        current = supervisors.get(current)
    return seen


def review_plan(employees: pd.DataFrame, policy: Policy) -> ReviewPlan:
    """Who is assessed where, from the month's register (supervisor_nip optional)."""
    heads = opd_heads(employees)
    plan = ReviewPlan(deciders=dict(heads))
    clash = sorted(set(heads) & set(SCOPE_KINDS))
    if clash:
        raise ValueError(
            f"OPD code(s) {clash} are reserved for the heads' and the Sekda's reviews; "
            "rename the OPD in the register"
        )
    sekda = heads.get(policy.review.secretariat_opd)
    if sekda is not None:
        plan.deciders[HEADS_SCOPE] = sekda
    delegate = policy.review.sekda_decider_nip
    if delegate:
        plan.deciders[SEKDA_SCOPE] = Head(delegate, False, "delegasi Gubernur/Bupati")
    if "supervisor_nip" in employees:
        sup = {
            str(n): _text(s)
            for n, s in zip(employees["nip"], employees["supervisor_nip"], strict=True)
            if _text(s)
        }
    else:
        sup = {}
    chains = {scope: _chain(head.nip, sup) for scope, head in plan.deciders.items()}
    for nip, opd in zip(
        employees["nip"].astype(str), employees["opd_code"].astype(str), strict=True
    ):
        for scope in (opd, HEADS_SCOPE, SEKDA_SCOPE):
            if scope not in plan.deciders:
                plan.unreviewable[nip] = _nobody(scope, policy)
                break
            if nip not in chains[scope]:
                plan.scope_of[nip] = scope
                if scope != opd:
                    plan.moved_up[nip] = opd
                break
        else:
            plan.unreviewable[nip] = "tidak ada atasan yang dapat memutus tanpa menilai dirinya"
    return plan


def _nobody(scope: str, policy: Policy) -> str:
    if scope == HEADS_SCOPE:
        return (
            f"Sekretaris Daerah ({policy.review.secretariat_opd}) tidak ada dalam register: "
            "tidak ada yang dapat memutus tinjauan pimpinan"
        )
    if scope == SEKDA_SCOPE:
        return "kebijakan tidak menunjuk delegasi Gubernur/Bupati (review.sekda_decider_nip)"
    return f"tidak ada kepala untuk {scope} dalam register"
