"""Warning and outcome letters per employee, as HTML (print to PDF) and plain text.

Context keys of every letter (what `warning_letter_context` / `outcome_letter_context` build,
and what `render_*` accept, e.g. from the portal):

    region (str), period ("YYYY-MM"), issued_on (date), letter_no (str), signer (str),
    employee: {name, nip, job_title, opd_name},
    indicators: list of {label, value (float|None), opd_median (float|None), low (bool)},
    components: list of {label, value}: the weakest score components,
    composite (float|None), band: {label, allowance, promotion} | None,
    reason (str: the head's reason), portal_url (str).
Warning letter adds: defence_deadline (datetime|None).
Outcome letter adds: outcome ("published"|"not_published"), verdict ("accepted"|"rejected"|None),
    defence_submitted (bool), channel_label (str), published_fields (str, e.g. "nama, jabatan
    dan unit kerja"), announced (bool: named in an announcement draft; False when published but
    left out, e.g. over `publication.max_per_scope`), not_announced_reason (str),
    coaching: {coach_label, period, checkin_dates (list of ISO dates), goals (list of
    {label, baseline, target})} | None.
"""

from __future__ import annotations

import os
import re
from datetime import date
from pathlib import Path
from typing import Any

from kinerja.db.models import CoachingAssignment, Review
from kinerja.outputs.coaching import coach_label, weakest_components
from kinerja.outputs.facts import MonthFacts
from kinerja.outputs.labels import INDICATOR_LABELS, INDICATORS, fields_label
from kinerja.rules.policy import Policy
from kinerja.templates import environment
from kinerja.templates.filters import local_time

LOW_SCORE = 50.0
# NIPs name the letter folders: anything but letters and digits would be a path risk.
SAFE_NIP = re.compile(r"[0-9A-Za-z]{1,32}")


def _render(name: str, ctx: dict[str, Any]) -> str:
    return environment().get_template(f"letters/{name}").render(**ctx)


def render_warning_letter(ctx: dict[str, Any]) -> str:
    """The warning letter as an HTML page (A4 print styles: print to PDF from a browser)."""
    return _render("warning.html.j2", ctx)


def render_warning_letter_text(ctx: dict[str, Any]) -> str:
    """The warning letter as plain text, ready for a PDF or a mail body."""
    return _render("warning.txt.j2", ctx)


def render_outcome_letter(ctx: dict[str, Any]) -> str:
    return _render("outcome.html.j2", ctx)


def render_outcome_letter_text(ctx: dict[str, Any]) -> str:
    return _render("outcome.txt.j2", ctx)


def _band(policy: Policy, code: str | None) -> dict[str, str] | None:
    for b in policy.bands:
        if b.code == code:
            return {"label": b.label, "allowance": b.allowance, "promotion": b.promotion}
    return None


def _base_context(
    facts: MonthFacts, nip: str, policy: Policy, kind: str, portal_url: str
) -> dict[str, Any]:
    person = facts.people[nip]
    score = facts.scores.get(nip)
    indicators = []
    for ind in INDICATORS:
        value = getattr(score, ind) if score is not None else None
        median = facts.opd_median(person.opd_code, ind)
        low = value is not None and (value < LOW_SCORE or (median is not None and value < median))
        indicators.append(
            {"label": INDICATOR_LABELS[ind], "value": value, "opd_median": median, "low": low}
        )
    decision = facts.decision(kind, nip)
    issued = local_time(decision.created_at).date() if decision is not None else date.today()
    selection = facts.decision("selection", nip)
    return {
        "region": policy.region or "Pemerintah Daerah",
        "period": facts.period,
        "issued_on": issued,
        "letter_no": f"{'PRG' if kind == 'warning' else 'KPS'}/{person.opd_code}/{facts.period}/"
        f"{nip}",
        "signer": f"Kepala {person.opd_name}",
        "employee": {
            "name": person.name,
            "nip": person.nip,
            "job_title": person.job_title,
            "opd_name": person.opd_name,
        },
        "indicators": indicators,
        "components": weakest_components(score.components or {}, 3) if score else [],
        "composite": score.composite if score is not None else None,
        "band": _band(policy, score.band) if score is not None else None,
        "reason": selection.reason if selection is not None else "",
        "portal_url": portal_url,
    }


