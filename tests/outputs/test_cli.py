"""`kinerja outputs`, `kinerja drafts list|approve|reject` and `kinerja recap` end to end."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kinerja.cli import app
from kinerja.db.migrate import upgrade
from kinerja.db.session import make_engine, make_session_factory
from kinerja.rules.policy import load_policy
from kinerja.settings import get_settings
from tests.outputs.factories import standard_month


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[str, Path]]:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    out = tmp_path / "out"
    monkeypatch.setenv("KINERJA_DATABASE_URL", url)
    monkeypatch.setenv("KINERJA_OUT_DIR", str(out))
    monkeypatch.setenv("KINERJA_POLICY", "jabar")
    monkeypatch.setenv("KINERJA_NOTIFICATION_CHANNELS", '["file"]')
    get_settings.cache_clear()
    upgrade(url)
    engine = make_engine(url)
    with make_session_factory(engine)() as s:
        standard_month(s, load_policy("jabar"))
    engine.dispose()
    yield url, out
    get_settings.cache_clear()


def test_drafts_cli_flow(env: tuple[str, Path]) -> None:
    _, out = env
    runner = CliRunner()
    res = runner.invoke(app, ["outputs", "--period", "2025-10"])
    assert res.exit_code == 0, res.output
    summary = json.loads(res.output)
    assert summary["published"] == 2 and summary["drafts"] == {"draft": 15}

    res = runner.invoke(app, ["drafts", "list", "--period", "2025-10", "--status", "draft"])
    assert res.exit_code == 0, res.output
    lines = [line for line in res.output.splitlines() if line.startswith("#")]
    assert len(lines) == 15
    caption = next(line for line in lines if "announcement opd:DISHUB caption" in line)
    draft_id = caption.split()[0][1:]

    res = runner.invoke(
        app,
        ["drafts", "approve", draft_id, "--actor", "Rani (Humas)", "--reason", "Sesuai SOP"],
    )
    assert res.exit_code == 0, res.output
    assert ": disetujui" in res.output and "1 berkas disetujui" in res.output
    recap_html = out / "2025-10" / "recap" / "rekap_2025-10.html"
    assert "rekap diperbarui" in res.output and "14 menunggu persetujuan" in recap_html.read_text(
        encoding="utf-8"
    )
    outbox = out / "2025-10" / "announcements"
    files = sorted(p.name for p in outbox.iterdir())
    assert files == ["announcement_DISHUB_caption.txt", "manifest.json"]

    res = runner.invoke(app, ["drafts", "list", "--period", "2025-10", "--status", "approved"])
    assert "disetujui oleh Rani (Humas) (communications) pada" in res.output
    assert "WIB: Sesuai SOP" in res.output

    # Approving again, as someone else, is refused naming the earlier approval; nothing changes.
    res = runner.invoke(app, ["drafts", "approve", draft_id, "--actor", "Budi", "--reason", "ok"])
    assert res.exit_code == 2
    assert f"draf {draft_id} sudah disetujui oleh Rani (Humas)" in res.output

    # Rejecting needs a reason and a role that may decide; errors name the draft.
    res = runner.invoke(app, ["drafts", "reject", draft_id, "--actor", "x", "--reason", " "])
    assert res.exit_code == 2 and f"draf {draft_id}: penolakan wajib disertai alasan" in res.output
    res = runner.invoke(app, ["drafts", "approve", "9999", "--actor", "x", "--reason", "ok"])
    assert res.exit_code == 2 and "draf 9999 tidak ada" in res.output
    res = runner.invoke(
        app,
        [
            "drafts",
            "reject",
            draft_id,
            "--actor",
            "Kabid BKD",
            "--role",
            "bkd",
            "--reason",
            "Tunda sampai keberatan diputus",
        ],
    )
    assert res.exit_code == 0, res.output
    assert sorted(p.name for p in outbox.iterdir()) == ["manifest.json"]
    res = runner.invoke(app, ["drafts", "list", "--period", "2025-10", "--status", "rejected"])
    history = [line.strip() for line in res.output.splitlines() if line.startswith("    - ")]
    assert history[0].startswith("- disetujui oleh Rani (Humas)")
    assert history[1].startswith("- ditolak oleh Kabid BKD (bkd)")
    assert history[1].endswith("WIB: Tunda sampai keberatan diputus")
    manifest = json.loads((outbox / "manifest.json").read_text(encoding="utf-8"))
    entry = next(e for e in manifest["drafts"] if str(e["id"]) == draft_id)
    assert [h["decision"] for h in entry["history"]] == ["approved", "rejected"]

    res = runner.invoke(app, ["recap", "--period", "2025-10"])
    assert res.exit_code == 0, res.output
    assert (out / "2025-10" / "recap" / "rekap_2025-10.xlsx").exists()
    assert "| Dinas Perhubungan |" in res.output

    res = runner.invoke(app, ["recap", "--period", "2025-13"])
    assert res.exit_code == 2 and "periode '2025-13' tidak berbentuk YYYY-MM" in res.output
