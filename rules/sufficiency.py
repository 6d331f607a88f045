"""Whether an employee's data is thick enough to judge, and if not, why (in Indonesian)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from rules.policy import SufficiencyPolicy


def _int(values: pd.Series) -> pd.Series:
    return values.astype(np.int64).astype(str)


def sufficiency(scores: pd.DataFrame, policy: SufficiencyPolicy) -> tuple[np.ndarray, pd.Series]:
    """(sufficient flag, reason) per row of a frame carrying the count columns and composite.

    Reasons, each checked independently: too few working days in post, too few working days
    with attendance data, mostly excused (leave, sick, official travel...), too few raters,
    no composite at all.
    """
    expected = scores["workdays_expected"]
    observed = scores["days_observed"]
    excused = scores["days_excused"]
    raters = scores["raters"]
    safe = expected.where(expected > 0, 1)
    checks = [
        (
            expected < policy.min_active_workdays,
            "hanya " + _int(expected) + " hari kerja dalam jabatan bulan ini (minimal "
            f"{policy.min_active_workdays})",
        ),
        (
            observed / safe < policy.min_observed_workday_ratio,
            "data kehadiran hanya ada untuk "
            + _int(observed)
            + " dari "
            + _int(expected)
            + " hari kerja",
        ),
        (
            excused / safe > policy.max_excused_ratio,
            _int(excused)
            + " dari "
            + _int(expected)
            + " hari kerja berstatus cuti, sakit, dinas luar atau gangguan jaringan",
        ),
        (
            raters < policy.min_raters,
            "penilai perilaku hanya " + _int(raters) + f" orang (minimal {policy.min_raters})",
        ),
        (scores["composite"].isna(), pd.Series("tidak ada data penilaian", index=scores.index)),
    ]
    reason = pd.Series("", index=scores.index, dtype=object)
    bad = np.zeros(len(scores), dtype=bool)
    for mask, text in checks:
        m = mask.to_numpy(dtype=bool)
        if not m.any():
            continue
        reason = reason.where(~m, reason.where(~bad, reason + "; ") + text)
        bad |= m
    return ~bad, reason.astype(str)
