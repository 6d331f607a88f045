"""`kinerja portal` serves the app; `kinerja portal-link` prints a link that opens the page."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
from typer.testing import CliRunner, Result

from kinerja.cli import app
from kinerja.settings import get_settings
from tests.portal.live import free_port

ROOT = Path(__file__).resolve().parents[2]


def _invoke(args: list[str], env: dict[str, str]) -> Result:
    """Run a command in-process with `env`; settings are re-read for it and after it."""
    get_settings.cache_clear()
    try:
        return CliRunner().invoke(app, args, env=env)
    finally:
        get_settings.cache_clear()


def test_portal_command_serves_and_portal_link_opens_the_overview(tmp_path: Path) -> None:
    port = free_port()
    env = dict(os.environ)
    env |= {
        "KINERJA_DATABASE_URL": f"sqlite:///{tmp_path / 'kinerja.db'}",
        "KINERJA_PORTAL_BASE_URL": f"http://127.0.0.1:{port}",
        "KINERJA_PORTAL_SECRET": "cli-test-secret-93ab",
    }
    proc = subprocess.Popen(
        # The console script's entry point, run by this interpreter.
        [sys.executable, "-c", "from kinerja.cli import app; app()", "portal", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        end = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert proc.poll() is None, proc.stdout.read() if proc.stdout else ""
            assert time.monotonic() < end, "portal did not start"
            time.sleep(0.3)

        result = _invoke(["portal-link", "--period", "2025-10", "--person", "operator-bkd"], env)
        assert result.exit_code == 0, result.output
        url = result.output.strip()
        assert url.startswith(f"http://127.0.0.1:{port}/l/")
        page = httpx.get(url)
        assert page.status_code == 200 and "Ikhtisar tinjauan" in page.text
        assert "Belum ada tinjauan untuk periode ini" in page.text

        bad = _invoke(
            ["portal-link", "--period", "2025-10", "--person", "x", "--purpose", "approve"], env
        )
        assert bad.exit_code != 0 and "purpose" in bad.output
    finally:
        proc.terminate()
        proc.wait(timeout=20)
