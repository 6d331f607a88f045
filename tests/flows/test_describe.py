"""The Markdown above the selection form: that OPD's candidates, indicators, trend, explanation."""

from __future__ import annotations

import pytest
from pydantic import ValidationError
from sqlalchemy import Engine

from db.session import session_scope
from flows.describe import candidate_rows, selection_markdown
from flows.forms import defence_form, selection_form, selection_payload
from tests.flows.factories import make_opd


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

    form = selection_form(nips, text)
    schema = form.model_json_schema()
    assert schema["$defs"]["Kandidat"]["properties"]["nip"]["enum"] == nips
    answer = form(**selection_payload("Kepala", {nips[0]: (True, "alasan")}))
    assert answer.selections[0].nip == nips[0]
    # The channel is not the answerer's to choose: a form answer claiming one is refused.
    with pytest.raises(ValidationError, match="channel"):
        form(**selection_payload("Kepala", {}), channel="portal")
    with pytest.raises(ValidationError, match="channel"):
        defence_form(nips, text)(action="verdict", nip=nips[0], channel="portal")
