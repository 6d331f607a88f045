"""Prefect Secret blocks as kinerja's secret store (kinerja.secrets)."""

from __future__ import annotations


def prefect_secret(name: str) -> str:
    """The value of the Prefect Secret block `name` (an API call)."""
    from prefect.blocks.system import Secret

    block = Secret.load(name)
    return str(block.get())  # type: ignore[union-attr]


def plug_in() -> None:
    """Secret blocks named in the settings are read from Prefect from now on."""
    from kinerja.secrets import use_secret_store

    use_secret_store(prefect_secret)
