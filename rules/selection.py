"""Ranks within OPD and rumpun, and the candidates proposed to each head of OPD (or rumpun)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from kinerja.rules.deciders import ReviewPlan, review_plan
from kinerja.rules.policy import Policy
from kinerja.rules.scopes import HEADS_SCOPE, SCOPE_KINDS

CANDIDATE_COLUMNS = [
    "period",
    "nip",
    "scope_kind",
    "scope_code",
    "opd_code",
    "review_scope",
    "rank",
    "composite",
]
NOTE_COLUMNS = [
    "period",
    "review_scope",
    "members",
    "sufficient",
    "below_floor",
    "proposed",
    "floor",
    "note",
]


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


@dataclass
class Proposal:
    """The candidates of a month, and per review scope why it holds as many names as it does."""

    candidates: pd.DataFrame  # CANDIDATE_COLUMNS
    notes: pd.DataFrame  # NOTE_COLUMNS, one row per review scope with employees to assess


def num(value: float) -> str:
    """A score as people read it: 75 -> "75", 72.5 -> "72,5"."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return text.replace(".", ",")


def _register(scores: pd.DataFrame, employees: pd.DataFrame | None) -> pd.DataFrame:
    if employees is not None:
        return employees
    # No register at hand (a scores frame alone): the same head rule, without supervisor chains.
    return scores[["nip", "opd_code", "position_level", "job_title"]]


def _tie_cut(
    pool: pd.DataFrame, scope_key: pd.Series, rank: np.ndarray, policy: Policy
) -> tuple[np.ndarray, np.ndarray]:
    """(chosen, tied at the cut) masks: the lowest `count` per scope, ties never split by NIP.

    Rows equal on every tie-break key but the NIP form one tie; when a tie straddles the cut,
    `ties: all` proposes all of it and `ties: none` none of it.
    """
    sel = policy.selection
    keys = [k for k in sel.tie_break if k != "nip"]
    tie = pd.DataFrame({"scope": scope_key.to_numpy(), **{k: pool[k].to_numpy() for k in keys}})
    tie_id = tie.groupby(list(tie.columns), dropna=False, sort=False).ngroup().to_numpy()
    inside = rank <= sel.count
    ids_in = set(tie_id[inside].tolist())
    ids_out = set(tie_id[~inside].tolist())
    straddling = np.isin(tie_id, list(ids_in & ids_out))
    chosen = (inside | straddling) if sel.ties == "all" else (inside & ~straddling)
    return chosen, straddling


