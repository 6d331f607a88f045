"""Sources configuration: YAML per government, clear errors, tokens never shown."""

from __future__ import annotations

from pathlib import Path

import pytest

from kinerja.settings import get_settings
from kinerja.sources.config import (
    SourceConfig,
    SourcesConfigError,
    load_sources_config,
    resolve_token,
)

YAML = """
government: jabar
sources:
  kmob: {type: http, base_url: "http://127.0.0.1:1/api", token_env: KMOB_TOKEN, page_size: 100}
  files: {type: xlsx, path: "/data/{period}"}
kinds: {employees: files, attendance: kmob, activities: kmob, behaviour: kmob}
opd_overrides:
  RSUD: {attendance: files}
max_rejected_share: 0.3
"""


def test_which_source_serves_which_kind(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(YAML)
    cfg = load_sources_config(path)
    assert cfg.source_name("attendance") == "kmob"
    assert cfg.source_name("attendance", "RSUD") == "files"
    assert cfg.source_name("attendance", "DINKES") == "kmob"
    assert cfg.source_name("indicators") is None
    assert cfg.sources["files"].folder("2025-10") == Path("/data/2025-10")
    assert cfg.max_rejected_share == 0.3


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            YAML.replace("attendance: kmob,", "attendance: kmobb,"),
            "kinds.attendance: unknown source 'kmobb'",
        ),
        (YAML.replace("type: http,", "type: ftp,"), "sources.kmob.type"),
        (YAML.replace("employees: files, ", ""), "kinds.employees is required"),
        (YAML.replace('base_url: "http://127.0.0.1:1/api", ', ""), "needs base_url"),
        (YAML + "\nbogus: 1\n", "bogus"),
    ],
)
def test_invalid_files_name_the_field(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    with pytest.raises(SourcesConfigError) as err:
        load_sources_config(path)
    assert "invalid sources file bad.yaml" in str(err.value)
    assert message in str(err.value)


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(SourcesConfigError, match="not found"):
        load_sources_config(tmp_path / "nope.yaml")


def test_token_from_the_named_environment_variable_never_printed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("KMOB_TOKEN", "s3cret-kmob")
    src = SourceConfig(type="http", base_url="http://x", token_env="KMOB_TOKEN")
    token = resolve_token(src)
    assert token is not None and token.get_secret_value() == "s3cret-kmob"
    assert "s3cret" not in repr(token) and "s3cret" not in str(token)


def test_token_falls_back_to_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KINERJA_SOURCE_TOKEN", "from-settings")
    get_settings.cache_clear()
    try:
        token = resolve_token(SourceConfig(type="http", base_url="http://x"))
        assert token is not None and token.get_secret_value() == "from-settings"
    finally:
        get_settings.cache_clear()


def test_token_from_a_prefect_secret_block(prefect_api: None) -> None:
    from prefect.blocks.system import Secret

    from kinerja.runs.secrets import plug_in

    plug_in()

    Secret(value="from-block").save("kinerja-source-token-test", overwrite=True)
    src = SourceConfig(type="http", base_url="http://x", token_block="kinerja-source-token-test")
    token = resolve_token(src)
    assert token is not None and token.get_secret_value() == "from-block"


def test_a_config_written_as_yaml_reads_back_the_same(tmp_path: Path) -> None:
    """The demo writes http_config(...) to a YAML file for the served flows; it must load."""
    import yaml

    from kinerja.sources.config import http_config

    cfg = http_config("http://127.0.0.1:8700", page_size=250, read_timeout=3)
    path = tmp_path / "sources.yaml"
    path.write_text(yaml.safe_dump(cfg.model_dump(mode="json", exclude_none=True)))
    back = load_sources_config(path)
    assert back == cfg


def test_no_sources_configured_refuses_instead_of_guessing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from kinerja.settings import get_settings

    monkeypatch.delenv("KINERJA_SOURCES_CONFIG", raising=False)
    get_settings.cache_clear()
    try:
        with pytest.raises(SourcesConfigError, match="KINERJA_SOURCES_CONFIG"):
            load_sources_config(None)
    finally:
        get_settings.cache_clear()
