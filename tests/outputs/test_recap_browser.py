"""The HTML recap opens in headless Chromium with no network: charts are inline SVG."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import Engine

from kinerja.db.session import make_session_factory
from kinerja.outputs.month import produce_month_outputs
from kinerja.rules.policy import load_policy
from kinerja.settings import Settings
from tests.outputs.factories import standard_month

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.browser
@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed")
def test_recap_renders_in_chromium(sqlite_engine: Engine, tmp_path: Path) -> None:
    policy = load_policy("jabar")
    out = tmp_path / "out"
    with make_session_factory(sqlite_engine)() as session:
        standard_month(session, policy)
        report = produce_month_outputs(
            session,
            "2025-10",
            policy,
            out,
            settings=Settings(out_dir=out, notification_channels=["file"]),
        )
    assert report.recap is not None
    url = report.recap.html.resolve().as_uri()
    base = [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars"]
    dom = subprocess.run(
        [*base, "--dump-dom", url], capture_output=True, text=True, timeout=120, check=True
    ).stdout
    assert dom.count("<svg") >= 5 and "<circle" in dom and "Dinas Perhubungan" in dom
    png = tmp_path / "recap.png"
    subprocess.run(
        [*base, "--window-size=1280,2400", f"--screenshot={png}", url],
        capture_output=True,
        timeout=120,
        check=True,
    )
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 20_000
