"""produce_month_outputs(): everything the month produces for people, idempotently."""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from kinerja.db import drafts as draft_store
from kinerja.db import outcomes
from kinerja.db.models import CoachingAssignment
from kinerja.domain import DraftStatus, SelectionValue
from kinerja.faults import fault_point
from kinerja.outputs.announcements import (
    announcement_groups,
    not_announced_rows,
    recognition_groups,
    save_drafts,
)
from kinerja.outputs.coaching import coach_label, plan_coaching
from kinerja.outputs.facts import MonthFacts, load_facts
from kinerja.outputs.letters import write_letters
from kinerja.outputs.outbox import OutboxResult, export_approved
from kinerja.outputs.periods import next_period
from kinerja.outputs.recap import Recap, build_recap
from kinerja.outputs.recap_excel import write_workbook
from kinerja.outputs.recap_html import render_recap_html
from kinerja.outputs.recap_markdown import recap_markdown
from kinerja.rules.policy import Policy
from kinerja.settings import Settings, get_settings


@dataclass
class RecapFiles:
    xlsx: Path
    html: Path
    markdown: Path
    tables: dict[str, str]


@dataclass
class OutputsReport:
    """What a run produced; `left_out` says who was not announced although published, and why."""

    period: str
    published: list[str] = field(default_factory=list)
    announced: list[str] = field(default_factory=list)
    left_out: dict[str, str] = field(default_factory=dict)
    recognised: list[str] = field(default_factory=list)
    drafts: dict[str, int] = field(default_factory=dict)
    outbox_files: list[Path] = field(default_factory=list)
    manifest: Path | None = None
    letters: list[Path] = field(default_factory=list)
    coaching_period: str = ""
    coached: list[str] = field(default_factory=list)
    coaching_file: Path | None = None
    not_improved: list[str] = field(default_factory=list)
    recap: RecapFiles | None = None
    notifications: dict[str, int] = field(default_factory=dict)

    def summary(self) -> dict[str, Any]:
        return {
            "period": self.period,
            "published": len(self.published),
            "announced": len(self.announced),
            "left_out": self.left_out,
            "recognised": len(self.recognised),
            "drafts": self.drafts,
            "outbox_files": len(self.outbox_files),
            "letters": len(self.letters),
            "coaching_period": self.coaching_period,
            "coached": len(self.coached),
            "not_improved": self.not_improved,
            "notifications": self.notifications,
        }


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
    return path


def write_recap(recap: Recap, out_dir: Path) -> RecapFiles:
    """out/<period>/recap/rekap_<period>.{xlsx,html,md}."""
    root = Path(out_dir) / recap.period / "recap"
    tables = recap_markdown(recap)
    return RecapFiles(
        xlsx=write_workbook(recap, root / f"rekap_{recap.period}.xlsx"),
        html=_write(root / f"rekap_{recap.period}.html", render_recap_html(recap)),
        markdown=_write(root / f"rekap_{recap.period}.md", "\n".join(tables.values())),
        tables=tables,
    )


def produce_recap(session: Session, period: str, policy: Policy, out_dir: Path) -> RecapFiles:
    """Only the BKD recap (what `kinerja recap` runs)."""
    return write_recap(build_recap(session, load_facts(session, period), policy), out_dir)


def drafts_changed(
    session: Session, period: str, policy: Policy, out_dir: Path
) -> tuple[OutboxResult, RecapFiles]:
    """After approvals or rejections: the outbox and the recap are written again, so neither
    shows a state the drafts have left (e.g. "36 menunggu persetujuan" after approvals)."""
    return export_approved(session, period, out_dir), produce_recap(
        session, period, policy, out_dir
    )


def _count(report: OutputsReport, rows: list[Any]) -> None:
    for r in rows:
        report.notifications[r.status] = report.notifications.get(r.status, 0) + 1


