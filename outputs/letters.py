"""Warning and outcome letters per employee, as HTML (print to PDF) and plain text.

Only a selected employee gets letters: the warning, then the decision. A candidate the head
did not select gets neither (nothing happened to them); with `letters.not_selected_note` they
get a neutral coaching note instead (`catatan_pembinaan`).

Context keys of every letter (what `warning_letter_context` / `outcome_letter_context` build,
and what `render_*` accept, e.g. from the portal):

    region (str), period ("YYYY-MM"), issued_on (date), letter_no (str), signer (str: the
    review's decider, e.g. "Kepala Dinas Kesehatan" or "Sekretaris Daerah"),
    employee: {name, nip, job_title, opd_name},
    indicators: list of {label, value (float|None), opd_median (float|None), low (bool)}: low
        only below `letters.indicator_threshold` or the OPD median, others acknowledged,
    indicator_threshold (float),
    components: list of {label, value}: the weakest score components,
    composite (float|None), band: {label, allowance, promotion} | None,
    reason (str: the head's selection reason, verbatim), portal_url (str).
Warning letter adds: defence_deadline (datetime|None), evidence: {allowed, files, file_mb,
    total_mb} (what the portal accepts).
Outcome letter adds: outcome ("published"|"not_published"), case ("defence_accepted" |
    "defence_rejected" | "no_defence" | "rescored_above_floor" | "verdict_missing"),
    verdict ("accepted"|"rejected"|None), verdict_reason (str, verbatim), outcome_reason (str),
    objections: list of {text, note, ruling ("accepted"|"rejected"|""), reason},
    rescore: {before, after, floor} | None, channel_label (str), published_fields (str, e.g.
    "nama, jabatan dan unit kerja"), announced (bool: named in an announcement draft; False
    when published but left out, e.g. over `publication.max_per_scope`), not_announced_reason
    (str), coaching: {coach_label, period, checkin_dates (list of ISO dates), goals (list of
    {label, baseline, target})} | None.
"""

from __future__ import annotations

import os
import re
from datetime import date
from pathlib import Path
from typing import Any

from kinerja.db.models import CoachingAssignment, Review
from kinerja.domain import DefenceValue, OutcomeValue, SelectionValue, WarningValue
from kinerja.outputs.coaching import coach_label, weakest_components
from kinerja.outputs.facts import MonthFacts
from kinerja.rules.labels import INDICATOR_LABELS, INDICATORS, is_low
from kinerja.rules.policy import Policy
from kinerja.templates import environment
from kinerja.templates.filters import fields_label, local_time

LETTER_CODES = {"warning": "PRG", "outcome": "KPS", "note": "CPB"}
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


def render_coaching_note(ctx: dict[str, Any]) -> str:
    return _render("coaching_note.html.j2", ctx)


def render_coaching_note_text(ctx: dict[str, Any]) -> str:
    return _render("coaching_note.txt.j2", ctx)


