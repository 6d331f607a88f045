"""Short Indonesian explanations: the one or two components that cost the most points."""

from __future__ import annotations

import numpy as np
import pandas as pd

# Components whose loss is below this many composite points are not worth mentioning.
MIN_LOSS = 0.5
NOTHING = "Tidak ada komponen yang menurunkan nilai secara berarti."
NO_DATA = "Data tidak cukup untuk menghitung nilai."

# Order matters only for equal losses (earlier wins): attendance first, as it is the most
# objective figure.
COMPONENTS = [
    "attendance",
    "main_activity",
    "additional_activity",
    "subordinate_activity",
    "behaviour",
    "capaian_fisik",
    "iki",
    "iku",
    "ikp",
    "iku_iki_ikp",
]


def _num(values: pd.Series) -> pd.Series:
    return values.round().astype(np.int64).astype(str)


def _piece(count: pd.Series, before: str, after: str) -> pd.Series:
    text = before + _num(count) + after
    return text.where(count > 0, "")


def _attendance_text(d: pd.DataFrame) -> pd.Series:
    pieces = [
        _piece(d["late_count"], "terlambat ", " kali"),
        _piece(d["early_count"], "pulang sebelum waktunya ", " kali"),
        _piece(d["days_absent"], "", " hari tanpa keterangan"),
        _piece(d["missing_checkin"], "tidak presensi masuk ", " kali"),
        _piece(d["missing_checkout"], "tidak presensi pulang ", " kali"),
    ]
    joined = pieces[0]
    for p in pieces[1:]:
        joined = joined + "; " + p
    return joined.str.replace(r"(; )+", "; ", regex=True).str.strip("; ")


def _percent(d: pd.DataFrame, column: str, before: str, after: str = "%") -> pd.Series:
    return before + _num(d[column].fillna(0.0)) + after


def _text(component: str, d: pd.DataFrame) -> pd.Series:
    if component == "attendance":
        return _attendance_text(d)
    if component == "main_activity":
        return _percent(d, "main_pct", "kegiatan utama disetujui ", "% dari target")
    if component == "additional_activity":
        return _percent(d, "c_additional_activity", "kegiatan tambahan disetujui ", "% dari target")
    if component == "subordinate_activity":
        return _percent(d, "c_subordinate_activity", "capaian kegiatan bawahan rata-rata ")
    if component == "behaviour":
        return (
            _percent(d, "c_behaviour", "nilai perilaku ", " dari 100 (")
            + _num(d["raters"])
            + " penilai)"
        )
    labels = {
        "capaian_fisik": "capaian fisik ",
        "iki": "IKI ",
        "iku": "IKU ",
        "ikp": "IKP ",
        "iku_iki_ikp": "rata-rata IKI/IKU/IKP ",
    }
    return _percent(d, f"c_{component}", labels[component])


def explain(details: pd.DataFrame, losses: np.ndarray) -> pd.Series:
    """One sentence per row from the loss matrix (rows x COMPONENTS, composite points lost).

    `details` carries the figures quoted: counts, main_pct and the c_<leaf> columns.
    """
    n = len(details)
    out = pd.Series(np.full(n, NOTHING, dtype=object), index=details.index)
    if n == 0:
        return out
    lossy = np.nan_to_num(losses, nan=0.0)
    # Stable sort on negated losses: the largest loss first, ties by COMPONENTS order.
    top = np.argsort(-lossy, axis=1, kind="stable")[:, :2]
    rows = np.arange(n)
    first_loss = lossy[rows, top[:, 0]]
    second_loss = lossy[rows, top[:, 1]]
    first = pd.Series(np.full(n, "", dtype=object), index=details.index)
    second = first.copy()
    for ci, name in enumerate(COMPONENTS):
        mask1 = (top[:, 0] == ci) & (first_loss >= MIN_LOSS)
        mask2 = (top[:, 1] == ci) & (second_loss >= MIN_LOSS)
        both = mask1 | mask2
        if not both.any():
            continue
        text = _text(name, details.loc[both])
        first.loc[mask1] = text.loc[mask1[both]].to_numpy()
        second.loc[mask2] = text.loc[mask2[both]].to_numpy()
    sentence = first.where(second == "", first + "; " + second)
    has = sentence.str.len() > 0
    capital = sentence.str.slice(0, 1).str.upper() + sentence.str.slice(1) + "."
    out = out.where(~has, capital)
    return out.astype(str)
