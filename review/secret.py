"""The portal's signing key: from the environment, a Prefect Secret block, or a local file."""

from __future__ import annotations

import contextlib
import logging
import os
import secrets
from functools import lru_cache
from pathlib import Path

from kinerja.settings import Settings

log = logging.getLogger(__name__)

KEY_FILE = "portal_secret"
_warned: set[Path] = set()


def portal_key(settings: Settings) -> bytes:
    """The key that signs portal links and CSRF tokens (never logged).

    KINERJA_PORTAL_SECRET first, then the Prefect Secret block named by
    KINERJA_PORTAL_SECRET_BLOCK, else a random key generated once into var_dir.
    """
    if settings.portal_secret is not None and settings.portal_secret.get_secret_value():
        return settings.portal_secret.get_secret_value().encode()
    if settings.portal_secret_block:
        return _block_key(settings.portal_secret_block)
    return _file_key(Path(settings.var_dir) / KEY_FILE)


@lru_cache(maxsize=4)
def _block_key(name: str) -> bytes:
    # Cached: every link and form is signed or checked with it, a block load is an API call.
    from kinerja.secrets import load_secret

    value = load_secret(name)
    if not value:
        raise ValueError(f"Prefect Secret block {name!r} holds an empty portal key")
    return value.encode()


def _file_key(path: Path) -> bytes:
    """Read the local key, creating it atomically (mode 0600) the first time."""
    try:
        return _read(path)
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(8)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="ascii") as fh:
            fh.write(secrets.token_urlsafe(48))
            fh.flush()
            os.fsync(fh.fileno())
        # link() never replaces: if another process won the race, its key is the key.
        with contextlib.suppress(FileExistsError):
            os.link(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return _read(path)


def _read(path: Path) -> bytes:
    if path not in _warned:
        _warned.add(path)
        log.warning(
            "KINERJA_PORTAL_SECRET is not set: portal links are signed with the key generated in "
            "%s; production should set KINERJA_PORTAL_SECRET (or KINERJA_PORTAL_SECRET_BLOCK)",
            path,
        )
    key = path.read_text(encoding="ascii").strip()
    if not key:
        raise ValueError(f"portal key file {path} is empty; delete it to generate a new key")
    return key.encode()
