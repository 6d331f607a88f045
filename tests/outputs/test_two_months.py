"""Two months in a row: coaching planned in October is followed up in November's recap."""

from __future__ import annotations

from pathlib import Path

from openpyxl import load_workbook
from sqlalchemy.orm import Session

from kinerja.outputs.month import produce_month_outputs
from kinerja.rules.policy import Policy
from kinerja.settings import Settings
from tests.outputs.factories import add_scores, standard_month


def test_coached_change_is_reported_next_month(
    session: Session, policy: Policy, out_dir: Path, settings: Settings
) -> None:
    world = standard_month(session, policy, "2025-10")
    october = produce_month_outputs(session, "2025-10", policy, out_dir, settings=settings)
    improved, stuck = world.nip("DISHUB", 1), world.nip("DINKES", 1)
    assert sorted(october.coached) == sorted([improved, stuck])
    assert october.coaching_period == "2025-11"

    add_scores(
        session,
        world,
        "2025-11",
        policy,
        overrides={
            improved: {"kinerja": 60.0, "kehadiran": 71.0, "perilaku": 58.0, "composite": 62.0},
            stuck: {"kinerja": 47.0, "kehadiran": 55.0, "perilaku": 52.0, "composite": 50.0},
        },
    )
    session.commit()
    november = produce_month_outputs(session, "2025-11", policy, out_dir, settings=settings)
    assert november.not_improved == [stuck]
    assert november.recap is not None

    md = november.recap.tables["pendampingan"]
    name_improved = world_name(session, improved)
    name_stuck = world_name(session, stuck)
    row_improved = next(line for line in md.splitlines() if name_improved in line)
    row_stuck = next(line for line in md.splitlines() if name_stuck in line)
    # Change per indicator: kinerja 44 -> 60, kehadiran 57 -> 71, perilaku 51 -> 58, 49 -> 62.
    assert "+16,0 | +14,0 | +7,0 | +13,0 | membaik" in row_improved
    assert "+1,0 | -4,0 | -1,0 | -1,0 | tidak membaik" in row_stuck

    wb = load_workbook(november.recap.xlsx)
    rows = list(wb["Pendampingan"].iter_rows(min_row=2, values_only=True))
    by_nip = {r[0]: r for r in rows}
    assert by_nip[improved][4] == "membaik" and by_nip[stuck][4] == "tidak membaik"
    assert by_nip[improved][-1] == 13.0  # composite change
    html = november.recap.html.read_text(encoding="utf-8")
    assert "tidak membaik" in html and name_stuck in html
    # The trend now spans both months.
    trend = {r[0]: r for r in wb["Tren"].iter_rows(min_row=2, values_only=True)}
    assert trend["Dinas Perhubungan"][-2] is not None and trend["Dinas Perhubungan"][-1] is not None

    # October's recap, rebuilt later, still shows no follow-up (coaching happens in November).
    october_again = produce_month_outputs(session, "2025-10", policy, out_dir, settings=settings)
    assert october_again.not_improved == []


def world_name(session: Session, nip: str) -> str:
    from kinerja.db.models import Employee

    emp = session.get(Employee, nip)
    assert emp is not None
    return emp.name
