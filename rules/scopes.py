"""Review scope codes: an OPD's code, or the heads' and the Sekda's reviews (no frames here)."""

from __future__ import annotations

HEADS_SCOPE = "PIMPINAN"
SEKDA_SCOPE = "SEKDA"
SCOPE_KINDS = {HEADS_SCOPE: "heads", SEKDA_SCOPE: "sekda"}


def review_kind(scope: str) -> str:
    """The kind of review a scope code names: opd, heads or sekda."""
    return SCOPE_KINDS.get(scope, "opd")
