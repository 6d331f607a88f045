"""`kinerja portal` serves the app; `kinerja portal-link` prints a link that opens the page."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner, Result

from kinerja.cli import app
from kinerja.db.audit import events
from kinerja.db.models import Opd
from kinerja.db.session import session_scope
from kinerja.settings import get_settings
from tests.portal.live import free_port
from tests.portal.world import World

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
        "PYTHONUNBUFFERED": "1",
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

        args = ["portal-link", "--period", "2025-10", "--person", "operator-bkd"]
        unnamed = _invoke(args, env)
        assert unnamed.exit_code == 2 and "--operator" in unnamed.output
        result = _invoke([*args, "--operator", "Sari (BKD)"], env)
        assert result.exit_code == 0, result.output
        url = result.output.strip()
        assert url.startswith(f"http://127.0.0.1:{port}/l/")
        page = httpx.get(url)
        assert page.status_code == 200 and "Ikhtisar tinjauan" in page.text
        assert "Belum ada tinjauan untuk periode ini" in page.text

        bad = _invoke([*args, "--operator", "Sari (BKD)", "--purpose", "approve"], env)
        assert bad.exit_code != 0 and "purpose" in bad.output
        # Let the access line reach the log before the server stops.
        httpx.get(f"http://127.0.0.1:{port}/healthz")
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    log = proc.stdout.read().decode() if proc.stdout else ""
    # The access log keeps the request line but never the token, which opens the page.
    token = url.rsplit("/l/", 1)[1]
    assert token not in log
    assert '"GET /l/<redacted> HTTP/1.1" 200' in log, log
    assert "cli-test-secret-93ab" not in log


@pytest.mark.parametrize(
    ("purpose", "scope", "who", "why"),
    [
        ("selection", "DINAS-A", "candidate", "bukan kepala OPD DINAS-A"),
        ("verdict", "DINAS-A", "other_head", "bukan kepala OPD DINAS-A"),
        ("selection", "DINAS-X", "head", "tidak ada review untuk DINAS-X"),
        ("defence", "DINAS-A", "head", "bukan pegawai yang dipilih dalam review DINAS-A"),
        ("selection", "DINAS-B", "head", "DINAS-B belum memiliki kepala OPD tercatat"),
    ],
)
def test_portal_link_for_a_decision_only_to_the_scopes_head_or_a_selected_employee(
    db_url: str, engine: Engine, world: World, purpose: str, scope: str, who: str, why: str
) -> None:
    with session_scope(engine) as s:  # DINAS-B's head post is vacant
        opd = s.get(Opd, "DINAS-B")
        assert opd is not None
        opd.head_nip = None
    person = {
        "candidate": world.candidates["DINAS-A"][1],
        "other_head": world.heads["DINAS-B"],
        "head": world.heads["DINAS-A"],
    }[who]
    env = dict(os.environ) | {"KINERJA_PORTAL_SECRET": "cli-test-secret-93ab"}
    base = ["portal-link", "--period", world.period, "--database-url", db_url]
    refused = _invoke(
        [*base, "--operator", "Sari", "--purpose", purpose, "--scope", scope, "--person", person],
        env,
    )
    assert refused.exit_code == 2, refused.output
    assert "portal-link ditolak:" in refused.output and why in refused.output

    ok = _invoke(
        [*base, "--operator", "Sari (BKD)", "--purpose", "selection", "--scope", "DINAS-A"]
        + ["--person", world.heads["DINAS-A"]],
        env,
    )
    assert ok.exit_code == 0, ok.output
    with session_scope(engine) as s:
        issued = events(s, action="issue_link")
    # Only the allowed link was issued, with the operator who issued it.
    assert [(e.actor, e.detail["person"], e.detail["channel"]) for e in issued] == [
        ("Sari (BKD)", world.heads["DINAS-A"], "cli")
    ]


def test_heads_lists_who_decides_each_review_with_the_nip_portal_link_needs(
    db_url: str, world: World
) -> None:
    result = _invoke(["heads", "--database-url", db_url], dict(os.environ))
    assert result.exit_code == 0, result.output
    lines = {line.split()[0]: line for line in result.output.splitlines()}
    head = world.heads["DINAS-A"]
    assert head in lines["DINAS-A"] and "Kepala " in lines["DINAS-A"]
    # the NIP printed is the one portal-link accepts for the scope's selection link
    env = dict(os.environ) | {"KINERJA_PORTAL_SECRET": "cli-test-secret-93ab"}
    printed = lines["DINAS-A"].split()[1]
    ok = _invoke(
        ["portal-link", "--period", world.period, "--database-url", db_url, "--operator", "Sari"]
        + ["--purpose", "selection", "--scope", "DINAS-A", "--person", printed],
        env,
    )
    assert ok.exit_code == 0, ok.output


def test_heads_on_an_empty_database_says_what_to_do_first(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    result = _invoke(["heads", "--database-url", url], dict(os.environ))
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "belum ada perangkat daerah tercatat (jalankan gather dahulu)"
