"""Recipients by role from configuration: which channels reach a role, and office addresses.

The file named by KINERJA_RECIPIENTS_CONFIG (YAML) looks like::

    roles:
      head_of_opd: {channels: [email, webhook]}   # addresses come from the employee register
      employee: {channels: [email]}
      bkd:
        channels: [email, file]
        addresses: [{name: "BKD Provinsi", email: "bkd@example.go.id"}]
      communications:
        channels: [email]
        addresses: [{name: "Humas", email: "humas@example.go.id", phone: "62811..."}]

A role missing from the file uses KINERJA_NOTIFICATION_CHANNELS. People (employee, head_of_opd)
are addressed by NIP; their email and phone come from the employee table.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError
from sqlalchemy.orm import Session

from kinerja.db.models import Employee
from kinerja.notifications.base import Recipient
from kinerja.settings import Settings

Role = Literal["head_of_opd", "employee", "bkd", "communications", "coach"]
ROLES: tuple[str, ...] = ("head_of_opd", "employee", "bkd", "communications", "coach")


class Address(BaseModel):
    """A fixed office recipient (BKD desk, communications team)."""

    model_config = ConfigDict(extra="forbid")

    name: str = ""
    email: str | None = None
    phone: str | None = None

    @property
    def key(self) -> str:
        return self.email or self.phone or self.name


class RoleConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    channels: list[str] | None = None
    addresses: list[Address] = []


class RecipientsConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    roles: dict[Role, RoleConfig] = {}


def load_recipients_config(path: Path | None) -> RecipientsConfig:
    """Read and validate the recipients file; None means no file (defaults everywhere)."""
    if path is None:
        return RecipientsConfig()
    if not path.exists():
        raise ValueError(f"recipients config {path} not found")
    try:
        return RecipientsConfig.model_validate(yaml.safe_load(path.read_text("utf-8")) or {})
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()
        )
        raise ValueError(f"invalid recipients config {path.name}: {problems}") from exc


def channels_for(role: str, settings: Settings, config: RecipientsConfig) -> list[str]:
    """The channels configured for a role (the global list when the role is not configured)."""
    rc = config.roles.get(role)  # type: ignore[call-overload]
    if rc is not None and rc.channels is not None:
        return list(rc.channels)
    return list(settings.notification_channels)


def role_addresses(role: str, config: RecipientsConfig) -> list[Address]:
    rc = config.roles.get(role)  # type: ignore[call-overload]
    return list(rc.addresses) if rc is not None else []


def resolve(session: Session, role: str, recipient: str, config: RecipientsConfig) -> Recipient:
    """Turn a recipient id (NIP, office address or email) into contacts."""
    for addr in role_addresses(role, config):
        if recipient in {addr.key, addr.email, addr.phone, addr.name}:
            return Recipient(role, recipient, addr.name, addr.email, addr.phone)
    emp = session.get(Employee, recipient)
    if emp is not None:
        return Recipient(role, recipient, emp.name, emp.email, emp.phone)
    if "@" in recipient:
        return Recipient(role, recipient, "", recipient, None)
    return Recipient(role, recipient)
