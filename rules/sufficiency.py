"""Whether an employee's data is thick enough to judge, and if not, why (in Indonesian)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from numpy.dtypes import StringDType

from kinerja.rules.policy import SufficiencyPolicy

_S = StringDType()
_add = np.strings.add


def _int(values: np.ndarray) -> np.ndarray:
    return values.astype(np.int64).astype(_S)


def _text(*parts: str | np.ndarray) -> np.ndarray:
    out: np.ndarray = np.asarray(parts[0], dtype=_S)
    for part in parts[1:]:
        out = _add(out, part)
    return out


def sufficiency(scores: pd.DataFrame, policy: SufficiencyPolicy) -> tuple[np.ndarray, np.ndarray]:
    """(sufficient flag, reason) per row of a frame carrying the count columns and composite.

    Reasons, each checked independently and joined with "; ": too few working days in post,
    too few working days with attendance data (a connectivity gap is a day without data), mostly
    excused (leave, sick, official travel, holiday), too few raters, no composite at all.
    """
    expected = scores["workdays_expected"].to_numpy()
    observed = scores["days_observed"].to_numpy()
    excused = scores["days_excused"].to_numpy()
    raters = scores["raters"].to_numpy()
    safe = np.where(expected > 0, expected, 1)
    checks = [
        (
            expected < policy.min_active_workdays,
            lambda m: _text(
                "hanya ",
                _int(expected[m]),
                f" hari kerja dalam jabatan bulan ini (minimal {policy.min_active_workdays})",
            ),
        ),
        (
            observed / safe < policy.min_observed_workday_ratio,
            lambda m: _text(
                "data kehadiran hanya ada untuk ",
                _int(observed[m]),
                " dari ",
                _int(expected[m]),
                " hari kerja",
            ),
        ),
        (
            excused / safe > policy.max_excused_ratio,
            lambda m: _text(
                _int(excused[m]),
                " dari ",
                _int(expected[m]),
                " hari kerja berstatus cuti, sakit, dinas luar atau libur",
            ),
        ),
        (
            raters < policy.min_raters,
            lambda m: _text(
                "penilai perilaku hanya ", _int(raters[m]), f" orang (minimal {policy.min_raters})"
            ),
        ),
        (
            scores["composite"].isna().to_numpy(),
            lambda m: np.full(int(m.sum()), "tidak ada data penilaian", dtype=_S),
        ),
    ]
    reason = np.zeros(len(scores), dtype=_S)
    for mask, text in checks:
        if mask.any():
            current = reason[mask]
            reason[mask] = np.where(current == "", text(mask), _text(current, "; ", text(mask)))
    return reason == "", reason.astype(object)
