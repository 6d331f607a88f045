"""The shared vocabulary: the month is parsed strictly, the clock is aware UTC."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from kinerja.domain import Period, naive_utc, now, period_text, utcnow


def test_a_period_is_parsed_strictly_and_written_back_the_same() -> None:
    assert Period.parse("2025-01") == Period(2025, 1)
    assert str(Period.parse("2025-12")) == "2025-12"
    assert period_text(" 2024-02 ") == "2024-02"


def test_a_month_without_its_leading_zero_is_refused_with_the_fix() -> None:
    with pytest.raises(ValueError, match="write 2025-01"):
        Period.parse("2025-1")


@pytest.mark.parametrize("text", ["2025-13", "2025-00", "25-01", "2025/01", "2025-01-01", ""])
def test_anything_but_a_month_is_refused_naming_it(text: str) -> None:
    with pytest.raises(ValueError, match="is not YYYY-MM"):
        Period.parse(text)


def test_bounds_and_the_month_before() -> None:
    assert Period.parse("2024-02").bounds() == (date(2024, 2, 1), date(2024, 2, 29))
    assert Period(2025, 1).previous() == Period(2024, 12)
    assert Period.of(date(2025, 3, 31)).previous() == Period(2025, 2)


def test_the_clock_is_aware_utc_and_the_database_form_is_naive_utc() -> None:
    current = now()
    assert current.tzinfo is UTC
    assert utcnow().tzinfo is None and abs(utcnow() - naive_utc(current)) < timedelta(minutes=1)
    wib = datetime(2025, 1, 1, 7, 0, tzinfo=timezone(timedelta(hours=7)))
    assert naive_utc(wib) == datetime(2025, 1, 1, 0, 0)