def _notify_coaches(
    session: Session,
    facts: MonthFacts,
    coaching: dict[str, CoachingAssignment],
    settings: Settings,
    report: OutputsReport,
) -> None:
    """Each coach learns whom to coach, the goals and the check-in days; BKD arranges coaching
    by the Sekda or the Governor (no NIP on record for them)."""
    from kinerja.notifications.service import notify, notify_role

    for nip, a in sorted(coaching.items()):
        person = facts.people[nip]
        ctx = {
            "period": a.period,
            "employee_name": person.name,
            "opd_name": person.opd_name,
            "coach_label": coach_label(a.coach_role),
            "goals": a.goals,
            "checkin_dates": a.checkin_dates,
        }
        key = f"coaching_assigned:{a.period}:{nip}:{a.coach_role}"
        if a.coach_nip:
            coach = facts.people.get(a.coach_nip)
            rows = notify(
                session,
                event_key=key,
                recipient_role="coach",
                recipient=a.coach_nip,
                template="coaching_assigned",
                context={"recipient_name": coach.name if coach else a.coach_nip, **ctx},
                period=facts.period,
                settings=settings,
            )
        else:
            rows = notify_role(
                session,
                event_key=key,
                role="bkd",
                template="coaching_assigned",
                context=ctx,
                period=facts.period,
                settings=settings,
            )
        _count(report, rows)


def produce_month_outputs(
    session: Session,
    period: str,
    policy: Policy,
    out_dir: Path,
    *,
    settings: Settings | None = None,
    notify_drafts: bool = True,
) -> OutputsReport:
    """Drafts, recognition, outbox, letters, next month's coaching, follow-up and the recap.

    Safe to rerun: drafts and coaching are upserted (changed text needs a new approval), files
    are rewritten atomically, the outbox only ever holds approved drafts. Commits the session.
    """
    settings = settings or get_settings()
    report = OutputsReport(period=period)
    facts = load_facts(session, period)
    published = facts.publishable(policy.selection.max_composite)
    report.published = published
    report.left_out.update(facts.inconsistent)

    coaching = {a.nip: a for a in plan_coaching(session, facts, published, policy)}
    report.coaching_period = next_period(period)
    report.coached = sorted(coaching)
    roles = {nip: a.coach_role for nip, a in coaching.items()}

    groups, left_out = announcement_groups(facts, published, policy)
    report.left_out.update(left_out)
    report.announced = [n for g in groups for n in g.nips]
    save_drafts(session, facts, "announcement", groups, policy, roles)
    # Anyone selected this month is never "recognised" in the same month.
    selected = {
        n
        for n, d in facts.decisions.get("selection", {}).items()
        if d.value == SelectionValue.SELECTED
    }
    rec_groups = recognition_groups(facts, policy, set(published) | selected)
    report.recognised = [n for g in rec_groups for n in g.nips]
    save_drafts(session, facts, "recognition", rec_groups, policy, {})
    session.commit()
    fault_point("outputs")

    outbox = export_approved(session, period, out_dir, not_announced_rows(facts, report.left_out))
    report.outbox_files, report.manifest, report.drafts = (
        outbox.files,
        outbox.manifest,
        outbox.counts,
    )
    report.letters = write_letters(
        facts,
        policy,
        out_dir,
        outcomes.reviews(session, period),
        coaching,
        settings.portal_base_url,
        not_announced=report.left_out,
    )
    report.coaching_file = _write(
        Path(out_dir) / period / "coaching" / f"pendampingan_{report.coaching_period}.json",
        json.dumps(
            [
                {
                    "nip": a.nip,
                    "name": facts.people[a.nip].name,
                    "opd": facts.people[a.nip].opd_name,
                    "period": a.period,
                    "coach_role": a.coach_role,
                    "coach": coach_label(a.coach_role),
                    "coach_nip": a.coach_nip,
                    "goals": a.goals,
                    "checkin_dates": a.checkin_dates,
                    "baseline": a.baseline,
                }
                for a in coaching.values()
            ],
            ensure_ascii=False,
            indent=2,
        )
        + "\n",
    )
    recap = build_recap(session, facts, policy)
    report.not_improved = [f.nip for f in recap.followups if f.status == "not_improved"]
    report.recap = write_recap(recap, out_dir)

    if notify_drafts:
        _notify_coaches(session, facts, coaching, settings, report)
    pending = draft_store.list_drafts(session, period, status=DraftStatus.DRAFT)
    if notify_drafts and pending:
        from kinerja.notifications.service import notify_role

        digest = hashlib.sha256(
            ",".join(f"{d.id}:{draft_store.body_hash(d.body)[:8]}" for d in pending).encode()
        ).hexdigest()[:16]
        rows = notify_role(
            session,
            event_key=f"drafts_ready:{period}:{digest}",
            role="communications",
            template="drafts_ready",
            context={"count": len(pending)},
            period=period,
            settings=settings,
        )
        _count(report, rows)
    session.commit()
    return report