def _band(policy: Policy, code: str | None) -> dict[str, str] | None:
    for b in policy.categories():
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
        low = is_low(value, median, policy)
        indicators.append(
            {"label": INDICATOR_LABELS[ind], "value": value, "opd_median": median, "low": low}
        )
    decision = facts.decision(kind, nip)
    issued = local_time(decision.created_at).date() if decision is not None else date.today()
    selection = facts.decision("selection", nip)
    scope = selection.scope_code if selection is not None else person.opd_code
    return {
        "region": policy.region or "Pemerintah Daerah",
        "period": facts.period,
        "issued_on": issued,
        "letter_no": f"{LETTER_CODES[kind]}/{person.opd_code}/{facts.period}/{nip}",
        "signer": facts.signers.get(scope, f"Kepala {person.opd_name}"),
        "employee": {
            "name": person.name,
            "nip": person.nip,
            "job_title": person.job_title,
            "opd_name": person.opd_name,
        },
        "indicators": indicators,
        "indicator_threshold": policy.letters.indicator_threshold,
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
    from kinerja.review.evidence import ALLOWED, Limits

    limits = Limits.from_settings()
    mb = 1024 * 1024
    ctx["evidence"] = {
        "allowed": ALLOWED,
        "files": limits.max_files,
        "file_mb": limits.max_file_bytes / mb,
        "total_mb": limits.max_total_bytes / mb,
    }
    return ctx


def case_of(facts: MonthFacts, nip: str) -> str:
    """Which of the outcomes happened to a selected employee (what their decision letter says)."""
    outcome = facts.decision("outcome", nip)
    case = (outcome.payload or {}).get("case") if outcome is not None else None
    if case:
        return str(case)
    verdict = facts.value("verdict", nip)  # outcomes recorded before cases were named
    if verdict == "accepted":
        return "defence_accepted"
    if verdict == "rejected":
        return "defence_rejected"
    return (
        "no_defence"
        if outcome is not None and outcome.value == OutcomeValue.PUBLISHED
        else "verdict_missing"
    )


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
    ctx["outcome"] = outcome.value if outcome is not None else OutcomeValue.NOT_PUBLISHED
    ctx["outcome_reason"] = outcome.reason if outcome is not None else ""
    ctx["case"] = case_of(facts, nip)
    verdict = facts.decision("verdict", nip)
    ctx["verdict"] = verdict.value if verdict is not None else None
    ctx["verdict_reason"] = verdict.reason if verdict is not None else ""
    ctx["defence_submitted"] = facts.value("defence", nip) == DefenceValue.SUBMITTED
    ctx["objections"] = [
        {"text": t, "note": n, "ruling": r, "reason": why}
        for t, n, r, why in facts.objections.get(nip, [])
    ]
    redo = facts.decision("rescore", nip)
    ctx["rescore"] = (
        {
            "before": redo.payload.get("before", {}).get("composite"),
            "after": redo.payload.get("after", {}).get("composite"),
            "floor": redo.payload.get("floor"),
        }
        if redo is not None
        else None
    )
    warning = facts.decision("warning", nip)
    deadline = (warning.payload or {}).get("defence_deadline") if warning is not None else None
    ctx["defence_deadline"] = _deadline(deadline)
    ctx["channel_label"] = policy.publication.channel_label
    ctx["published_fields"] = fields_label(list(policy.publication.fields))
    # A published employee over the per-scope cap is not named anywhere: the letter says so.
    ctx["announced"] = ctx["outcome"] == OutcomeValue.PUBLISHED and not not_announced_reason
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
        if coaching is not None and ctx["outcome"] == OutcomeValue.PUBLISHED
        else None
    )
    return ctx


def _deadline(value: Any) -> Any:
    """The defence deadline the warning recorded (naive UTC text), in local time."""
    if not value or value == "None":
        return None
    from datetime import datetime

    return local_time(datetime.fromisoformat(str(value)))


def coaching_note_context(
    facts: MonthFacts, nip: str, policy: Policy, portal_url: str
) -> dict[str, Any]:
    """A neutral note to a candidate the head did not select: their figures, nothing more."""
    ctx = _base_context(facts, nip, policy, "note", portal_url)
    ctx["reason"] = ""  # the head's reasons about a person not selected stay with BKD
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

    Only for employees who were warned: the others were not selected, and nothing happened to
    them that a letter could report (with `letters.not_selected_note` they get a neutral
    catatan_pembinaan.{html,txt} instead). A warning letter already written when the warning
    was issued (by the review flow, with the employee's personal defence link) is kept as sent;
    only missing ones are written here. `not_announced` (NIP -> reason) are published
    employees no announcement names.
    """
    left_out = not_announced or {}
    root = Path(out_dir) / facts.period / "letters"
    written: list[Path] = []
    warned = {
        nip
        for nip, d in facts.decisions.get("warning", {}).items()
        if d.value == WarningValue.ISSUED and nip in facts.people and SAFE_NIP.fullmatch(nip)
    }
    for nip in sorted(warned):
        if (root / nip / "peringatan.html").exists() and (root / nip / "peringatan.txt").exists():
            written += [root / nip / "peringatan.html", root / nip / "peringatan.txt"]
            continue
        ctx = warning_letter_context(facts, nip, policy, reviews, portal_url)
        written.append(_write(root / nip / "peringatan.html", render_warning_letter(ctx)))
        written.append(_write(root / nip / "peringatan.txt", render_warning_letter_text(ctx)))
    for nip in sorted(warned & set(facts.decisions.get("outcome", {}))):
        ctx = outcome_letter_context(
            facts, nip, policy, coaching.get(nip), portal_url, left_out.get(nip, "")
        )
        written.append(_write(root / nip / "keputusan.html", render_outcome_letter(ctx)))
        written.append(_write(root / nip / "keputusan.txt", render_outcome_letter_text(ctx)))
    not_selected = [
        nip
        for nip, d in sorted(facts.decisions.get("selection", {}).items())
        if d.value == SelectionValue.NOT_SELECTED
        and nip in facts.people
        and SAFE_NIP.fullmatch(nip)
    ]
    if policy.letters.not_selected_note:
        for nip in not_selected:
            ctx = coaching_note_context(facts, nip, policy, portal_url)
            written.append(_write(root / nip / "catatan_pembinaan.html", render_coaching_note(ctx)))
            written.append(
                _write(root / nip / "catatan_pembinaan.txt", render_coaching_note_text(ctx))
            )
    return written
