"""Which source serves which data kind, per government: a pydantic model read from YAML."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, model_validator

from kinerja.domain import DataKind
from kinerja.settings import get_settings

KINDS = [k.value for k in DataKind]
RAW_KINDS = [k for k in KINDS if k != DataKind.EMPLOYEES]
DEFAULT_SIMULATOR_URL = "http://127.0.0.1:8700"  # where `kinerja simulate --serve` listens


class SourcesConfigError(ValueError):
    """A sources file is invalid; the message names the file and the field."""


class Dialect(BaseModel):
    """How a source's files are written; each unset field is detected per file.

    Detected: the encoding (UTF-8 with or without BOM, else Windows-1252 or refused), the
    delimiter (`,`, `;` or tab), the decimal separator of number columns and the order of
    day and month in dates. Fix them here when a file is too small to tell.
    """

    model_config = ConfigDict(extra="forbid")

    encoding: str | None = Field(default=None, description="e.g. utf-8, cp1252")
    delimiter: Literal[",", ";", "\t", "|"] | None = None
    decimal: Literal[",", "."] | None = None
    date_format: Literal["dd/mm/yyyy", "mm/dd/yyyy", "yyyy-mm-dd"] | None = None


class SourceConfig(BaseModel):
    """One source system: an HTTP API (JSON contract in the README) or a folder of CSV/XLSX."""

    model_config = ConfigDict(extra="forbid")

    type: Literal["http", "csv", "xlsx"]
    # http
    base_url: str | None = None
    token_env: str | None = Field(
        default=None, description="Environment variable holding the bearer token."
    )
    token_block: str | None = Field(
        default=None, description="Prefect Secret block holding the bearer token."
    )
    token: SecretStr | None = Field(
        default=None, description="Set programmatically (tests, demo); never put it in YAML."
    )
    pagination: Literal["cursor", "page"] = "cursor"
    page_size: int = Field(default=5000, ge=1, le=50_000)
    layout: Literal["rows", "columns"] = Field(
        default="rows",
        description="Ask for pages as rows (the default) or as columns (layout=columns).",
    )
    per_opd: bool = Field(default=True, description="Ask once per OPD (opd=CODE) or once in all.")
    connect_timeout: float | None = Field(default=None, gt=0)
    read_timeout: float | None = Field(default=None, gt=0)
    max_retries: int | None = Field(default=None, ge=0)
    backoff_base: float | None = Field(default=None, ge=0)
    backoff_max: float = Field(default=30.0, ge=0)
    retry_after_max: float = Field(
        default=120.0, ge=0, description="Longest Retry-After we are willing to wait."
    )
    # csv / xlsx: a folder with one file per kind (<kind>.csv or <kind>.xlsx); {period} expands,
    # and {opd} makes it one folder per OPD (each OPD's delivery is its own file).
    path: str | None = None
    dialect: Dialect = Field(default_factory=Dialect)

    @model_validator(mode="after")
    def _needs(self) -> SourceConfig:
        if self.type == "http" and not self.base_url:
            raise ValueError("an http source needs base_url")
        if self.type in ("csv", "xlsx") and not self.path:
            raise ValueError(f"a {self.type} source needs path")
        return self

    def resolved_timeouts(self) -> tuple[float, float, int, float]:
        """(connect, read, retries, backoff base): the source's own values, else the settings."""
        s = get_settings()
        return (
            self.connect_timeout if self.connect_timeout is not None else s.http_connect_timeout,
            self.read_timeout if self.read_timeout is not None else s.http_read_timeout,
            self.max_retries if self.max_retries is not None else s.http_max_retries,
            self.backoff_base if self.backoff_base is not None else s.http_backoff_base,
        )

    @property
    def files_per_opd(self) -> bool:
        return self.type != "http" and "{opd}" in (self.path or "")

    def folder(self, period: str, opd: str | None = None) -> Path:
        assert self.path is not None
        path = self.path.replace("{period}", period)
        if opd is not None:
            path = path.replace("{opd}", opd)
        return Path(path)


