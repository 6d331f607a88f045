"""Ranks within OPD and rumpun, and the candidates proposed to each head of OPD (or rumpun)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from kinerja.rules.policy import Policy

CANDIDATE_COLUMNS = ["period", "nip", "scope_kind", "scope_code", "opd_code", "rank", "composite"]


def _sort_key(values: pd.Series) -> np.ndarray:
    """A numeric ascending key: numbers as they are (NaN last), anything else by sorted code."""
    if pd.api.types.is_numeric_dtype(values.dtype) and not pd.api.types.is_bool_dtype(values):
        arr = values.to_numpy(dtype=np.float64)
        return np.where(np.isnan(arr), np.inf, arr)
    # Fixed-width unicode sorts in C, far faster than comparing Python strings.
    text = np.asarray(values.astype(str).to_numpy(), dtype=str)
    _, inverse = np.unique(text, return_inverse=True)
    return inverse.reshape(-1).astype(np.float64)


def sort_keys(scores: pd.DataFrame, tie_break: list[str]) -> list[np.ndarray]:
    """The tie-break keys as numeric arrays, least significant first (np.lexsort order)."""
    missing = [k for k in tie_break if k not in scores.columns]
    if missing:
        raise ValueError(f"selection.tie_break names unknown score columns: {missing}")
    return [_sort_key(scores[k]) for k in reversed(tie_break)]


def scope_codes(scope: pd.Series) -> np.ndarray:
    """Integer group codes; missing or empty scope values get -1."""
    codes, uniques = pd.factorize(scope)
    empty = np.array([str(u) == "" for u in uniques], dtype=bool)
    if empty.any():
        codes = np.where((codes >= 0) & empty[np.maximum(codes, 0)], -1, codes)
    return codes.astype(np.int64)


def tie_order(scores: pd.DataFrame, tie_break: list[str]) -> np.ndarray:
    """Row positions sorted by the tie-break keys, lowest first (the same for every scope)."""
    return np.lexsort(sort_keys(scores, tie_break))


def rank_within(
    scores: pd.DataFrame,
    scope: pd.Series,
    tie_break: list[str],
    order: np.ndarray | None = None,
) -> np.ndarray:
    """1 = lowest within each scope value; rows with no composite or no scope get NaN.

    `order` (from tie_order) may be passed to rank several scopes with one sort of the keys.
    """
    order = order if order is not None else tie_order(scores, tie_break)
    group = scope_codes(scope)
    eligible = scores["composite"].notna().to_numpy() & (group >= 0)
    ranks = np.full(len(scores), np.nan)
    ordered = order[eligible[order]]
    if not len(ordered):
        return ranks
    # A stable sort by scope keeps the tie-break order inside each scope.
    idx = ordered[np.argsort(group[ordered], kind="stable")]
    sorted_group = group[idx]
    first = np.r_[True, sorted_group[1:] != sorted_group[:-1]]
    starts = np.maximum.accumulate(np.where(first, np.arange(len(idx)), 0))
    ranks[idx] = np.arange(len(idx)) - starts + 1
    return ranks


def propose_candidates(
    scores: pd.DataFrame, policy: Policy, unassessable: dict[str, str]
) -> pd.DataFrame:
    """The lowest `selection.count` per scope (OPD or rumpun), by the policy's tie-break order.

    Never proposed: insufficient data, excluded position levels, OPDs whose data failed this
    month (`unassessable`, opd_code -> reason), rows without a composite. Under rumpun scope an
    OPD without a rumpun is its own scope (scope_kind "opd"), so nobody escapes review.
    """
    sel = policy.selection
    eligible = (
        scores["sufficient"].astype(bool)
        & scores["composite"].notna()
        & ~scores["position_level"].astype(str).isin([lvl.value for lvl in sel.exclude_levels])
        & ~scores["opd_code"].astype(str).isin(list(unassessable))
    )
    pool = scores.loc[eligible].reset_index(drop=True)
    if pool.empty:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in CANDIDATE_COLUMNS})
    opd = pool["opd_code"].astype(str)
    if sel.scope == "rumpun":
        rumpun = pool["rumpun_code"].astype("object").where(pool["rumpun_code"].notna(), "")
        rumpun = rumpun.astype(str)
        has_rumpun = rumpun.str.len() > 0
        scope_code = rumpun.where(has_rumpun, opd)
        scope_kind = np.where(has_rumpun, "rumpun", "opd")
    else:
        scope_code = opd
        scope_kind = np.full(len(pool), "opd")
    # The scope key keeps "rumpun X" and "opd X" apart even if codes coincide.
    scope_key = pd.Series(scope_kind, dtype=object) + ":" + scope_code
    rank = rank_within(pool, scope_key, sel.tie_break)
    chosen = rank <= sel.count
    out = pd.DataFrame(
        {
            "period": pool["period"].astype(str),
            "nip": pool["nip"].astype(str),
            "scope_kind": scope_kind,
            "scope_code": scope_code,
            "opd_code": opd,
            "rank": rank,
            "composite": pool["composite"].astype(float),
        }
    ).loc[chosen]
    out["rank"] = out["rank"].astype(np.int64)
    return out.sort_values(["scope_kind", "scope_code", "rank"]).reset_index(drop=True)
