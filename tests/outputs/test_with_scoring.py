"""Outputs from a month scored by the real scoring code (rules.scoring) and stored by db.scores."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session

from kinerja.db import drafts as draft_store
from kinerja.db.models import Employee
from kinerja.db.scores import save_candidates, save_scores
from kinerja.outputs.month import produce_month_outputs
from kinerja.rules.policy import Policy
from kinerja.rules.scoring import score_month
from kinerja.rules.selection import propose_candidates
from kinerja.settings import Settings
from tests.factories import MonthBuilder
from tests.outputs.factories import case


def test_outputs_from_real_scores(
    session: Session, policy: Policy, out_dir: Path, settings: Settings
) -> None:
    mb = MonthBuilder(period="2025-10", policy=policy)
    weak: list[str] = []
    for opd in ("DINAS-A", "DINAS-B"):
        head = mb.good_employee(opd=opd, level="eselon_ii", job_title=f"Kepala {opd}")
        for i in range(7):
            nip = mb.employee(opd=opd, supervisor=head, job_title="Pengelola Data")
            mb.full_attendance(nip, late_minutes=[45] * (3 if i == 0 else 0))
            mb.full_activities(nip, main_ratio=0.3 if i == 0 else 0.9)
            mb.rate_360(nip, score=1.5 if i == 0 else 4.0)
            if i == 0:
                weak.append(nip)
    mb.to_db(session)
    scores = score_month(mb.build(), policy)
    save_scores(session, "2025-10", scores, policy.name)
    save_candidates(session, "2025-10", propose_candidates(scores, policy, {}))
    session.commit()
    scope = {n: s for n, s in zip(scores["nip"], scores["opd_code"], strict=True)}
    if policy.selection.scope == "rumpun":
        scope = {n: r for n, r in zip(scores["nip"], scores["rumpun_code"], strict=True)}
    case(session, "2025-10", scope[weak[0]], weak[0], defence=None)
    case(session, "2025-10", scope[weak[1]], weak[1], defence="accepted")
    session.commit()

    report = produce_month_outputs(session, "2025-10", policy, out_dir, settings=settings)
    assert report.published == [weak[0]]
    drafts = [d for d in draft_store.list_drafts(session, "2025-10") if d.purpose == "announcement"]
    assert {n for d in drafts for n in d.nips} == {weak[0]}
    name = session.get(Employee, weak[0]).name  # type: ignore[union-attr]
    assert all(name in d.body for d in drafts)
    letter = (out_dir / "2025-10" / "letters" / weak[0] / "keputusan.txt").read_text("utf-8")
    # The weakest leaves of the real score appear by their Indonesian labels.
    assert "Kegiatan utama yang disetujui" in letter or "Perilaku (kuesioner" in letter
    assert report.coached == [weak[0]]
    assert report.recap is not None and "| Dinas DINAS-A |" in report.recap.tables["ringkasan"]
