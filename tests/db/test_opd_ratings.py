"""Organisation ratings: set, replace, import from CSV, and bad rows refused naming the record."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from kinerja.db.opd_ratings import RatingRow, ratings_for, read_csv, set_ratings


def test_set_replace_and_read_per_period(session: Session) -> None:
    set_ratings(session, [RatingRow("2025-10", "DINKES", "baik")], set_by="bkd")
    set_ratings(session, [RatingRow("2025-11", "DINKES", "kurang")], set_by="bkd")
    set_ratings(session, [RatingRow("2025-10", "DINKES", "istimewa", "SK 12")], set_by="sekda")
    session.commit()
    assert ratings_for(session, "2025-10") == {"DINKES": "istimewa"}
    assert ratings_for(session, "2025-11") == {"DINKES": "kurang"}
    assert ratings_for(session, "2025-12") == {}


def test_a_bad_row_names_the_record_and_the_reason(session: Session) -> None:
    with pytest.raises(ValueError, match="OPD DINKES period 2025-10: unknown rating 'hebat'"):
        set_ratings(session, [RatingRow("2025-10", "DINKES", "hebat")], set_by="bkd")
    with pytest.raises(ValueError, match="period must be yyyy-mm, not '2025-13'"):
        set_ratings(session, [RatingRow("2025-13", "DINKES", "baik")], set_by="bkd")


def test_csv_import_checks_every_row_before_recording(session: Session, tmp_path: Path) -> None:
    good = tmp_path / "ratings.csv"
    good.write_text(
        "period,opd_code,rating,note\n2025-10,DINKES,Baik,SK 1\n2025-10,DISHUB,kurang,\n"
    )
    set_ratings(session, read_csv(good), set_by="bkd")
    session.commit()
    assert ratings_for(session, "2025-10") == {"DINKES": "baik", "DISHUB": "kurang"}
    bad = tmp_path / "bad.csv"
    bad.write_text("period,opd_code,rating\n2025-10,BAPPEDA,baik\n2025-10,DINSOS,luar biasa\n")
    with pytest.raises(ValueError, match="bad.csv line 3: OPD DINSOS period 2025-10: unknown"):
        read_csv(bad)
    missing = tmp_path / "missing.csv"
    missing.write_text("period,opd\n2025-10,X\n")
    with pytest.raises(ValueError, match=r"missing.csv: missing columns \['opd_code', 'rating'\]"):
        read_csv(missing)