def propose(
    scores: pd.DataFrame,
    policy: Policy,
    unassessable: dict[str, str],
    employees: pd.DataFrame | None = None,
) -> Proposal:
    """The candidates per scope (OPD, rumpun, or the heads' review) and a note per review.

    Proposed: the lowest `selection.count` per scope by the tie-break order, among employees at
    or below the absolute floor (`selection.max_composite`, and `min_gap_below_median` points
    below their OPD's median when set; under a predikat profile also a predikat among
    `predikat.candidate_predikat`, lowest predikat first). Fewer, or none, is a valid
    proposal. Never proposed: insufficient data, excluded levels, OPDs whose data failed
    (`unassessable`, opd_code -> reason), rows without a composite, anyone nobody may decide
    on (rules.deciders). Each person is placed in the review of rules.deciders.review_plan: a
    head of OPD is ranked among the heads, in the review their superior decides, never in the
    review they decide.
    `employees` is the month's register (for supervisor chains and acting heads).
    """
    sel = policy.selection
    plan = review_plan(_register(scores, employees), policy)
    nip = scores["nip"].astype(str)
    review_scope = nip.map(plan.scope_of)
    composite = scores["composite"]
    floor = pd.Series(sel.max_composite, index=scores.index, dtype=float)
    medians = (
        composite.where(scores["sufficient"].astype(bool)).groupby(scores["opd_code"]).median()
    )
    if sel.min_gap_below_median is not None:
        below_median = scores["opd_code"].map(medians) - sel.min_gap_below_median
        floor = floor.clip(upper=below_median.fillna(-np.inf))
    excluded_level = (
        scores["position_level"].astype(str).isin([v.value for v in sel.exclude_levels])
    )
    failed_opd = scores["opd_code"].astype(str).isin(list(unassessable))
    assessable = (
        scores["sufficient"].astype(bool) & composite.notna() & ~excluded_level & ~failed_opd
    )
    judged = assessable & review_scope.notna()
    eligible = judged & (composite <= floor)
    if policy.predikat is not None:
        # The absolute floor of a predikat profile: only the lowest predikat may be proposed.
        eligible &= scores["band"].isin(policy.predikat.candidate_predikat).to_numpy()
    pool = scores.loc[eligible].reset_index(drop=True)
    pool_review = review_scope[eligible].reset_index(drop=True).astype(str)
    opd = pool["opd_code"].astype(str)
    special = pool_review.isin(list(SCOPE_KINDS))
    if sel.scope == "rumpun":
        rumpun = pool["rumpun_code"].astype("object").where(pool["rumpun_code"].notna(), "")
        rumpun = rumpun.astype(str)
        has_rumpun = rumpun.str.len() > 0
        scope_code = rumpun.where(has_rumpun, opd)
        scope_kind = pd.Series(np.where(has_rumpun, "rumpun", "opd"), dtype=object)
    else:
        scope_code = opd.copy()
        scope_kind = pd.Series(np.full(len(pool), "opd"), dtype=object)
    # The heads (and the Sekda) are ranked among themselves, in their own review.
    scope_code = scope_code.where(~special, pool_review)
    scope_kind = scope_kind.where(~special, pool_review.map(SCOPE_KINDS))
    # The scope key keeps "rumpun X" and "opd X" apart even if codes coincide.
    scope_key = scope_kind.astype(str) + ":" + scope_code.astype(str)
    rank = rank_within(pool, scope_key, sel.tie_break) if len(pool) else np.array([])
    chosen, tied = _tie_cut(pool, scope_key, rank, policy) if len(pool) else (rank > 0, rank > 0)
    out = pd.DataFrame(
        {
            "period": pool["period"].astype(str),
            "nip": pool["nip"].astype(str),
            "scope_kind": scope_kind,
            "scope_code": scope_code.astype(str),
            "opd_code": opd,
            "review_scope": pool_review,
            "rank": rank,
            "composite": pool["composite"].astype(float),
        }
    ).loc[chosen]
    if out.empty:
        out = pd.DataFrame({c: pd.Series(dtype="object") for c in CANDIDATE_COLUMNS})
    else:
        out["rank"] = out["rank"].astype(np.int64)
        out = out.sort_values(["scope_kind", "scope_code", "rank"]).reset_index(drop=True)
    tie_rows = pool.loc[tied, "nip"].astype(str)
    unplaced = set(scores.loc[assessable & review_scope.isna(), "nip"].astype(str))
    notes = _notes(
        scores, review_scope, judged, eligible, floor, medians, out, set(tie_rows), plan, policy,
        unplaced,
    )  # fmt: skip
    return Proposal(out[CANDIDATE_COLUMNS], notes)


