"""`kinerja rating set|import|list` record organisation ratings; a bad value exits naming it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from kinerja.cli import app
from kinerja.db.opd_ratings import ratings_for
from kinerja.db.session import make_session_factory
from kinerja.settings import get_settings


@pytest.fixture
def cli_db(
    sqlite_engine: Engine, sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Engine]:
    monkeypatch.setenv("KINERJA_DATABASE_URL", sqlite_url)
    get_settings.cache_clear()
    yield sqlite_engine
    get_settings.cache_clear()


def _ratings(engine: Engine, period: str) -> dict[str, str]:
    with make_session_factory(engine)() as session:
        return ratings_for(session, period)


def test_set_import_and_list(cli_db: Engine, tmp_path: Path) -> None:
    runner = CliRunner()
    r = runner.invoke(
        app, ["rating", "set", "--period", "2025-10", "--opd", "DINKES", "--rating", "Baik"]
    )
    assert r.exit_code == 0, r.output
    csv = tmp_path / "r.csv"
    csv.write_text("period,opd_code,rating\n2025-10,DISHUB,kurang\n2025-10,DINKES,istimewa\n")
    r = runner.invoke(app, ["rating", "import", str(csv)])
    assert r.exit_code == 0 and "2 ratings recorded" in r.output
    assert _ratings(cli_db, "2025-10") == {"DINKES": "istimewa", "DISHUB": "kurang"}
    r = runner.invoke(app, ["rating", "list", "--period", "2025-10"])
    assert r.output.splitlines() == ["DINKES\tistimewa", "DISHUB\tkurang"]


def test_a_bad_rating_exits_naming_the_record(cli_db: Engine, tmp_path: Path) -> None:
    r = CliRunner().invoke(
        app, ["rating", "set", "--period", "2025-10", "--opd", "DINKES", "--rating", "hebat"]
    )
    assert r.exit_code == 2
    assert "OPD DINKES period 2025-10: unknown rating 'hebat'" in r.output
    bad = tmp_path / "bad.csv"
    bad.write_text("period,opd_code,rating\n2025-10,DISHUB,kurang\n2025-1,DINKES,baik\n")
    r = CliRunner().invoke(app, ["rating", "import", str(bad)])
    assert r.exit_code == 2 and "bad.csv line 3" in r.output
    assert _ratings(cli_db, "2025-10") == {}  # nothing from a bad file