class SourcesConfig(BaseModel):
    """A government's sources: named systems, and which one serves each data kind."""

    model_config = ConfigDict(extra="forbid")

    government: str = "default"
    policy: str | None = Field(default=None, description="Policy profile; default: settings.")
    sources: dict[str, SourceConfig]
    kinds: dict[DataKind, str] = Field(description="Data kind -> source name.")
    opd_overrides: dict[str, dict[DataKind, str]] = Field(
        default_factory=dict, description="OPD code -> {kind: source name} where an OPD differs."
    )
    required_kinds: list[DataKind] = Field(
        default=[DataKind.ATTENDANCE, DataKind.ACTIVITIES, DataKind.BEHAVIOUR],
        description="An OPD missing any of these is not assessable this month.",
    )
    max_rejected_share: float = Field(
        default=0.5, ge=0, le=1, description="Above this share of rejected rows: not assessable."
    )

    @model_validator(mode="after")
    def _refs(self) -> SourcesConfig:
        if DataKind.EMPLOYEES not in self.kinds:
            raise ValueError("kinds.employees is required (the employee register)")
        for kind, name in self.kinds.items():
            if name not in self.sources:
                raise ValueError(f"kinds.{kind.value}: unknown source {name!r}")
        for opd, mapping in self.opd_overrides.items():
            for kind, name in mapping.items():
                if name not in self.sources:
                    raise ValueError(f"opd_overrides.{opd}.{kind.value}: unknown source {name!r}")
        return self

    def source_name(self, kind: str, opd: str | None = None) -> str | None:
        if opd is not None and opd in self.opd_overrides:
            name = self.opd_overrides[opd].get(DataKind(kind))
            if name:
                return name
        return self.kinds.get(DataKind(kind))


def http_config(base_url: str, token: str | None = None, **options: object) -> SourcesConfig:
    """Every kind from one HTTP source named "simulator" (the demo, tests, benchmarks)."""
    source = SourceConfig.model_validate(
        {"type": "http", "base_url": base_url, "token": token, **options}
    )
    return SourcesConfig(
        government="demo",
        sources={"simulator": source},
        kinds={DataKind(k): "simulator" for k in KINDS},
    )


def files_config(folder: str | Path, fmt: Literal["csv", "xlsx"] = "csv") -> SourcesConfig:
    """Every kind from one folder of CSV or XLSX files named "<fmt>_files"."""
    name = f"{fmt}_files"
    return SourcesConfig(
        government="files",
        sources={name: SourceConfig(type=fmt, path=str(folder))},
        kinds={DataKind(k): name for k in KINDS},
    )


def load_sources_config(path: str | Path | None = None) -> SourcesConfig:
    """Read a sources YAML file; None means settings.sources_config, which must then be set.

    There is no silent default: a government with no sources configured would otherwise be
    "gathered" from a simulator that is not there, and every OPD marked not assessable.
    """
    if path is None:
        path = get_settings().sources_config
    if path is None:
        raise SourcesConfigError(
            "no sources configured: set KINERJA_SOURCES_CONFIG (or pass --sources) to a sources "
            "YAML file (README, 'Sources configuration'); for the local simulator started by "
            f"`kinerja simulate --serve`, a file with its URL {DEFAULT_SIMULATOR_URL} will do"
        )
    p = Path(path)
    if not p.exists():
        raise SourcesConfigError(f"sources file {p} not found")
    data = yaml.safe_load(p.read_text(encoding="utf-8")) or {}
    try:
        return SourcesConfig.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(x) for x in err['loc'])}: {err['msg']}" for err in exc.errors()
        )
        raise SourcesConfigError(f"invalid sources file {p.name}: {problems}") from exc


def resolve_token(source: SourceConfig) -> SecretStr | None:
    """The bearer token: explicit, else its env var, else settings, else a secret block."""
    if source.token is not None:
        return source.token
    if source.token_env and os.environ.get(source.token_env):
        return SecretStr(os.environ[source.token_env])
    settings = get_settings()
    if settings.source_token is not None:
        return settings.source_token
    block = source.token_block or settings.source_token_block
    if block:
        from kinerja.secrets import load_secret

        return SecretStr(load_secret(block))
    return None