def warning_letter_context(
    facts: MonthFacts, nip: str, policy: Policy, reviews: dict[str, Review], portal_url: str
) -> dict[str, Any]:
    ctx = _base_context(facts, nip, policy, "warning", portal_url)
    warning = facts.decision("warning", nip)
    review = reviews.get(warning.scope_code) if warning is not None else None
    deadline = review.defence_deadline if review is not None else None
    # The database keeps naive UTC; the letter shows the local time.
    ctx["defence_deadline"] = local_time(deadline) if deadline is not None else None
    return ctx


def outcome_letter_context(
    facts: MonthFacts,
    nip: str,
    policy: Policy,
    coaching: CoachingAssignment | None,
    portal_url: str,
    not_announced_reason: str = "",
) -> dict[str, Any]:
    ctx = _base_context(facts, nip, policy, "outcome", portal_url)
    outcome = facts.decision("outcome", nip)
    ctx["outcome"] = outcome.value if outcome is not None else "not_published"
    if outcome is not None and outcome.reason:
        ctx["reason"] = outcome.reason
    ctx["verdict"] = facts.value("verdict", nip)
    ctx["defence_submitted"] = facts.value("defence", nip) == "submitted"
    ctx["channel_label"] = policy.publication.channel_label
    ctx["published_fields"] = fields_label(list(policy.publication.fields))
    # A published employee over the per-scope cap is not named anywhere: the letter says so.
    ctx["announced"] = ctx["outcome"] == "published" and not not_announced_reason
    ctx["not_announced_reason"] = not_announced_reason
    ctx["coaching"] = (
        {
            "coach_label": coach_label(coaching.coach_role),
            "period": coaching.period,
            "checkin_dates": list(coaching.checkin_dates),
            "goals": [
                {"label": g["label"], "baseline": g["baseline"], "target": g["target"]}
                for g in coaching.goals
            ],
        }
        if coaching is not None and ctx["outcome"] == "published"
        else None
    )
    return ctx


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
    return path


def write_letters(
    facts: MonthFacts,
    policy: Policy,
    out_dir: Path,
    reviews: dict[str, Review],
    coaching: dict[str, CoachingAssignment],
    portal_url: str,
    not_announced: dict[str, str] | None = None,
) -> list[Path]:
    """out/<period>/letters/<nip>/peringatan.{html,txt} and keputusan.{html,txt}.

    A warning letter already written when the warning was issued (by the review flow, with the
    employee's personal defence link) is kept as sent; only missing ones are written here.
    `not_announced` (NIP -> reason) are published employees no announcement names.
    """
    left_out = not_announced or {}
    root = Path(out_dir) / facts.period / "letters"
    written: list[Path] = []
    for nip, d in sorted(facts.decisions.get("warning", {}).items()):
        if d.value != "issued" or nip not in facts.people or not SAFE_NIP.fullmatch(nip):
            continue
        if (root / nip / "peringatan.html").exists() and (root / nip / "peringatan.txt").exists():
            written += [root / nip / "peringatan.html", root / nip / "peringatan.txt"]
            continue
        ctx = warning_letter_context(facts, nip, policy, reviews, portal_url)
        written.append(_write(root / nip / "peringatan.html", render_warning_letter(ctx)))
        written.append(_write(root / nip / "peringatan.txt", render_warning_letter_text(ctx)))
    for nip in sorted(facts.decisions.get("outcome", {})):
        if nip not in facts.people or not SAFE_NIP.fullmatch(nip):
            continue
        ctx = outcome_letter_context(
            facts, nip, policy, coaching.get(nip), portal_url, left_out.get(nip, "")
        )
        written.append(_write(root / nip / "keputusan.html", render_outcome_letter(ctx)))
        written.append(_write(root / nip / "keputusan.txt", render_outcome_letter_text(ctx)))
    return written
