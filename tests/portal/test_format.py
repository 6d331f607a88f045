"""Portal display helpers: moments in the configured zone, with its label; decimal comma."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import pytest

from kinerja.portal.format import num, period_label, when
from kinerja.settings import get_settings


@pytest.fixture
def zone(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    get_settings.cache_clear()
    yield monkeypatch
    get_settings.cache_clear()


def test_moment_in_default_zone(zone: pytest.MonkeyPatch) -> None:
    zone.delenv("KINERJA_TIMEZONE", raising=False)
    # stored naive UTC: 09.00 UTC is 16.00 WIB
    assert when(datetime(2025, 11, 3, 9, 0)) == "3 November 2025 pukul 16.00 WIB"
    assert when(None) == "-"


def test_moment_in_configured_zone(zone: pytest.MonkeyPatch) -> None:
    # A government in Sulawesi reads its deadlines in WITA (UTC+8), not WIB.
    zone.setenv("KINERJA_TIMEZONE", "Asia/Makassar")
    get_settings.cache_clear()
    assert when(datetime(2025, 11, 3, 16, 30)) == "4 November 2025 pukul 00.30 WITA"


def test_numbers_and_periods() -> None:
    assert num(1234.56) == "1.234,6" and num(None) == "-" and num(True) == "ya"
    assert period_label("2025-10") == "Oktober 2025"
