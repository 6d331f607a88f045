"""The one settings class: the SQLite database follows KINERJA_VAR_DIR unless a URL is given."""

from __future__ import annotations

from pathlib import Path

import pytest

from kinerja.settings import Settings


def test_database_defaults_to_a_sqlite_file_in_the_var_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("KINERJA_DATABASE_URL", raising=False)
    monkeypatch.setenv("KINERJA_VAR_DIR", str(tmp_path / "state"))
    assert Settings(_env_file=None).database_url == f"sqlite:///{tmp_path / 'state' / 'kinerja.db'}"  # type: ignore[call-arg]
    monkeypatch.delenv("KINERJA_VAR_DIR")
    assert Settings(_env_file=None).database_url == "sqlite:///var/kinerja.db"  # type: ignore[call-arg]


def test_an_explicit_database_url_wins_over_the_var_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KINERJA_VAR_DIR", str(tmp_path))
    monkeypatch.setenv("KINERJA_DATABASE_URL", "postgresql+psycopg://u@h/db")
    assert Settings(_env_file=None).database_url == "postgresql+psycopg://u@h/db"  # type: ignore[call-arg]