def propose_candidates(
    scores: pd.DataFrame,
    policy: Policy,
    unassessable: dict[str, str],
    employees: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The candidates alone (see propose)."""
    return propose(scores, policy, unassessable, employees).candidates


def _floor_text(policy: Policy, opd_median: float | None) -> str:
    sel = policy.selection
    if policy.predikat is not None:
        labels = {c.code: c.label for c in policy.predikat.categories}
        names = " atau ".join(labels[c] for c in policy.predikat.candidate_predikat)
        text = f"berpredikat {names}"
        if sel.max_composite < 100:
            text += f" dengan indeks komposit paling tinggi {num(sel.max_composite)}"
    else:
        text = f"di bawah ambang {num(sel.max_composite)}"
    if sel.min_gap_below_median is not None and opd_median is not None:
        text += (
            f" dan sekurang-kurangnya {num(sel.min_gap_below_median)} poin di bawah median "
            f"unit kerja ({num(opd_median)})"
        )
    return text


def _notes(
    scores: pd.DataFrame,
    review_scope: pd.Series,
    judged: pd.Series,
    eligible: pd.Series,
    floor: pd.Series,
    medians: pd.Series,
    candidates: pd.DataFrame,
    tied: set[str],
    plan: ReviewPlan,
    policy: Policy,
    unplaced: set[str],
) -> pd.DataFrame:
    """One Indonesian sentence per review scope: how many were proposed and why not more."""
    sel = policy.selection
    period = str(scores["period"].iloc[0]) if len(scores) else ""
    proposed = candidates.groupby("review_scope")["nip"].apply(list).to_dict()
    rows = []
    scopes = sorted(set(review_scope.dropna()) | set(scores["opd_code"].astype(str)))
    for scope in scopes:
        members = review_scope == scope
        if not members.any() and scope not in set(scores["opd_code"].astype(str)):
            continue
        names = proposed.get(scope, [])
        n_judged = int((members & judged).sum())
        n_below = int((members & eligible).sum())
        median = None if scope in SCOPE_KINDS else medians.get(scope)
        median = None if median is None or pd.isna(median) else float(median)
        floor_text = _floor_text(policy, median)
        parts: list[str] = []
        if not names and n_below == 0:
            parts.append(
                f"tidak ada pegawai {floor_text} dari {n_judged} pegawai yang dinilai: "
                "tidak ada usulan"
            )
        elif len(names) < sel.count and len(names) == n_below:
            parts.append(f"hanya {n_below} pegawai {floor_text}: {len(names)} diusulkan")
        elif names:
            parts.append(f"{len(names)} pegawai terendah {floor_text} diusulkan")
        else:
            parts.append(f"{n_below} pegawai {floor_text}, tidak ada yang diusulkan")
        in_tie = [n for n in scores.loc[members, "nip"].astype(str) if n in tied]
        if in_tie:
            verb = "semuanya diusulkan" if sel.ties == "all" else "tidak satu pun diusulkan"
            parts.append(
                f"{len(in_tie)} pegawai bernilai sama pada batas usulan: {verb} (nilai sama "
                "tidak dipisahkan berdasarkan NIP)"
            )
        if sel.scope == "rumpun" and scope not in SCOPE_KINDS:
            parts.append("peringkat dihitung per rumpun; kepala OPD memutus nama dari OPD-nya")
        thin = int((members & ~scores["sufficient"].astype(bool)).sum())
        if thin:
            parts.append(f"{thin} pegawai tidak diusulkan karena datanya tidak cukup")
        moved = [n for n, o in plan.moved_up.items() if o == scope]
        if moved and scope not in SCOPE_KINDS:
            parts.append(
                f"{len(moved)} pejabat pemutus (atau atasannya) dinilai pada tinjauan "
                f"{HEADS_SCOPE} yang diputus atasannya, bukan di sini"
            )
        stuck = [
            n
            for n, o in zip(scores["nip"].astype(str), scores["opd_code"].astype(str), strict=True)
            if o == scope and n in unplaced
        ]
        if stuck:
            parts.append(
                f"{len(stuck)} pegawai tidak dapat diusulkan: {plan.unreviewable[stuck[0]]}"
            )
        text = "; ".join(parts)
        rows.append(
            {
                "period": period,
                "review_scope": scope,
                "members": int(members.sum()),
                "sufficient": n_judged,
                "below_floor": n_below,
                "proposed": len(names),
                "floor": float(floor[members].min()) if members.any() else sel.max_composite,
                "note": text[:1].upper() + text[1:] + ".",
            }
        )
    return pd.DataFrame(rows, columns=NOTE_COLUMNS)
