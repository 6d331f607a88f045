"""Announcement and recognition drafts: caption, X post (<= 280 chars) and press release."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from kinerja.db import drafts as store
from kinerja.db.models import Draft
from kinerja.db.outcomes import Person
from kinerja.outputs.facts import MonthFacts
from kinerja.outputs.periods import next_period
from kinerja.rules.labels import COACH_LABELS
from kinerja.rules.policy import Policy
from kinerja.templates import environment
from kinerja.templates.filters import fields_label

FORMATS = ("caption", "x_post", "press_release")
X_LIMIT = 280


@dataclass
class Group:
    """The people one draft is about: one OPD or one rumpun."""

    scope_kind: str
    scope_code: str
    scope_name: str
    nips: list[str] = field(default_factory=list)


def public_person(person: Person, fields: list[str]) -> dict[str, str]:
    """Only what the policy lets an announcement say; scores never enter a draft."""
    available = {
        "name": person.name,
        "nip": person.nip,
        "position": person.job_title,
        "opd": person.opd_name,
    }
    return {f: available[f] for f in fields}


def _scope_of(person: Person, per: str) -> tuple[str, str, str]:
    if per == "rumpun" and person.rumpun_code:
        return "rumpun", person.rumpun_code, person.rumpun_name or person.rumpun_code
    return "opd", person.opd_code, person.opd_name


CAP_REASON = "melebihi batas pengumuman per OPD/rumpun"
DISABLED_REASON = "pengumuman dinonaktifkan oleh kebijakan (publication.max_per_scope = 0)"


def announcement_groups(
    facts: MonthFacts, nips: list[str], policy: Policy
) -> tuple[list[Group], dict[str, str]]:
    """Published people grouped by the policy's scope (`publication.per`), and who is not announced.

    Each group keeps at most `publication.max_per_scope` people, chosen deterministically: lowest
    composite first, then NIP (no composite sorts last). The others stay "published" (coached,
    told in their letter) but are not named; they are returned with the reason. With
    `max_per_scope` 0 nobody is announced.
    """
    pub = policy.publication
    if pub.max_per_scope == 0:
        return [], dict.fromkeys(nips, DISABLED_REASON)
    groups: dict[str, Group] = {}
    for nip in nips:
        kind, code, name = _scope_of(facts.people[nip], pub.per)
        groups.setdefault(code, Group(kind, code, name)).nips.append(nip)
    left_out: dict[str, str] = {}

    def order(nip: str) -> tuple[float, str]:
        s = facts.scores.get(nip)
        return (s.composite if s is not None and s.composite is not None else 1e9, nip)

    for g in groups.values():
        g.nips.sort(key=order)
        scope = "OPD" if g.scope_kind == "opd" else "rumpun"
        for nip in g.nips[pub.max_per_scope :]:
            left_out[nip] = (
                f"{CAP_REASON}: paling banyak {pub.max_per_scope} nama per {scope} "
                f"{g.scope_name} (indeks komposit terendah lebih dulu, lalu NIP)"
            )
        g.nips = g.nips[: pub.max_per_scope]
    return [g for _, g in sorted(groups.items()) if g.nips], left_out


def not_announced(facts: MonthFacts, policy: Policy) -> dict[str, str]:
    """Published people who are not named in any announcement, with why (facts' own checks too)."""
    published = facts.publishable(policy.selection.max_composite)
    _, left_out = announcement_groups(facts, published, policy)
    return {**facts.inconsistent, **left_out}


def not_announced_rows(facts: MonthFacts, left_out: dict[str, str]) -> list[dict[str, str]]:
    """For the manifest and the recap: NIP, name, OPD and reason, ordered by NIP."""
    rows = []
    for nip, reason in sorted(left_out.items()):
        person = facts.people.get(nip)
        rows.append(
            {
                "nip": nip,
                "name": person.name if person else "",
                "opd_name": person.opd_name if person else "",
                "reason": reason,
            }
        )
    return rows


def recognition_groups(facts: MonthFacts, policy: Policy, exclude: set[str]) -> list[Group]:
    """Per OPD, the `recognition_top_n` highest composites among those with enough data."""
    n = policy.publication.recognition_top_n
    by_opd: dict[str, list[tuple[float, str]]] = {}
    for nip, s in facts.scores.items():
        if (
            s.sufficient
            and s.composite is not None
            and nip not in exclude
            and nip in facts.people
            and s.position_level != "eselon_i"
        ):
            by_opd.setdefault(s.opd_code, []).append((-float(s.composite), nip))
    groups = []
    for code in sorted(by_opd):
        best = [nip for _, nip in sorted(by_opd[code])[:n]]
        if best:
            groups.append(Group("opd", code, facts.opd_names.get(code, code), best))
    return groups


def shorten(text: str, limit: int) -> str:
    """Cut at a word boundary and end with an ellipsis, so the result is at most `limit`."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut[limit // 2 :]:
        cut = cut[: cut.rfind(" ")]
    return cut.rstrip(" ,;:") + "…"


def fit_x_post(render: Callable[[dict[str, Any]], str], ctx: dict[str, Any]) -> str:
    """Render the X post, dropping detail step by step until it fits 280 characters."""

    def without(key: str, people: list[dict[str, str]]) -> list[dict[str, str]]:
        return [{k: v for k, v in p.items() if k != key} for p in people]

    people = without("position", ctx["people"])
    short_scope = shorten(ctx["scope_name"], 60)

    def names(limit: int) -> list[dict[str, str]]:
        return [{**p, "name": shorten(p["name"], limit)} if "name" in p else p for p in people]

    variants = [
        ctx,
        {**ctx, "people": people},
        {**ctx, "people": people, "scope_name": short_scope},
        {**ctx, "people": people, "scope_name": short_scope, "show_opd": False},
        {**ctx, "people": names(40), "scope_name": short_scope, "show_opd": False},
        {
            **ctx,
            "people": names(25),
            "scope_name": shorten(ctx["scope_name"], 40),
            "show_opd": False,
            "coach_summary": "",
        },
    ]
    text = ""
    for v in variants:
        # A name ending in a title ("M.Sc.") must not give "M.Sc.." before the next sentence.
        text = re.sub(r"\.\.(\s|$)", r".\1", " ".join(render(v).split()))
        if len(text) <= X_LIMIT:
            return text
    return shorten(text, X_LIMIT)


def coach_summary(roles: list[str]) -> str:
    labels = sorted({COACH_LABELS.get(r, r) for r in roles})
    return " / ".join(labels)


def render_draft(purpose: str, fmt: str, ctx: dict[str, Any]) -> str:
    """The text of one draft; the X post is fitted to 280 characters."""
    template = environment().get_template(f"announcements/{purpose}_{fmt}.txt.j2")
    if fmt == "x_post":
        return fit_x_post(lambda c: template.render(**c), ctx)
    return template.render(**ctx).strip() + "\n"


def draft_context(
    facts: MonthFacts, group: Group, policy: Policy, coach_roles: dict[str, str]
) -> dict[str, Any]:
    fields: list[str] = list(policy.publication.fields)
    return {
        "region": policy.region or "Pemerintah Daerah",
        "period": facts.period,
        "next_period": next_period(facts.period),
        "scope_kind": group.scope_kind,
        "scope_name": group.scope_name,
        "people": [public_person(facts.people[n], fields) for n in group.nips],
        "show_opd": group.scope_kind != "opd",
        "coach_summary": coach_summary([coach_roles[n] for n in group.nips if n in coach_roles]),
        "fields_label": fields_label(fields),
        "channel_label": policy.publication.channel_label,
    }


def save_drafts(
    session: Session,
    facts: MonthFacts,
    purpose: str,
    groups: list[Group],
    policy: Policy,
    coach_roles: dict[str, str],
) -> list[Draft]:
    """Store the three formats per group; drafts no longer backed by a group are withdrawn."""
    kept: list[Draft] = []
    for g in groups:
        ctx = draft_context(facts, g, policy, coach_roles)
        for fmt in FORMATS:
            kept.append(
                store.upsert_draft(
                    session,
                    period=facts.period,
                    scope_kind=g.scope_kind,
                    scope_code=g.scope_code,
                    purpose=purpose,
                    fmt=fmt,
                    body=render_draft(purpose, fmt, ctx),
                    nips=g.nips,
                )
            )
    store.withdraw_others(session, facts.period, purpose, {d.id for d in kept})
    return kept
