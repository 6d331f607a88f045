"""`make demo` (kinerja demo) end to end: no published person has band Baik or better, every
letter the demo writes matches its outcome (each letter read, compared with the decisions), and
the month ends with approved posts in the outbox and a recap that says so."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import select

from kinerja.db import outcomes
from kinerja.db.models import Decision, Score
from kinerja.db.session import make_engine, session_scope
from kinerja.flows.demo import APPROVER, DemoReport, run_demo, summary_lines
from kinerja.outputs.announcements import X_LIMIT
from kinerja.rules.policy import load_policy

PERIOD = "2025-10"
INDICATOR = re.compile(
    r"^  - (Kinerja|Kehadiran|Perilaku kerja): ([0-9.,-]+) \(median unit kerja ([0-9.,-]+)\)"
    r"(?: - (perlu ditingkatkan|memadai))?$"
)
CASE_SAYS = {
    "defence_accepted": "PEMBELAAN SAUDARA DITERIMA",
    "defence_rejected": "PEMBELAAN SAUDARA DITOLAK",
    "no_defence": "TIDAK ADA PEMBELAAN dari Saudara sampai batas waktu",
    "rescored_above_floor": "KEBERATAN SAUDARA ATAS DATA DITERIMA",
    "verdict_missing": "PEMBELAAN SAUDARA BELUM DIPUTUS",
}


@dataclass
class Row:
    """One candidate in the outcome table."""

    selection: str
    selection_reason: str
    verdict: str | None
    verdict_reason: str
    outcome: str
    case: str
    band: str | None
    composite: float | None


def _number(text: str) -> float | None:
    return None if text == "-" else float(text.replace(".", "").replace(",", "."))


def _outcome_table(url: str) -> dict[str, Row]:
    engine = make_engine(url)
    try:
        with session_scope(engine) as s:
            kinds = {
                k: outcomes.effective_decisions(s, PERIOD, k)
                for k in ("selection", "verdict", "outcome")
            }
            scores = {sc.nip: sc for sc in s.scalars(select(Score).where(Score.period == PERIOD))}
            table = {}
            for nip, out in kinds["outcome"].items():
                sel: Decision = kinds["selection"][nip]
                verdict = kinds["verdict"].get(nip)
                table[nip] = Row(
                    selection=sel.value,
                    selection_reason=sel.reason,
                    verdict=verdict.value if verdict else None,
                    verdict_reason=verdict.reason if verdict else "",
                    outcome=out.value,
                    case=str((out.payload or {}).get("case")),
                    band=scores[nip].band,
                    composite=scores[nip].composite,
                )
            return table
    finally:
        engine.dispose()


def _check_indicators(text: str, threshold: float, where: str) -> None:
    lines = [m for line in text.splitlines() if (m := INDICATOR.match(line))]
    assert len(lines) == 3, where
    for m in lines:
        value, median, said = _number(m.group(2)), _number(m.group(3)), m.group(4)
        if value is None:
            continue
        low = value < threshold or (median is not None and value < median)
        assert said == ("perlu ditingkatkan" if low else "memadai"), f"{where}: {m.group(0)}"


@pytest.mark.slow
@pytest.mark.prefect  # starts its own Prefect server (run_demo), not the test harness
@pytest.mark.timeout(900)
def test_demo_publishes_no_good_performer_and_every_letter_matches_its_outcome(
    tmp_path: Path,
) -> None:
    report = run_demo(
        tmp_path / "var", tmp_path / "out", period=PERIOD, timeout=600, say=lambda _: None
    )
    assert report.cycle_state == "COMPLETED", report.actions
    policy = load_policy("jabar")
    top = policy.bands[-1].code
    table = _outcome_table(report.database_url)
    assert table, "the demo proposed nobody: nothing was checked"
    assert any(r.selection == "selected" for r in table.values())
    published = {nip: r for nip, r in table.items() if r.outcome == "published"}
    for nip, r in published.items():
        assert r.band != top and r.composite is not None, nip
        assert r.composite <= policy.selection.max_composite, nip
    # every candidate ever proposed was at or below the floor
    assert all(
        r.composite is not None and r.composite <= policy.selection.max_composite
        for r in table.values()
        if r.case != "rescored_above_floor"
    )

    letters = report.out_dir / PERIOD / "letters"
    selected = {nip for nip, r in table.items() if r.selection == "selected"}
    written = {p.name for p in letters.iterdir()} if letters.exists() else set()
    # letters only for those the head selected: nobody else was warned or decided upon
    assert written == selected
    for nip in sorted(selected):
        r = table[nip]
        folder = letters / nip
        assert {p.name for p in folder.iterdir()} == {
            "peringatan.html",
            "peringatan.txt",
            "keputusan.html",
            "keputusan.txt",
        }, nip
        warning = (folder / "peringatan.txt").read_text(encoding="utf-8")
        assert r.selection_reason in warning, nip
        assert "PDF, JPEG atau PNG" in warning and "disertai bukti bila ada" not in warning
        _check_indicators(warning, policy.letters.indicator_threshold, f"{nip} peringatan")
        text = (folder / "keputusan.txt").read_text(encoding="utf-8")
        html = (folder / "keputusan.html").read_text(encoding="utf-8")
        assert r.case in CASE_SAYS, (nip, r.case)
        for case, says in CASE_SAYS.items():
            assert (says in text) == (case == r.case), (nip, r.case, says)
        assert f": {r.selection_reason}" in text and r.selection_reason in html, nip
        if r.verdict is not None:
            assert f"Alasan putusan: {r.verdict_reason}" in text, nip
            assert r.verdict_reason in html, nip
        assert ("dimuat dalam pengumuman" in text or "TIDAK dimuat" in text) == (
            r.outcome == "published"
        ), nip
        assert ("nama Saudara tidak diumumkan" in text) == (r.outcome != "published"), nip
        assert (r.outcome == "published") == (r.case in ("defence_rejected", "no_defence")), nip
        _check_indicators(text, policy.letters.indicator_threshold, f"{nip} keputusan")

    _check_the_month_ends_with_posts(report, table)


def _check_the_month_ends_with_posts(report: DemoReport, table: dict[str, Row]) -> None:
    """Every draft approved by the scripted staff; for every published scope the outbox holds
    the caption, an X post within 280 characters and the press release; the printout shows one
    X post and the recap, and the recap shows the approvals, not a stale queue."""
    assert any(r.outcome == "published" for r in table.values()), "nobody was published"
    outbox = report.out_dir / PERIOD / "announcements"
    manifest = json.loads((outbox / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["drafts"] and report.approved == len(manifest["drafts"])
    scopes: dict[tuple[str, str], set[str]] = {}
    for entry in manifest["drafts"]:
        assert entry["status"] == "approved", entry
        assert [(h["decision"], h["by"]) for h in entry["history"]] == [("approved", APPROVER)]
        assert entry["decided_at"].endswith("+07:00")
        scopes.setdefault((entry["purpose"], entry["scope_code"]), set()).add(entry["format"])
        body = (outbox / entry["file"]).read_text(encoding="utf-8")
        if entry["format"] == "x_post":
            assert 0 < len(body.strip()) <= X_LIMIT, entry["file"]
    assert "announcement" in {p for p, _ in scopes}, scopes
    assert all(f == {"caption", "x_post", "press_release"} for f in scopes.values()), scopes

    lines = summary_lines(report)
    assert 0 < len(report.x_post) <= X_LIMIT
    assert report.x_post.splitlines()[0] in "\n".join(lines)
    assert report.recap_html is not None and f"rekap BKD: {report.recap_html}" in lines
    html = report.recap_html.read_text(encoding="utf-8")
    assert "menunggu persetujuan" not in html
    assert f"{len(manifest['drafts'])} disetujui" in html and APPROVER in html
