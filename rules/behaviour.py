"""Behaviour index per employee from 360-degree answers, aggregated so no rater is exposed."""

from __future__ import annotations

import numpy as np
import pandas as pd

from kinerja.rules.policy import BehaviourPolicy
from kinerja.rules.roster import Roster
from kinerja.rules.vectors import codes_for, factorize, group_sum, isin, position_in


def behaviour_components(
    behaviour: pd.DataFrame, roster: Roster, policy: BehaviourPolicy
) -> pd.DataFrame:
    """Per employee: behaviour index (0-100, NaN with no answers) and the number of raters.

    Self-ratings (rater_nip == nip or role self) and answers on items or roles outside the policy
    are ignored. Each role's answers are averaged, then the role means are combined with
    role_weights renormalised over the roles present, and mapped from the policy scale to 0-100.
    """
    n = roster.size
    roles = list(policy.role_weights)
    codes = roster.codes(behaviour["nip"])
    rater_codes, rater_uniques = factorize(behaviour["rater_nip"])
    # The rated person's code in the rater dictionary tells self-ratings apart cheaply.
    self_rated = _same_person(behaviour, rater_codes, rater_uniques)
    role_codes = position_in(behaviour["rater_role"], [r.value for r in roles])
    keep = (
        (codes >= 0)
        & (rater_codes >= 0)
        & (role_codes >= 0)
        & ~self_rated
        & isin(behaviour["item"], policy.items)
    )
    score = pd.to_numeric(behaviour["score"], errors="coerce").to_numpy(dtype=np.float64)
    keep &= ~np.isnan(score)
    c, rc, sc = codes[keep], role_codes[keep], score[keep]

    k = len(roles)
    cell = c * k + rc
    sums = group_sum(cell, n * k, sc).reshape(n, k)
    counts = group_sum(cell, n * k).reshape(n, k)
    weights = np.array([policy.role_weights[r] for r in roles], dtype=np.float64)
    present = counts > 0
    with np.errstate(invalid="ignore", divide="ignore"):
        role_mean = np.where(present, sums / np.where(present, counts, 1), 0.0)
        w = present * weights
        mean = (role_mean * w).sum(axis=1) / w.sum(axis=1)
    index = (mean - policy.scale_min) / (policy.scale_max - policy.scale_min) * 100.0
    index = np.clip(index, 0.0, 100.0)

    width = max(len(rater_uniques), 1)
    pairs = c.astype(np.int64) * width + rater_codes[keep]
    # Answers usually come grouped by rater: dropping repeats of the previous pair first makes
    # the hash-based unique much cheaper, and is correct in any order.
    if len(pairs):
        pairs = pairs[np.r_[True, pairs[1:] != pairs[:-1]]]
    raters = group_sum(pd.unique(pairs) // width, n)
    return pd.DataFrame({"behaviour": index, "raters": raters.round().astype(np.int64)})


def _same_person(
    behaviour: pd.DataFrame, rater_codes: np.ndarray, rater_uniques: pd.Index
) -> np.ndarray:
    """rater_nip == nip, compared as codes in the rater dictionary."""
    rated_in_raters = codes_for(behaviour["nip"], rater_uniques)
    return (rated_in_raters >= 0) & (rated_in_raters == rater_codes)
