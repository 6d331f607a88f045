"""The portal key: from the environment, a Prefect Secret block, or generated once into var_dir."""

from __future__ import annotations

import logging
import stat
from pathlib import Path

import pytest
from sqlalchemy import Engine

from kinerja.db.session import session_scope
from kinerja.domain import utcnow
from kinerja.review.links import issue_link, token_of, verify
from kinerja.review.secret import KEY_FILE, portal_key
from kinerja.settings import Settings, get_settings


def test_no_key_shipped_in_code(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("KINERJA_PORTAL_SECRET", raising=False)
    monkeypatch.delenv("KINERJA_PORTAL_SECRET_BLOCK", raising=False)
    settings = Settings(var_dir=tmp_path, _env_file=None)  # type: ignore[call-arg]
    assert settings.portal_secret is None and settings.portal_secret_block is None


def test_environment_key_is_used(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("KINERJA_PORTAL_SECRET", "from-the-environment-7c1e")
    monkeypatch.setenv("KINERJA_VAR_DIR", str(tmp_path))
    get_settings.cache_clear()
    try:
        assert portal_key(get_settings()) == b"from-the-environment-7c1e"
    finally:
        get_settings.cache_clear()
    assert not (tmp_path / KEY_FILE).exists()


def test_without_a_configured_key_one_is_generated_once_private_and_reused(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, engine: Engine
) -> None:
    var = tmp_path / "var"
    settings = Settings(var_dir=var, portal_base_url="http://testserver", _env_file=None)  # type: ignore[call-arg]
    with caplog.at_level(logging.WARNING, logger="kinerja.review.secret"):
        key = portal_key(settings)
    path = var / KEY_FILE
    assert len(key) >= 64 and path.read_bytes().strip() == key
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert "KINERJA_PORTAL_SECRET" in caplog.text
    assert key.decode() not in caplog.text
    assert list(var.iterdir()) == [path]  # no temporary file left behind

    # A restarted portal (new settings object) signs and checks with the same key: a link
    # issued before the restart still opens after it.
    with session_scope(engine) as session:
        url = issue_link(
            session,
            period="2025-10",
            scope_code="DINAS-A",
            purpose="overview",
            person_nip="bkd-operator",
            settings=settings,
        )
    again = Settings(var_dir=var, _env_file=None)  # type: ignore[call-arg]
    assert portal_key(again) == key
    with session_scope(engine) as session:
        assert verify(session, token_of(url), settings=again, now=utcnow()).purpose == "overview"
    other = Settings(var_dir=tmp_path / "elsewhere", _env_file=None)  # type: ignore[call-arg]
    assert portal_key(other) != key


@pytest.mark.prefect
def test_key_from_a_prefect_secret_block(prefect_api: None, tmp_path: Path) -> None:
    from prefect.blocks.system import Secret

    from kinerja.runs.secrets import plug_in

    plug_in()

    Secret(value="block-held-portal-key-51f0").save("kinerja-portal-key-test", overwrite=True)
    settings = Settings(
        var_dir=tmp_path, portal_secret_block="kinerja-portal-key-test", _env_file=None
    )  # type: ignore[call-arg]
    assert portal_key(settings) == b"block-held-portal-key-51f0"
    assert not (tmp_path / KEY_FILE).exists()


def test_a_secret_block_with_no_secret_store_is_refused_naming_the_block(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kinerja import secrets
    from kinerja.review.secret import _block_key

    monkeypatch.setattr(secrets, "_store", [])
    _block_key.cache_clear()
    settings = Settings(
        var_dir=tmp_path, portal_secret_block="kinerja-no-store-test", _env_file=None
    )  # type: ignore[call-arg]
    with pytest.raises(secrets.SecretStoreMissing, match="kinerja-no-store-test"):
        portal_key(settings)
