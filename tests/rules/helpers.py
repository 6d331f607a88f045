"""Shared helpers for the scoring tests: score a builder's month, indexed by NIP."""

from __future__ import annotations

import pandas as pd

from kinerja.rules.policy import Policy
from kinerja.rules.scoring import score_month
from tests.factories import MonthBuilder, policy_with


def score(mb: MonthBuilder, policy: Policy | None = None) -> pd.DataFrame:
    return score_month(mb.build(), policy or mb.policy).set_index("nip")


def with_changes(policy: Policy, section: str, **changes: object) -> Policy:
    """A copy of `policy` with some fields of one section changed (validated again)."""
    return policy_with(policy, section, **changes)
