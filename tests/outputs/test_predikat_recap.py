"""Under the nasional profile the recap shows the five predikat and each OPD's distribution
check against its organisation rating, as a warning that changes no rank."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from kinerja.db.models import Candidate, Score
from kinerja.db.opd_ratings import RatingRow, set_ratings
from kinerja.outputs.facts import load_facts
from kinerja.outputs.recap import build_recap
from kinerja.outputs.recap_html import render_recap_html
from kinerja.outputs.recap_markdown import recap_markdown
from kinerja.rules.policy import load_policy
from tests.outputs.factories import add_candidates, add_scores, build_world

NASIONAL = load_policy("nasional")
# 6 employees per OPD (head first): DISHUB 5 Baik and 1 Sangat Baik: against "baik", too many
# Baik (83% > 70%) and no Butuh Perbaikan/Kurang; DINKES the same mix, no rating recorded;
# BAPPEDA within the guide for "baik".
MIX = {
    "DISHUB": ["sangat_baik", "baik", "baik", "baik", "baik", "baik"],
    "DINKES": ["sangat_baik", "baik", "baik", "baik", "baik", "baik"],
    "BAPPEDA": ["sangat_baik", "kurang", "baik", "baik", "baik", "butuh_perbaikan"],
}


def _month(session: Session) -> None:
    world = build_world(session)
    add_scores(session, world, "2025-10", load_policy("jabar"))
    add_candidates(session, world, "2025-10")
    for opd, bands in MIX.items():
        for nip, band in zip(world.staff[opd], bands, strict=True):
            score = session.get(Score, {"period": "2025-10", "nip": nip})
            assert score is not None
            score.band, score.policy_name = band, "nasional"
    set_ratings(
        session,
        [RatingRow("2025-10", "DISHUB", "baik"), RatingRow("2025-10", "BAPPEDA", "baik")],
        set_by="bkd",
    )
    session.commit()


def test_recap_shows_predikat_and_the_distribution_warning(session: Session) -> None:
    _month(session)
    ranks_before = sorted(session.execute(select(Candidate.nip, Candidate.rank)).all())
    recap = build_recap(session, load_facts(session, "2025-10"), NASIONAL)
    assert [b["label"] for b in recap.bands][0] == "Sangat Kurang"
    rows = {r["code"]: r for r in recap.distribution}
    assert rows["DISHUB"]["warning"] and rows["DISHUB"]["rating"] == "Baik"
    assert "'Baik' 5 dari 6 (83%); paling banyak 70%" in rows["DISHUB"]["verdict"]
    assert not rows["DINKES"]["warning"] and "belum ditetapkan" in rows["DINKES"]["verdict"]
    assert rows["BAPPEDA"]["ok"] and rows["BAPPEDA"]["verdict"] == "Sesuai pedoman distribusi"
    md = recap_markdown(recap)
    assert "PERINGATAN: Distribusi predikat tidak sesuai pedoman" in md["distribusi"]
    assert "| Kurang/Misconduct |" in md["kategori"] or "Kurang/Misconduct" in md["kategori"]
    html = render_recap_html(recap)
    assert 'id="distribution"' in html and "Peringatan:" in html
    # the composite histogram has no band edges under predikat: one neutral colour, no legend
    assert 'fill="#7f7f7f"' in html and 'fill="#d62728"><title>0-10' not in html
    # a warning only: candidates and their order are untouched
    assert sorted(session.execute(select(Candidate.nip, Candidate.rank)).all()) == ranks_before


def test_other_profiles_have_no_distribution_section(session: Session) -> None:
    world = build_world(session)
    jabar = load_policy("jabar")
    add_scores(session, world, "2025-10", jabar)
    session.commit()
    recap = build_recap(session, load_facts(session, "2025-10"), jabar)
    assert recap.distribution == []
    assert "distribusi" not in recap_markdown(recap)
