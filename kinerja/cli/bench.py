"""`kinerja bench ...`: benchmarks that print figures (registered by kinerja.cli)."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Nothing registered yet."""
