"""`kinerja simulate` and `kinerja gather` as a user runs them, including the server process."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from typer.testing import CliRunner

from kinerja.cli import app
from kinerja.settings import get_settings


@pytest.fixture
def fresh_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Path]:
    db = tmp_path / "cli.db"
    monkeypatch.setenv("KINERJA_DATABASE_URL", f"sqlite:///{db}")
    get_settings.cache_clear()
    yield db
    get_settings.cache_clear()


def test_simulate_writes_files_and_gather_loads_them(fresh_settings: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    csv_dir, xlsx_dir = tmp_path / "csv", tmp_path / "xlsx"
    args = ["simulate", "--period", "2025-10", "--employees", "24", "--seed", "5"]
    out = runner.invoke(app, [*args, "--csv", str(csv_dir), "--xlsx", str(xlsx_dir)])
    assert out.exit_code == 0, out.output
    assert "rekaman cacat sengaja ditanam" in out.output
    assert (csv_dir / "attendance.csv").exists() and (xlsx_dir / "behaviour.xlsx").exists()

    sources = tmp_path / "sources.yaml"
    sources.write_text(
        "government: test\n"
        f"sources:\n  bkd: {{type: csv, path: '{csv_dir}'}}\n"
        "kinds: {employees: bkd, attendance: bkd, activities: bkd, behaviour: bkd, "
        "indicators: bkd}\n"
    )
    out = runner.invoke(app, ["gather", "--period", "2025-10", "--sources", str(sources)])
    assert out.exit_code == 0, out.output
    assert "bkd:" in out.output and "rejected bkd duplicate" in out.output
    assert fresh_settings.exists()

    bad = tmp_path / "bad.yaml"
    bad.write_text("sources: {}\nkinds: {employees: nowhere}\n")
    out = runner.invoke(app, ["gather", "--period", "2025-10", "--sources", str(bad)])
    assert out.exit_code == 2
    assert "unknown source 'nowhere'" in out.output


def test_simulate_serve_runs_a_real_server_process_and_writes_a_ready_sources_file(
    tmp_path: Path,
) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "KINERJA_SOURCE_TOKEN": "cli-token", "KINERJA_VAR_DIR": str(tmp_path)}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from kinerja.cli import app; app()",
            "simulate",
            "--period",
            "2025-10",
            "--employees",
            "20",
            "--serve",
            "--port",
            str(port),
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 120
        while True:
            try:
                requests.get(f"{url}/health", timeout=1)
                break
            except requests.ConnectionError:
                assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
                assert time.monotonic() < deadline
                time.sleep(0.2)
        refused = requests.get(f"{url}/v1/employees", params={"period": "2025-10"}, timeout=5)
        assert refused.status_code == 401
        ok = requests.get(
            f"{url}/v1/employees",
            params={"period": "2025-10"},
            headers={"Authorization": "Bearer cli-token"},
            timeout=5,
        )
        assert ok.status_code == 200
        assert len(ok.json()["data"]) >= 20
        # The sources file it wrote gathers the month as it is (the token is not in the file).
        sources = tmp_path / "sources.yaml"
        text = sources.read_text(encoding="utf-8")
        assert f"base_url: {url}" in text and "cli-token" not in text
        gathered = subprocess.run(
            [sys.executable, "-c", "from kinerja.cli import app; app()", "gather"]
            + ["--period", "2025-10", "--sources", str(sources)],
            env={**env, "KINERJA_DATABASE_URL": f"sqlite:///{tmp_path / 'g.db'}"},
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert gathered.returncode == 0, gathered.stdout + gathered.stderr
        assert "simulator:" in gathered.stdout
    finally:
        proc.terminate()
        proc.wait(timeout=10)
