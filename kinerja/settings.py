"""The one settings class: every knob comes from the environment (prefix KINERJA_)."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict


class Settings(BaseSettings):
    """Runtime configuration; secrets are SecretStr so they never print in logs or reprs."""

    model_config = SettingsConfigDict(env_prefix="KINERJA_", env_file=".env", extra="ignore")

    database_url: str = Field(
        default="",
        description="SQLAlchemy URL, e.g. postgresql+psycopg://user@host/db; unset: SQLite at "
        "<var_dir>/kinerja.db, so KINERJA_VAR_DIR moves the database with the rest of the state.",
    )
    policy: str = Field(default="jabar", description="Policy profile name or path to a YAML file.")
    out_dir: Path = Field(default=Path("out"), description="Where drafts, letters and recaps go.")
    var_dir: Path = Field(default=Path("var"), description="Local state (SQLite file, caches).")
    sources_config: Path | None = Field(
        default=None, description="YAML file saying which source serves which data kind."
    )
    source_token: SecretStr | None = Field(
        default=None, description="Bearer token for HTTP sources (or use a Prefect Secret block)."
    )
    source_token_block: str | None = Field(
        default=None, description="Name of a Prefect Secret block holding the source token."
    )
    http_connect_timeout: float = 5.0
    http_read_timeout: float = 30.0
    http_max_retries: int = 4
    http_backoff_base: float = 0.5

    timezone: str = "Asia/Jakarta"
    worker_processes: int = Field(
        default=2,
        ge=1,
        description="Processes that gather and read back a big month (1: all in one process).",
    )

    smtp_host: str = "127.0.0.1"
    smtp_port: int = 25
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_sender: str = "kinerja@bkd.example.go.id"
    webhook_url: SecretStr | None = Field(
        default=None, description="Webhook endpoint; secret (gateways put tokens in the URL)."
    )
    webhook_token: SecretStr | None = None
    notification_channels: list[str] = Field(default_factory=lambda: ["file"])
    recipients_config: Path | None = None
    smtp_starttls: bool = False
    smtp_timeout: float = 10.0
    webhook_timeout: float = 10.0
    notify_max_attempts: int = Field(default=3, ge=1, description="Tries per send and channel.")
    notify_backoff_base: float = Field(default=1.0, ge=0, description="Seconds, doubled per try.")

    portal_secret: SecretStr | None = Field(
        default=None,
        description="Key that signs portal links and forms; set KINERJA_PORTAL_SECRET.",
    )
    portal_secret_block: str | None = Field(
        default=None, description="Name of a Prefect Secret block holding the portal key."
    )
    portal_base_url: str = "http://127.0.0.1:8100"
    link_ttl_hours: int = 24 * 14
    evidence_dir: Path | None = Field(
        default=None,
        description="Where defence evidence is kept (never served); default <var_dir>/evidence.",
    )
    evidence_max_files: int = Field(default=5, ge=1, description="Files per defence.")
    evidence_max_file_mb: float = Field(default=5.0, gt=0, description="Megabytes per file.")
    evidence_max_total_mb: float = Field(default=15.0, gt=0, description="Megabytes per defence.")

    # A national month: one unit of work per agency (instansi) on a Dask cluster.
    agencies_config: Path | None = Field(
        default=None, description="YAML file listing the agencies of a national month."
    )
    dask_address: str | None = Field(
        default=None,
        description="An existing Dask scheduler (tcp://host:8786); none: a LocalCluster.",
    )
    dask_workers: int = Field(default=2, ge=1, description="Workers of the LocalCluster.")
    recover_at_start: bool = Field(
        default=True,
        description=(
            "`kinerja serve` reruns the runs its predecessor left dead before it serves; off, "
            "only the sweeper does (for a Prefect server shared with other projects' runs)."
        ),
    )

    operators: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description=(
            "BKD operators who may act through the CLI and the Prefect UI (names or ids), "
            'comma-separated or a JSON list: KINERJA_OPERATORS="rina.bkd,agus.bkd".'
        ),
    )
    prefect_auth: SecretStr | None = Field(
        default=None,
        description=(
            "The Prefect server's auth string (user:password) that `kinerja serve` requires and "
            "every client sends; unset, a generated one is kept in <var_dir>/prefect-auth (0600)."
        ),
    )

    @field_validator("operators", mode="before")
    @classmethod
    def _operator_list(cls, value: Any) -> Any:
        if isinstance(value, str):
            text = value.strip()
            if text.startswith("["):
                return json.loads(text)
            return [part.strip() for part in text.split(",") if part.strip()]
        return value

    @model_validator(mode="after")
    def _database_follows_var_dir(self) -> Settings:
        if not self.database_url:
            self.database_url = f"sqlite:///{self.var_dir / 'kinerja.db'}"
        return self


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Settings are read lazily, once, so importing kinerja never touches the environment."""
    return Settings()
