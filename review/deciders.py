"""Who decides a review, read from the register when asked (rules.deciders explains the ladder).

An OPD's review is decided by its head (`opd.head_nip`, acting when `opd.head_acting`); the
heads' review by the head of the secretariat OPD, the Sekda; the Sekda's review by the delegate
the policy names. The decider is read each time it matters (a link is issued, used, a decision
recorded), so a head replaced since can no longer decide.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from sqlalchemy.orm import Session

from kinerja.db.models import Employee, Opd, Review
from kinerja.rules.policy import Policy, load_policy
from kinerja.rules.scopes import HEADS_SCOPE, SEKDA_SCOPE
from kinerja.settings import get_settings


@dataclass(frozen=True)
class Decider:
    """The person who decides a review, how they are named, and in which capacity."""

    nip: str | None
    name: str
    acting: bool
    role: str  # head_of_opd | acting_head_of_opd | sekda | acting_sekda | sekda_delegate
    title: str  # "Kepala Dinas Kesehatan", "Plt. Sekretaris Daerah", ...
    scope_name: str  # what the review covers, for messages and pages


@lru_cache(maxsize=4)
def _policy_named(name: str) -> Policy:
    return load_policy(name)


def active_policy() -> Policy:
    """The configured policy (KINERJA_POLICY), loaded once per name."""
    return _policy_named(get_settings().policy)


def _name(session: Session, nip: str | None, fallback: str) -> str:
    emp = session.get(Employee, nip) if nip else None
    return emp.name if emp is not None else fallback


def decider_of(session: Session, scope_code: str, policy: Policy | None = None) -> Decider:
    """The decider of the review with this scope code, from the register and the policy."""
    policy = policy or active_policy()
    if scope_code == SEKDA_SCOPE:
        nip = policy.review.sekda_decider_nip
        title = "Delegasi Gubernur/Bupati"
        return Decider(
            nip, _name(session, nip, title), False, "sekda_delegate", title, "Sekretaris Daerah"
        )
    if scope_code == HEADS_SCOPE:
        opd = session.get(Opd, policy.review.secretariat_opd)
        nip = opd.head_nip if opd is not None else None
        acting = bool(opd is not None and opd.head_acting)
        title = ("Plt. " if acting else "") + "Sekretaris Daerah"
        return Decider(
            nip,
            _name(session, nip, title),
            acting,
            "acting_sekda" if acting else "sekda",
            title,
            "Kepala Perangkat Daerah",
        )
    opd = session.get(Opd, scope_code)
    if opd is None:
        return Decider(
            None, "Kepala Perangkat Daerah", False, "head_of_opd", "Kepala Perangkat Daerah",
            scope_code,
        )  # fmt: skip
    acting = bool(opd.head_acting)
    title = ("Plt. " if acting else "") + f"Kepala {opd.name}"
    return Decider(
        opd.head_nip,
        _name(session, opd.head_nip, "Kepala Perangkat Daerah"),
        acting,
        "acting_head_of_opd" if acting else "head_of_opd",
        title,
        opd.name,
    )


def decider_for(session: Session, review: Review, policy: Policy | None = None) -> Decider:
    return decider_of(session, review.scope_code, policy)
