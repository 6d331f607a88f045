"""score_month: each employee's indicators, composite, band or predikat, sufficiency, ranks."""

from __future__ import annotations

import numpy as np
import pandas as pd

from kinerja.domain import PositionLevel
from kinerja.rules.activities import activity_components, subordinate_activity
from kinerja.rules.attendance import attendance_components
from kinerja.rules.behaviour import behaviour_components
from kinerja.rules.explain import COMPONENTS, NO_DATA, explain
from kinerja.rules.frames import MonthData
from kinerja.rules.indicators import indicator_components
from kinerja.rules.policy import LEAF_INPUTS, Band, Policy
from kinerja.rules.predikat import predikat_of, predikat_order, rate
from kinerja.rules.roster import build_roster
from kinerja.rules.selection import rank_within, tie_order
from kinerja.rules.sufficiency import sufficiency
from kinerja.rules.trees import evaluate_tree
from kinerja.rules.vectors import factorize

LEAVES = sorted(LEAF_INPUTS)
# Leaves that are indicators of their own in "weighted" mode, so kinerja leaves them out.
NOT_KINERJA = frozenset({"behaviour", "attendance"})
COUNT_COLUMNS = [
    "workdays_expected",
    "days_observed",
    "days_excused",
    "days_absent",
    "late_count",
    "early_count",
    "missing_checkin",
    "missing_checkout",
    "raters",
    "subordinates",
    "activities_unapproved",
    "activities_invalid_entry",
    "activities_incomplete",
]
SCORE_COLUMNS = [
    "period",
    "nip",
    "name",
    "opd_code",
    "rumpun_code",
    "position_level",
    "job_title",
    "kinerja",
    "kehadiran",
    "perilaku",
    "composite",
    "band",
    "sufficient",
    "insufficient_reason",
    "rank_opd",
    "rank_rumpun",
    "explanation",
    *[f"c_{leaf}" for leaf in LEAVES],
    *[f"w_{leaf}" for leaf in LEAVES],
    "main_pct",
    "missing_leaves",
    *COUNT_COLUMNS,
]


# Under a predikat profile (nasional) only: the two ratings and the predikat's sort key.
PREDIKAT_COLUMNS = ["rating_hasil_kerja", "rating_perilaku_kerja", "predikat_order"]


def band_of(values: np.ndarray, bands: list[Band]) -> np.ndarray:
    """The band code of each value; each edge belongs to the band that includes it."""
    out = np.full(len(values), None, dtype=object)
    for band in bands:
        above = (values > band.min_score) | (band.include_min & (values == band.min_score))
        below = (values < band.max_score) | (band.include_max & (values == band.max_score))
        out[above & below] = band.code
    return out


def own_activity_weights(policy: Policy) -> tuple[float, float]:
    """Main/additional split of one's own activity, taken from the staff tree (80/20 by default)."""
    leaves = policy.positions[PositionLevel.STAFF].leaves()
    main, extra = leaves.get("main_activity", 0.0), leaves.get("additional_activity", 0.0)
    if main + extra <= 0:
        return 0.8, 0.2
    return main / (main + extra), extra / (main + extra)


def _weighted_mean(pairs: list[tuple[float, np.ndarray]]) -> tuple[np.ndarray, list[np.ndarray]]:
    """Weighted mean renormalised over the present (non-NaN) terms, and each term's share."""
    denom = sum(w * ~np.isnan(v) for w, v in pairs)
    total = sum(w * np.nan_to_num(v) for w, v in pairs)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(denom > 0, total / denom, np.nan)
        shares = [np.where(denom > 0, w * ~np.isnan(v) / denom, 0.0) for w, v in pairs]
    return mean, shares


