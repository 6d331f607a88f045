"""publication.max_per_scope: who is announced is deterministic, the rest is explained."""

from __future__ import annotations

import json
from pathlib import Path

from openpyxl import load_workbook
from sqlalchemy.orm import Session

from kinerja.db.models import Score
from kinerja.outputs.announcements import CAP_REASON
from kinerja.outputs.month import produce_month_outputs
from kinerja.outputs.outbox import export_approved
from kinerja.rules.policy import Policy
from kinerja.settings import Settings
from tests.outputs.factories import case, standard_month


def test_cap_announces_lowest_composite_then_nip_and_explains_the_rest(
    session: Session, policy: Policy, out_dir: Path, settings: Settings
) -> None:
    world = standard_month(session, policy)
    # j=3 (67) is a higher composite than `first` (49) but still below the floor of 75
    first, high, tied = (world.nip("DISHUB", j) for j in (1, 3, 5))
    case(session, "2025-10", "DISHUB", high, defence=None)
    case(session, "2025-10", "DISHUB", tied, defence=None)
    # `tied` has the same composite as `first` (49.0): the lower NIP wins the one place.
    score = session.get(Score, ("2025-10", tied))
    assert score is not None and session.get(Score, ("2025-10", first)).composite == 49.0  # type: ignore[union-attr]
    score.composite = 49.0
    session.commit()
    capped = policy.model_copy(
        update={"publication": policy.publication.model_copy(update={"max_per_scope": 1})}
    )

    report = produce_month_outputs(session, "2025-10", capped, out_dir, settings=settings)

    assert set(report.published) >= {first, high, tied}
    assert first in report.announced
    assert high not in report.announced and tied not in report.announced
    for nip in (high, tied):
        assert report.left_out[nip].startswith(CAP_REASON)

    manifest = json.loads(
        (out_dir / "2025-10" / "announcements" / "manifest.json").read_text(encoding="utf-8")
    )
    listed = {r["nip"]: r["reason"] for r in manifest["not_announced"]}
    assert set(listed) == {high, tied}
    assert all(CAP_REASON in r for r in listed.values())
    # A re-export after an approval (no list given) keeps the list.
    export_approved(session, "2025-10", out_dir)
    again = json.loads(
        (out_dir / "2025-10" / "announcements" / "manifest.json").read_text(encoding="utf-8")
    )
    assert again["not_announced"] == manifest["not_announced"]

    assert report.recap is not None
    md = report.recap.tables["tidak-diumumkan"]
    assert high in md and tied in md and first not in md and CAP_REASON in md
    sheet = load_workbook(report.recap.xlsx)["Tidak diumumkan"]
    assert {row[0] for row in sheet.iter_rows(min_row=2, values_only=True)} == {high, tied}

    letters = out_dir / "2025-10" / "letters"
    for nip in (high, tied):
        for name in ("keputusan.txt", "keputusan.html"):
            text = (letters / nip / name).read_text(encoding="utf-8")
            assert "nama Saudara dimuat dalam pengumuman" not in text
            assert CAP_REASON in text
    announced = (letters / first / "keputusan.txt").read_text(encoding="utf-8")
    assert "nama Saudara dimuat dalam pengumuman" in announced
    assert CAP_REASON not in announced
