"""The national overview lists each agency and the totals (Indonesian headers)."""

from __future__ import annotations

from kinerja.sources.agencies import AgencyMonth
from kinerja.tasks.nation import overview_markdown


def test_overview_lists_agencies_in_order_with_totals() -> None:
    rows = [
        AgencyMonth(agency="B", period="2025-10", employees=20, sufficient=18, candidates=3),
        AgencyMonth(agency="A", period="2025-10", employees=10, sufficient=9, candidates=0),
        AgencyMonth(agency="C", period="2025-10", employees=5, sufficient=5, frozen=True),
    ]
    text = overview_markdown("2025-10", rows)
    lines = text.splitlines()
    assert lines[0] == "# Ringkasan nasional 2025-10"
    assert [ln.split(" | ")[0] for ln in lines[4:7]] == ["| A", "| B", "| C"]
    assert "usulan dibekukan" in lines[6]
    assert lines[-1] == "| Jumlah | 35 | 32 | 3 | |"
