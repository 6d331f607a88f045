"""Indonesian formatting: months, weekdays, local time with its zone label, decimal comma."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from kinerja.settings import get_settings
from kinerja.templates.filters import angka, period_label, selisih, tanggal, tanggal_jam


def test_dates_in_indonesian() -> None:
    assert period_label("2025-10") == "Oktober 2025"
    assert tanggal(date(2025, 11, 3)) == "Senin, 3 November 2025"
    assert tanggal("2025-11-19") == "Rabu, 19 November 2025"


def test_moments_shown_in_local_time() -> None:
    # The database keeps UTC: 09.00 UTC is 16.00 in Jakarta, labelled WIB.
    assert tanggal_jam(datetime(2025, 11, 17, 9, 0, tzinfo=UTC)) == (
        "Senin, 17 November 2025 pukul 16.00 WIB"
    )
    # Late UTC evening is already the next day in Jakarta.
    assert tanggal_jam(datetime(2025, 11, 16, 20, 30, tzinfo=UTC)).startswith(
        "Senin, 17 November 2025 pukul 03.30"
    )
    assert tanggal_jam(date(2025, 11, 17)) == "Senin, 17 November 2025"


def test_numbers_with_decimal_comma() -> None:
    assert angka(45.26) == "45,3" and angka(7, 0) == "7"
    assert angka(1234.5) == "1.234,5"
    assert angka(None) == "-" and angka(float("nan")) == "-"
    assert selisih(3.5) == "+3,5" and selisih(-2) == "-2,0" and selisih(None) == "-"


def test_moments_in_another_zone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KINERJA_TIMEZONE", "Asia/Jayapura")
    get_settings.cache_clear()
    try:
        assert tanggal_jam(datetime(2025, 11, 17, 9, 0, tzinfo=UTC)) == (
            "Senin, 17 November 2025 pukul 18.00 WIT"
        )
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()