def score_month(data: MonthData, policy: Policy) -> pd.DataFrame:
    """One row per employee in post during the period (see SCORE_COLUMNS)."""
    roster = build_roster(data.period, data.employees, policy.calendar)
    n = roster.size
    att = attendance_components(data.attendance, roster, policy.attendance, policy.calendar)
    target_days = np.maximum(roster.workdays_expected - att["days_excused"].to_numpy(), 0)
    act = activity_components(data.activities, roster, policy.activities, target_days)
    w_main, w_add = own_activity_weights(policy)
    done, _ = _weighted_mean(
        [(w_main, act["main_done"].to_numpy()), (w_add, act["additional_done"].to_numpy())]
    )
    sub_mean, sub_count = subordinate_activity(roster, done)
    beh = behaviour_components(data.behaviour, roster, policy.behaviour)
    ind = indicator_components(data.indicators, roster)

    leaves: dict[str, np.ndarray] = {
        "attendance": att["attendance"].to_numpy(),
        "behaviour": beh["behaviour"].to_numpy(),
        "main_activity": act["main_activity"].to_numpy(),
        "additional_activity": act["additional_activity"].to_numpy(),
        "subordinate_activity": sub_mean,
        **{k: ind[k].to_numpy() for k in ("capaian_fisik", "iki", "iku", "ikp", "iku_iki_ikp")},
    }
    kinerja = np.full(n, np.nan)
    tree_full = np.full(n, np.nan)
    # eff_k: each leaf's weight within kinerja; eff_full: within the whole position tree.
    eff_k = {leaf: np.zeros(n) for leaf in LEAVES}
    eff_full = {leaf: np.zeros(n) for leaf in LEAVES}
    gap_bits = np.zeros(n, dtype=np.int64)  # bit i set: LEAVES[i] in the tree but without data
    level_codes, level_names = factorize(roster.employees["position_level"].astype(str))
    for li, level_name in enumerate(level_names):
        try:
            level = PositionLevel(level_name)
        except ValueError:
            bad = roster.employees.loc[level_codes == li, "nip"].astype(str).iloc[0]
            raise ValueError(
                f"employee {bad}: unknown position_level {level_name!r}; "
                f"known: {[lvl.value for lvl in PositionLevel]}"
            ) from None
        rows = level_codes == li
        tree = policy.positions[level].children
        sub = {k: v[rows] for k, v in leaves.items()}
        value, eff = evaluate_tree(tree, sub, NOT_KINERJA)
        if eff:
            kinerja[rows] = value
            for leaf, w in eff.items():
                eff_k[leaf][rows] = w
        value, eff = evaluate_tree(tree, sub)
        tree_full[rows] = value
        for leaf, w in eff.items():
            eff_full[leaf][rows] = w
        for bit, leaf in enumerate(LEAVES):
            if leaf in policy.positions[level].leaves():
                gap_bits[rows] |= np.isnan(sub[leaf]).astype(np.int64) << bit

    kehadiran = leaves["attendance"]
    perilaku = leaves["behaviour"]
    # weight[leaf]: the leaf's effective weight in the composite after renormalisation, so that
    # composite = sum(weight * c) ("weighted"), or that sum minus (100 - kehadiran) ("deduction").
    if policy.composite.mode == "weighted":
        wts = policy.composite.weights
        composite, (s_k, s_h, s_p) = _weighted_mean(
            [(wts["kinerja"], kinerja), (wts["kehadiran"], kehadiran), (wts["perilaku"], perilaku)]
        )
        weight = {leaf: s_k * eff_k[leaf] for leaf in LEAVES}
        weight["attendance"] = s_h
        weight["behaviour"] = s_p
        deduction = np.zeros(n)
    else:
        deduction = 100.0 - kehadiran
        composite = np.maximum(tree_full - deduction, 0.0)
        weight = dict(eff_full)
    losses = np.column_stack(
        [weight[leaf] * (100.0 - np.nan_to_num(leaves[leaf], nan=100.0)) for leaf in COMPONENTS]
    )
    losses[:, COMPONENTS.index("attendance")] += deduction

    emp = roster.employees
    out = pd.DataFrame(
        {
            "period": data.period,
            "nip": roster.index.to_numpy(),
            "name": emp["name"].astype(str).to_numpy(),
            "opd_code": emp["opd_code"].astype(str).to_numpy(),
            "rumpun_code": _optional_text(emp["rumpun_code"]),
            "position_level": emp["position_level"].astype(str).to_numpy(),
            "job_title": _optional_text(emp["job_title"]),
            "kinerja": _score(kinerja),
            "kehadiran": _score(kehadiran),
            "perilaku": _score(perilaku),
            "composite": _score(composite),
        }
    )
    if policy.predikat is None:
        out["band"] = band_of(out["composite"].to_numpy(), policy.bands)
    else:
        for column, rule in (
            ("rating_hasil_kerja", policy.predikat.hasil_kerja),
            ("rating_perilaku_kerja", policy.predikat.perilaku_kerja),
        ):
            out[column] = rate(out[rule.indicator].to_numpy(), rule)
        band = predikat_of(
            out["rating_hasil_kerja"].to_numpy(), out["rating_perilaku_kerja"].to_numpy()
        )
        out["band"] = band
        out["predikat_order"] = predikat_order(band)
    for leaf in LEAVES:
        out[f"c_{leaf}"] = _score(leaves[leaf])
    for leaf in LEAVES:
        out[f"w_{leaf}"] = np.round(weight[leaf], 6)
    out["main_pct"] = np.round(act["main_pct"].to_numpy(), 2)
    out["missing_leaves"] = _leaf_names(gap_bits)
    out["workdays_expected"] = roster.workdays_expected
    for c in COUNT_COLUMNS[1:]:
        if c in att:
            out[c] = att[c].to_numpy()
        elif c in act:
            out[c] = act[c].to_numpy()
    out["raters"] = beh["raters"].to_numpy()
    out["subordinates"] = sub_count

    ok, reason = sufficiency(out, policy.sufficiency)
    out["sufficient"] = ok
    out["insufficient_reason"] = reason
    order = tie_order(out, policy.selection.tie_break)
    for column, scope in (("rank_opd", "opd_code"), ("rank_rumpun", "rumpun_code")):
        ranks = rank_within(out, out[scope], policy.selection.tie_break, order)
        out[column] = pd.array(ranks, dtype="Int64")
    expl = explain(out, losses)
    out["explanation"] = np.where(out["composite"].notna().to_numpy(), expl, NO_DATA)
    return out[SCORE_COLUMNS + (PREDIKAT_COLUMNS if policy.predikat is not None else [])]


def _leaf_names(bits: np.ndarray) -> np.ndarray:
    """Comma-separated leaf names for each bit pattern, built once per distinct pattern."""
    patterns, inverse = np.unique(bits, return_inverse=True)
    names = np.array(
        [",".join(leaf for i, leaf in enumerate(LEAVES) if p >> i & 1) for p in patterns.tolist()],
        dtype=object,
    )
    return names[inverse.reshape(-1)]


def _score(values: np.ndarray) -> np.ndarray:
    return np.round(np.clip(values, 0.0, 100.0), 2)


def _optional_text(values: pd.Series) -> np.ndarray:
    return values.astype(object).where(values.notna(), "").astype(str).to_numpy()
