"""Achievement figures reported by planning systems (capaian fisik, IKI, IKU, IKP) per employee."""

from __future__ import annotations

import numpy as np
import pandas as pd

from kinerja.domain import IndicatorKind
from kinerja.rules.roster import Roster
from kinerja.rules.vectors import group_sum, position_in


def indicator_components(indicators: pd.DataFrame, roster: Roster) -> pd.DataFrame:
    """Per employee: each indicator (0-100, NaN when not reported; repeated rows are averaged)
    and iku_iki_ikp, the mean of whichever of IKI, IKU and IKP are present."""
    n = roster.size
    kinds = [k.value for k in IndicatorKind]
    codes = roster.codes(indicators["nip"])
    kc = position_in(indicators["kind"], kinds)
    value = pd.to_numeric(indicators["value"], errors="coerce").to_numpy(dtype=np.float64)
    keep = (codes >= 0) & (kc >= 0) & ~np.isnan(value)
    k = len(kinds)
    cell = codes[keep] * k + kc[keep]
    sums = group_sum(cell, n * k, np.clip(value[keep], 0.0, 100.0)).reshape(n, k)
    counts = group_sum(cell, n * k).reshape(n, k)
    with np.errstate(invalid="ignore", divide="ignore"):
        means = np.where(counts > 0, sums / np.where(counts > 0, counts, 1), np.nan)
    out = pd.DataFrame(means, columns=kinds)
    combo = out[[IndicatorKind.IKI.value, IndicatorKind.IKU.value, IndicatorKind.IKP.value]]
    out["iku_iki_ikp"] = combo.mean(axis=1, skipna=True)
    return out
