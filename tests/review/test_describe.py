"""The Markdown above the selection form: that OPD's candidates, indicators, trend, explanation."""

from __future__ import annotations

from sqlalchemy import Engine

from kinerja.db.session import session_scope
from kinerja.review.describe import candidate_rows, selection_markdown
from tests.review.factories import make_opd


def test_selection_text_lists_only_this_opd_with_trend(sqlite_engine: Engine) -> None:
    make_opd(sqlite_engine, "2025-09", "DISHUB")
    nips = make_opd(sqlite_engine, "2025-10", "DISHUB")
    other = make_opd(sqlite_engine, "2025-10", "DINKES")
    with session_scope(sqlite_engine) as s:
        rows = candidate_rows(s, "2025-10", "DISHUB")
    text = selection_markdown(rows, "2025-10", "DISHUB")
    assert all(n in text for n in nips) and not any(n in text for n in other)
    assert "2025-09: 51.0 → 2025-10: 51.0" in text  # six-month trend, oldest first
    assert "Kegiatan utama rendah (41%)." in text and "c_main_activity: 41.0" in text
    assert rows[0]["job_title"] == "Analis"
