"""Short Indonesian explanations: the one or two components that cost the most points."""

from __future__ import annotations

import numpy as np
import pandas as pd
from numpy.dtypes import StringDType

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
LABELS = {
    "capaian_fisik": "capaian fisik ",
    "iki": "IKI ",
    "iku": "IKU ",
    "ikp": "IKP ",
    "iku_iki_ikp": "rata-rata IKI/IKU/IKP ",
}
_S = StringDType()
_add = np.strings.add


def _num(values: np.ndarray) -> np.ndarray:
    """Whole numbers as strings (NaN reads as 0)."""
    return np.rint(np.nan_to_num(values.astype(np.float64))).astype(np.int64).astype(_S)


def _join(a: np.ndarray, b: np.ndarray, sep: str = "; ") -> np.ndarray:
    """a + sep + b where both are non-empty, otherwise whichever is non-empty."""
    a_empty = a == ""
    out: np.ndarray = np.where(a_empty, b, a)
    both = ~a_empty & (b != "")
    if both.any():
        out[both] = _add(_add(a[both], sep), b[both])
    return out


def _cap(text: str, capital: bool) -> str:
    return text[:1].upper() + text[1:] if capital else text


def _piece(count: np.ndarray, before: str, after: str) -> np.ndarray:
    text = _add(_add(before, _num(count)), after)
    return np.where(count > 0, text, np.array("", dtype=_S))


ATTENDANCE_PIECES = [
    ("late_count", "terlambat ", " kali"),
    ("early_count", "pulang sebelum waktunya ", " kali"),
    ("days_absent", "", " hari tanpa keterangan"),
    ("missing_checkin", "tidak presensi masuk ", " kali"),
    ("missing_checkout", "tidak presensi pulang ", " kali"),
]


def _text(component: str, d: pd.DataFrame, rows: np.ndarray, capital: bool) -> np.ndarray:
    """The figures behind one component, for the selected rows of `d`; `capital` starts the
    sentence with a capital letter."""

    def col(name: str) -> np.ndarray:
        return d[name].to_numpy(dtype=np.float64)[rows]

    def said(before: str, value: np.ndarray, after: str) -> np.ndarray:
        return _add(_add(_cap(before, capital), _num(value)), after)

    if component == "attendance":
        text: np.ndarray = np.zeros(int(rows.sum()), dtype=_S)
        for name, before, after in ATTENDANCE_PIECES:
            # Only the first piece present starts the sentence.
            first = _piece(col(name), _cap(before, capital), after)
            later = _piece(col(name), before, after)
            text = np.where(text == "", first, _join(text, later))
        return text
    if component == "main_activity":
        return said("kegiatan utama disetujui ", col("main_pct"), "% dari target")
    if component == "additional_activity":
        return said("kegiatan tambahan disetujui ", col("c_additional_activity"), "% dari target")
    if component == "subordinate_activity":
        return said("capaian kegiatan bawahan rata-rata ", col("c_subordinate_activity"), "%")
    if component == "behaviour":
        rated = said("nilai perilaku ", col("c_behaviour"), " dari 100 (")
        return _add(_add(rated, _num(col("raters"))), " penilai)")
    return said(LABELS[component], col(f"c_{component}"), "%")


def explain(details: pd.DataFrame, losses: np.ndarray) -> np.ndarray:
    """One sentence per row (object array) from the loss matrix (rows x COMPONENTS, composite
    points lost against full marks). `details` carries the figures quoted: attendance counts,
    raters, main_pct and the c_<leaf> columns."""
    n = len(details)
    lossy = np.nan_to_num(losses, nan=0.0)
    # Stable sort on negated losses: the largest loss first, ties in COMPONENTS order.
    top = np.argsort(-lossy, axis=1, kind="stable")[:, :2]
    rows = np.arange(n)
    first = np.zeros(n, dtype=_S)
    second = np.zeros(n, dtype=_S)
    for rank, target in ((0, first), (1, second)):
        chosen = top[:, rank]
        worth = lossy[rows, chosen] >= MIN_LOSS
        for ci, name in enumerate(COMPONENTS):
            mask = worth & (chosen == ci)
            if mask.any():
                target[mask] = _text(name, details, mask, capital=rank == 0)
    sentence = _add(_join(first, second), ".")
    return np.where(first == "", NOTHING, sentence).astype(object)
