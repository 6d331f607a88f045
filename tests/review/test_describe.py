"""The Markdown above the pause forms: short, that OPD's people only, names beside NIPs."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine

from kinerja.db.session import session_scope
from kinerja.review.describe import (
    candidate_names,
    candidate_rows,
    defence_markdown,
    selection_markdown,
)
from kinerja.review.logic import ReviewState
from tests.review.factories import make_opd


def test_selection_text_lists_only_this_opd_with_labels_and_trend(sqlite_engine: Engine) -> None:
    make_opd(sqlite_engine, "2025-09", "DISHUB")
    nips = make_opd(sqlite_engine, "2025-10", "DISHUB")
    other = make_opd(sqlite_engine, "2025-10", "DINKES")
    with session_scope(sqlite_engine) as s:
        rows = candidate_rows(s, "2025-10", "DISHUB")
        names = candidate_names(s, "2025-10", "DISHUB")
    text = selection_markdown(rows, "2025-10", "DISHUB")
    assert all(n in text for n in nips) and not any(n in text for n in other)
    assert list(names) == nips
    for r in rows:  # the name beside the NIP, the composite, one line per candidate
        assert f"| {r['name']} | {r['nip']} | {r['composite']:.1f} |" in text
    assert "tren 6 bulan 51.0 → 51.0" in text  # six-month trend, oldest first
    assert "Kegiatan utama yang disetujui 41.0" in text  # labelled, never the raw key
    assert "c_" not in text
    assert len(text.splitlines()) == 5 + 2 * len(rows)
    assert rows[0]["job_title"] == "Analis"


def test_defence_text_names_people_and_shows_the_deadline_in_local_time() -> None:
    state = ReviewState(
        review_id=1,
        period="2025-10",
        scope_code="DISHUB",
        stage="defence",
        candidates=["N1", "N2"],
        selected=["N1", "N2"],
        awaiting_defence=["N1"],
        awaiting_verdict=["N2"],
        defence_deadline=datetime(2025, 11, 10, 9, 0),  # naive UTC, as stored
    )
    text = defence_markdown(state, {"N1": "Budi", "N2": "Sari"})
    assert "| Budi | N1 | menunggu pembelaan |" in text
    assert "| Sari | N2 | menunggu putusan |" in text
    assert "2025-11-10 16:00 WIB" in text
