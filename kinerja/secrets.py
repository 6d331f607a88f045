"""Named secrets from the store the process plugged in (Prefect Secret blocks: kinerja.runs)."""

from __future__ import annotations

from collections.abc import Callable

SecretStore = Callable[[str], str]  # a secret's name -> its value

_store: list[SecretStore] = []


class SecretStoreMissing(RuntimeError):
    """A secret block is configured, but this process has no secret store to read it from."""


def use_secret_store(store: SecretStore) -> None:
    """Read named secrets from `store` from now on (the CLI and the tasks plug Prefect's in)."""
    _store[:] = [store]


def load_secret(name: str) -> str:
    """The value of the secret `name`; refused with the reason when no store is plugged in."""
    if not _store:
        raise SecretStoreMissing(
            f"secret block {name!r}: no secret store in this process (run through the kinerja "
            "command or a flow, or set the secret itself in the environment)"
        )
    return _store[0](name)
