"""PermenPAN-RB 6/2022: two ratings, the 3x3 matrix into five predikat, the distribution check."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from kinerja.rules.policy import (
    ORG_RATINGS,
    PREDIKAT,
    DistributionLimit,
    PredikatPolicy,
    RatingRule,
)

# (rating hasil kerja, rating perilaku kerja) -> predikat kinerja pegawai: the regulation's
# matrix, not a setting. Results and behaviour above: Sangat Baik; both below: Sangat Kurang;
# behaviour below with results as expected or above: Kurang/Misconduct; results below with
# behaviour as expected or above: Butuh Perbaikan; every other cell: Baik.
MATRIX: dict[tuple[str, str], str] = {
    ("di_atas", "di_atas"): "sangat_baik",
    ("di_atas", "sesuai"): "baik",
    ("di_atas", "di_bawah"): "kurang",
    ("sesuai", "di_atas"): "baik",
    ("sesuai", "sesuai"): "baik",
    ("sesuai", "di_bawah"): "kurang",
    ("di_bawah", "di_atas"): "butuh_perbaikan",
    ("di_bawah", "sesuai"): "butuh_perbaikan",
    ("di_bawah", "di_bawah"): "sangat_kurang",
}
RATING_LABELS = {
    "di_atas": "Di atas ekspektasi",
    "sesuai": "Sesuai ekspektasi",
    "di_bawah": "Di bawah ekspektasi",
}
ORG_RATING_LABELS = {
    "istimewa": "Istimewa",
    "baik": "Baik",
    "butuh_perbaikan": "Butuh Perbaikan/Cukup",
    "kurang": "Kurang",
    "sangat_kurang": "Sangat Kurang",
}


def rate(values: np.ndarray, rule: RatingRule) -> np.ndarray:
    """di_atas / sesuai / di_bawah per value (None where the value is missing)."""
    v = np.asarray(values, dtype=np.float64)
    out = np.full(len(v), None, dtype=object)
    present = ~np.isnan(v)
    out[present] = "sesuai"
    out[present & (v >= rule.above_from)] = "di_atas"
    out[present & (v < rule.below_under)] = "di_bawah"
    return out


def predikat_of(hasil_kerja: np.ndarray, perilaku_kerja: np.ndarray) -> np.ndarray:
    """The matrix cell of each pair of ratings (None where either rating is missing)."""
    out = np.full(len(hasil_kerja), None, dtype=object)
    for (h, p), code in MATRIX.items():
        out[(hasil_kerja == h) & (perilaku_kerja == p)] = code
    return out


def predikat_order(predikat: np.ndarray) -> np.ndarray:
    """1 = Sangat Kurang ... 5 = Sangat Baik, NaN without a predikat: the first sort key."""
    order = {code: float(i + 1) for i, code in enumerate(PREDIKAT)}
    return np.array([order.get(p, np.nan) for p in predikat.tolist()], dtype=np.float64)


@dataclass(frozen=True)
class DistributionCheck:
    """One OPD's predikat distribution against its organisation rating; warnings in Indonesian."""

    opd_code: str
    org_rating: str | None
    total: int
    counts: dict[str, int]
    warnings: list[str]  # breaches of the guide
    note: str = ""  # why the check could not be made, if it could not

    @property
    def ok(self) -> bool:
        return not self.warnings


def _pct(share: float) -> str:
    return f"{share * 100:.0f}%"


def _names(codes: Sequence[str], labels: Mapping[str, str]) -> str:
    return " dan/atau ".join(f"'{labels.get(c, c)}'" for c in codes)


def _breaches(
    limit: DistributionLimit, counts: Mapping[str, int], total: int, labels: Mapping[str, str]
) -> list[str]:
    n = sum(counts.get(c, 0) for c in limit.predikat)
    share = n / total
    who = f"predikat {_names(limit.predikat, labels)}"
    out = []
    if limit.max_share is not None and share > limit.max_share + 1e-9:
        out.append(f"{who} {n} dari {total} ({_pct(share)}); paling banyak {_pct(limit.max_share)}")
    if limit.min_share is not None and share < limit.min_share - 1e-9:
        least = _pct(limit.min_share)
        out.append(f"{who} {n} dari {total} ({_pct(share)}); sekurang-kurangnya {least}")
    if limit.min_count is not None and n < limit.min_count:
        out.append(f"{who} {n} pegawai; harus ada sekurang-kurangnya {limit.min_count}")
    return out


def check_distribution(
    opd_code: str, counts: Mapping[str, int], org_rating: str | None, policy: PredikatPolicy
) -> DistributionCheck:
    """The unit's predikat counts against the guide for its organisation rating.

    A warning only: nobody's predikat or rank changes. No rating on record, a rating the guide
    has no limits for, or fewer than `distribution_min_employees` with a predikat: a note
    saying the check could not be made (so the reader knows it was not passed silently).
    """
    labels: dict[str, str] = {c.code: c.label for c in policy.categories}
    kept = {c: int(counts.get(c, 0)) for c in PREDIKAT}
    total = sum(kept.values())
    if org_rating is None:
        note = "Predikat kinerja organisasi belum ditetapkan: distribusi predikat tidak diperiksa"
        return DistributionCheck(opd_code, None, total, kept, [], note)
    if org_rating not in ORG_RATINGS:
        raise ValueError(f"OPD {opd_code}: unknown organisation rating {org_rating!r}")
    limits = policy.distribution.get(org_rating, [])  # type: ignore[call-overload]
    if not limits:
        note = (
            f"Pedoman tidak memuat batas untuk predikat organisasi "
            f"'{ORG_RATING_LABELS[org_rating]}': distribusi predikat tidak diperiksa"
        )
        return DistributionCheck(opd_code, org_rating, total, kept, [], note)
    if total < policy.distribution_min_employees:
        note = (
            f"Hanya {total} pegawai berpredikat (kurang dari "
            f"{policy.distribution_min_employees}): distribusi predikat tidak diperiksa"
        )
        return DistributionCheck(opd_code, org_rating, total, kept, [], note)
    found = [w for limit in limits for w in _breaches(limit, kept, total, labels)]
    if not found:
        return DistributionCheck(opd_code, org_rating, total, kept, [])
    head = (
        f"Distribusi predikat tidak sesuai pedoman untuk predikat organisasi "
        f"'{ORG_RATING_LABELS[org_rating]}'"
    )
    tail = "(peringatan; predikat dan peringkat pegawai tidak diubah)"
    return DistributionCheck(
        opd_code, org_rating, total, kept, [f"{head}: {w} {tail}" for w in found]
    )
