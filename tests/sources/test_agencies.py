"""An agency's unit of work without Prefect: idempotent scoring, the digest, a bad config."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from kinerja.db.models import Score
from kinerja.db.session import make_engine, session_scope
from kinerja.sources.agencies import load_agencies, month_digest, score_agency
from tests.agency_months import PERIOD, agencies


def test_scoring_an_agency_twice_replaces_its_rows(tmp_path: Path) -> None:
    (agency,) = agencies(tmp_path, 1)
    first = score_agency(agency, PERIOD, "jabar")
    again = score_agency(agency, PERIOD, "jabar")
    assert first.employees == again.employees > 10
    assert first.digest == again.digest and first.candidates == again.candidates > 0
    engine = make_engine(agency.database_url)
    with session_scope(engine) as s:
        assert s.scalar(select(func.count()).select_from(Score)) == first.employees
        assert month_digest(s, PERIOD)[3] == first.digest
    engine.dispose()
    assert set(first.seconds) == {"read", "score", "write"} and first.peak_rss_mb > 0
    assert "sqlite" not in repr(agency)  # a database URL may hold a password


def test_a_bad_agencies_file_names_the_entry_and_field(tmp_path: Path) -> None:
    path = tmp_path / "a.yaml"
    path.write_text("agencies:\n  - {code: 'A 1', name: X, database_url: 'sqlite://'}\n")
    with pytest.raises(ValueError, match=r"a.yaml: agencies.0.code"):
        load_agencies(path)
    path.write_text(
        "agencies:\n  - {code: A, name: X, database_url: 'sqlite://'}\n"
        "  - {code: A, name: Y, database_url: 'sqlite://'}\n"
    )
    with pytest.raises(ValueError, match="agency code 'A' appears twice"):
        load_agencies(path)
