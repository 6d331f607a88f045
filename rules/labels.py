"""Indonesian labels for roles, indicators and score components shown to people."""

from __future__ import annotations

from kinerja.domain import DefenceValue, OutcomeValue, SelectionValue, VerdictValue, WarningValue
from kinerja.rules.policy import Policy


def is_low(value: float | None, median: float | None, policy: Policy) -> bool:
    """An indicator is "perlu ditingkatkan" only below the policy's threshold or the OPD median;
    every other one is acknowledged."""
    if value is None:
        return False
    below_median = median is not None and value < median
    return value < policy.letters.indicator_threshold or below_median


COACH_LABELS = {
    "supervisor": "atasan langsung",
    "head_of_opd": "kepala perangkat daerah",
    "sekda": "Sekretaris Daerah",
    "governor": "Gubernur",
}

INDICATOR_LABELS = {
    "kinerja": "Kinerja",
    "kehadiran": "Kehadiran",
    "perilaku": "Perilaku kerja",
    "composite": "Indeks komposit",
}
INDICATORS = ("kinerja", "kehadiran", "perilaku")

COMPONENT_LABELS = {
    "behaviour": "Perilaku (kuesioner 360 derajat)",
    "main_activity": "Kegiatan utama yang disetujui",
    "additional_activity": "Kegiatan tambahan yang disetujui",
    "subordinate_activity": "Capaian kegiatan bawahan",
    "capaian_fisik": "Capaian fisik",
    "iki": "Indikator kinerja individu (IKI)",
    "iku": "Indikator kinerja utama (IKU)",
    "ikp": "Indikator kinerja pegawai (IKP)",
    "iku_iki_ikp": "IKI/IKU/IKP",
    "attendance": "Indeks kehadiran",
}

DECISION_LABELS: dict[tuple[str, str], str] = {
    ("selection", SelectionValue.SELECTED): "ditetapkan berkinerja rendah",
    ("selection", SelectionValue.NOT_SELECTED): "tidak ditetapkan",
    ("warning", WarningValue.ISSUED): "peringatan dikirim",
    ("defence", DefenceValue.SUBMITTED): "pembelaan diajukan",
    ("verdict", VerdictValue.ACCEPTED): "pembelaan diterima",
    ("verdict", VerdictValue.REJECTED): "pembelaan ditolak",
    ("outcome", OutcomeValue.PUBLISHED): "diumumkan",
    ("outcome", OutcomeValue.NOT_PUBLISHED): "tidak diumumkan",
}
